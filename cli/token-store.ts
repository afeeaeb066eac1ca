import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { configDirectory } from './cli-environment';

export interface StoredSession {
  api: string;
  email: string;
  session_token: string;
  session_expires_at?: string | undefined;
}

// One session per API base URL: logging in to a second server keeps the first one's session.
interface SessionFile {
  sessions: Record<string, Omit<StoredSession, 'api'>>;
}

function sessionFile(): string {
  return path.join(configDirectory(), 'session.json');
}

// The same server however the URL was typed with trailing slashes.
export function apiKeyOf(api: string): string {
  return api.replace(/\/+$/, '');
}

// A file without the sessions map (hand-edited, or not ours) holds no session.
function parse(text: string): SessionFile {
  const stored = JSON.parse(text) as Partial<SessionFile>;
  return { sessions: stored.sessions && typeof stored.sessions === 'object' ? stored.sessions : {} };
}

async function readSessions(): Promise<SessionFile> {
  try {
    return parse(await readFile(sessionFile(), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { sessions: {} };
    throw error;
  }
}

// The tokens are passwords for the API: the file is readable by its owner only, and replaced whole
// (written beside it, then renamed), so a reader never sees half a file.
async function writeSessions(sessions: SessionFile): Promise<string> {
  const file = sessionFile();
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const next = `${file}.${process.pid}.tmp`;
  await writeFile(next, `${JSON.stringify(sessions, null, 2)}\n`, { mode: 0o600 });
  await chmod(next, 0o600);
  await rename(next, file);
  return file;
}

export async function saveSession(session: StoredSession): Promise<string> {
  const stored = await readSessions();
  const { api, ...kept } = session;
  stored.sessions[apiKeyOf(api)] = kept;
  return writeSessions(stored);
}

export async function loadSession(api: string): Promise<StoredSession | undefined> {
  const key = apiKeyOf(api);
  const session = (await readSessions()).sessions[key];
  return session ? { api: key, ...session } : undefined;
}

export async function listSessions(): Promise<StoredSession[]> {
  return Object.entries((await readSessions()).sessions).map(([api, session]) => ({ api, ...session }));
}

// True when there was a session for that server to forget.
export async function forgetSession(api: string): Promise<boolean> {
  const stored = await readSessions();
  const key = apiKeyOf(api);
  if (!stored.sessions[key]) return false;
  delete stored.sessions[key];
  await writeSessions(stored);
  return true;
}
