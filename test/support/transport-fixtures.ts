// The device fixtures live in harness/ so benchmarks share them without importing from test/.
export * from '../../harness/device-fixtures';
