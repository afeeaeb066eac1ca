import { CliError } from './cli-error';
import { apiKeyOf, listSessions, loadSession } from './token-store';

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiClient {
  readonly baseUrl: string;
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
  stream(path: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>>;
}

const platformPrefix = '/api/v1/platform';

async function errorOf(response: Response): Promise<CliError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: string; details?: { field: string; message: string }[] };
    const details = body.details?.map((detail) => `${detail.field}: ${detail.message}`).join('; ');
    const message = `${body.error ?? response.statusText}${details ? ` (${details})` : ''}`;
    return new CliError(`HTTP ${response.status}: ${message}`, response.status, body.details);
  } catch {
    return new CliError(`HTTP ${response.status}: ${text.slice(0, 200) || response.statusText}`, response.status);
  }
}

function unreachable(baseUrl: string, error: unknown): CliError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
  return new CliError(`cannot reach the API at ${baseUrl} (${cause}); start it or pass --api`);
}

// node's fetch against the EdgeIQ-dialect API, with the token cached by `login`.
export function createApiClient(baseUrl: string, token?: string): ApiClient {
  const root = apiKeyOf(baseUrl);
  const headers = (extra: Record<string, string> = {}) => ({ ...(token ? { Authorization: token } : {}), ...extra });
  const send = async (path: string, init: RequestInit) => {
    try {
      return await fetch(`${root}${platformPrefix}${path}`, init);
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw unreachable(root, error);
    }
  };
  return {
    baseUrl: root,
    async request<T>(method: string, path: string, { body, headers: extra = {} }: RequestOptions = {}): Promise<T> {
      const contentType: Record<string, string> = body === undefined ? {} : { 'Content-Type': 'application/json' };
      const response = await send(path, {
        method,
        headers: headers({ ...contentType, ...extra }),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw await errorOf(response);
      return (await response.json()) as T;
    },
    async stream(path: string, signal: AbortSignal) {
      const response = await send(path, { headers: headers({ Accept: 'text/event-stream' }), signal });
      if (!response.ok || !response.body) throw await errorOf(response);
      return response.body;
    },
  };
}

// The API chosen by --api (or the environment), with the token `login` stored for that server.
export async function authenticatedClient(baseUrl: string): Promise<ApiClient> {
  const root = apiKeyOf(baseUrl);
  const session = await loadSession(root);
  if (!session) {
    const others = (await listSessions()).map((stored) => stored.api);
    const elsewhere = others.length > 0 ? ` (logged in to ${others.join(', ')})` : '';
    throw new CliError(`not logged in to ${root}${elsewhere}: run "fleet-actions login --api ${root}" first`);
  }
  const expiresAt = session.session_expires_at ? Date.parse(session.session_expires_at) : Number.NaN;
  if (expiresAt <= Date.now()) {
    throw new CliError(
      `the session for ${root} expired at ${session.session_expires_at}: run "fleet-actions login --api ${root}" again`,
    );
  }
  return createApiClient(root, session.session_token);
}
