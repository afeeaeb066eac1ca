import { pino, type Logger } from 'pino';

export function createLogger(level: string, name = 'fleet-actions'): Logger {
  return pino({ name, level, redact: ['req.headers.authorization', '*.password', '*.token', '*.refreshToken'] });
}
