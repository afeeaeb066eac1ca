import { loadConfig, type Config } from '../config/config';
import { createLogger } from '../config/logger';
import { createEmbeddedStack, isStackStopped, type StartedStack } from './embedded/stack';

// `npm start`: a supervisor for the embedded stack (scripts/embedded/stack.ts): registry,
// Temporal dev server, MQTT broker, worker and API, each its own process as in
// docker-compose.yml. Ctrl-C, SIGTERM or SIGHUP stops them in reverse order and exits with no
// child left; a service that dies stops the rest. Children in their own process groups see a
// terminal's Ctrl-C only through this process.
const config = loadConfig();
const logger = createLogger(config.logLevel, 'embedded');
const startedAt = performance.now();

let stopping: Promise<void> | undefined;
const stack = createEmbeddedStack({
  config,
  environment: {},
  logger,
  output: 'inherit',
  onServiceExit: (name, code) => {
    logger.fatal({ service: name, code }, 'a service of the embedded stack exited; stopping the rest');
    shutdown(1);
  },
});

function shutdown(exitCode: number): void {
  if (stopping) return;
  logger.info('stopping the embedded stack');
  // Wait for a start still under way too: whatever it brings up afterwards stops itself.
  stopping = stack
    .stop()
    .then(() => starting.catch(() => undefined))
    .then(() => process.exit(exitCode));
}

function banner(settings: Config, started: StartedStack): string {
  const api = started.apiUrl;
  const registry = settings.registry.databaseUrl
    ? 'DATABASE_URL'
    : `postgres://127.0.0.1:${new URL(started.databaseUrl).port} (data in ${settings.registry.embedded.directory})`;
  const lines = [
    '',
    `Fleet bulk actions is running (ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s).`,
    `  API            ${api}   (OpenAPI: ${api}/openapi.json, docs: ${api}/docs)`,
    `  Temporal UI    ${settings.temporal.uiUrl}`,
    `  Temporal       ${started.temporalAddress}   MQTT ${started.mqttUrl}`,
    `  Registry       ${registry}`,
    `  Processes      ${Object.entries(started.pids)
      .map(([name, pid]) => `${name} ${pid}`)
      .join(', ')}`,
  ];
  if (started.demoCredentials) {
    lines.push(
      `  Demo logins    ${started.demoCredentials}`,
      '  Get a token    curl -s -X POST ' +
        `${api}/api/v1/platform/user/authenticate -H 'Content-Type: application/json' \\`,
      `                   -d "$(jq '{email: .users[0].email, password: .users[0].password}' ${started.demoCredentials})"`,
    );
  }
  lines.push('Press Ctrl-C to stop.', '');
  return lines.join('\n');
}

// Repeated signals (a terminal's Ctrl-C reaches npm and this process alike) start one stop.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => shutdown(0));

const starting = stack.start();
try {
  console.log(banner(config, await starting));
} catch (error) {
  // A stop during the start makes the start fail too; that is no news.
  if (!stopping && !isStackStopped(error)) {
    logger.fatal({ err: error }, 'the embedded stack could not start');
    shutdown(1);
  }
}
