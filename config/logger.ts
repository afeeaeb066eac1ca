import { pino, type Logger } from 'pino';

// Secrets never reach a log line: request credentials (pino-http's req/res), the cookies a
// response sets, and any password or token field one or two levels down in a logged object.
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  ...['password', 'token', 'refreshToken', 'session_token', 'api_token', 'servicePassword', 'mqttPassword'].flatMap(
    (field) => [field, `*.${field}`, `*.*.${field}`],
  ),
];

/** One logger per component, named for it (`api`, `worker`, `broker`, `registry`, `embedded`, `simulator`). */
export function createLogger(level: string, name = 'fleet-actions'): Logger {
  return pino({ name, level, redact: { paths: redactedPaths, censor: '[redacted]' } });
}
