import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { configDirectory } from './cli-environment';

export interface StoredSession {
  api: string;
  email: string;
  session_token: string;
  session_expires_at?: string | undefined;
}

function sessionFile(): string {
  return path.join(configDirectory(), 'session.json');
}

// The token is a password for the API: the file is readable by its owner only.
export async function saveSession(session: StoredSession): Promise<string> {
  const file = sessionFile();
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

export async function loadSession(): Promise<StoredSession | undefined> {
  try {
    return JSON.parse(await readFile(sessionFile(), 'utf8')) as StoredSession;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
