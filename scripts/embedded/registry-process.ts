import { loadConfig } from '../../config/config';
import { createLogger } from '../../config/logger';
import { announceReady, stopWithSupervisor } from '../../config/supervised-process';
import { freePort } from '../../harness/free-port';
import { startRegistryServer } from './registry-server';

// The embedded registry as a process of its own: `npm start` runs it beside the broker, worker
// and API, and scripts/run-tests.sh runs one for the whole test run. Configured by DATA_DIR,
// REGISTRY_PORT (0: a free one) and REGISTRY_FSYNC; says DATABASE_URL=... on stdout when ready
// (or through the supervisor's channel), and stops PostgreSQL on SIGINT/SIGTERM/SIGHUP.
const config = loadConfig();
const logger = createLogger(config.logLevel, 'registry');
stopWithSupervisor();

const serious = /\b(FATAL|PANIC|ERROR)\b/;
const embedded = config.registry.embedded;
const server = await startRegistryServer({
  ...embedded,
  port: embedded.port === 0 ? await freePort() : embedded.port,
  log: (message) => {
    for (const line of message.split('\n').filter((text) => text.trim() !== ''))
      if (serious.test(line)) logger.warn(line);
      else logger.debug(line);
  },
});

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop());

logger.info({ directory: embedded.directory, url: server.url.replace(/:[^:@]*@/, ':***@') }, 'registry ready');
if (process.send) announceReady({ url: server.url });
else process.stdout.write(`DATABASE_URL=${server.url}\n`);
