// The registry fixture lives in harness/ so benchmarks share it without importing from test/.
export { openTestDatabase } from '../../harness/test-database';
