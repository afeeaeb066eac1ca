// What an audit entry keeps of a request body: enough to read what was asked, never a secret,
// and bounded however large the body was (sendCommandsBulk takes 1,000 serials).

export const redacted = '[redacted]';

// Any field whose name says it holds a credential, matched case-insensitively (password,
// refreshToken, session_token, api_token, secret, api_key, sshKey, wifi_psk, ...). A harmless
// field caught by it (`hotkey`) is only redacted, never a reason to keep a secret.
const secretFieldPattern = /pass|secret|token|credential|authorization|cookie|psk|key$/i;
// A URL may carry a login (`https://user:password@host/`): the login is not kept.
const urlLoginPattern = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#@\s]*@/i;

const limits = {
  depth: 6,
  stringCharacters: 256,
  arrayItems: 20,
  objectKeys: 50,
  fieldNameCharacters: 64,
  // The whole copy, as JSON; above it only the top-level field names are kept.
  totalCharacters: 8 * 1024,
};

export function auditCopyOf(body: unknown): unknown {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return undefined;
  const copy = copyValue(body, 0);
  if (JSON.stringify(copy).length <= limits.totalCharacters) return copy;
  const keys = typeof body === 'object' && !Array.isArray(body) ? Object.keys(body).slice(0, limits.objectKeys) : [];
  return { truncated: true, fields: keys.map((key) => key.slice(0, limits.fieldNameCharacters)) };
}

function copyValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return cutString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= limits.depth) return '[nested too deep]';
  if (Array.isArray(value)) {
    const items = value.slice(0, limits.arrayItems).map((item) => copyValue(item, depth + 1));
    const left = value.length - items.length;
    return left > 0 ? [...items, `[${left} more]`] : items;
  }
  const entries = Object.entries(value).slice(0, limits.objectKeys);
  return Object.fromEntries(
    entries.map(([key, field]) => [key, secretFieldPattern.test(key) ? redacted : copyValue(field, depth + 1)]),
  );
}

function cutString(text: string): string {
  const value = text.replace(urlLoginPattern, `$1${redacted}@`);
  if (value.length <= limits.stringCharacters) return value;
  return `${value.slice(0, limits.stringCharacters)}[${value.length - limits.stringCharacters} more characters]`;
}
