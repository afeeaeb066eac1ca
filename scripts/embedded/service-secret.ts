import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// The embedded broker's service password: generated once, kept under data/ (mode 600), so the
// embedded stack needs no configuration and never ships a default secret.
export function embeddedServicePassword(dataDir: string): string {
  const file = path.join(dataDir, 'mqtt-service-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(24).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
