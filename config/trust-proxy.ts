import { isIP } from 'node:net';
import { z } from 'zod';

/** express's `trust proxy`: off, every hop, a hop count, or the proxies' addresses and subnets. */
export type TrustProxy = boolean | number | string[];

const proxyNames = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyEntry(entry: string): boolean {
  if (proxyNames.has(entry)) return true;
  const [address, bits, extra] = entry.split('/');
  if (extra !== undefined || !address || isIP(address) === 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(address) === 4 ? 32 : 128);
}

// TRUST_PROXY says whose X-Forwarded-For the API believes for the caller's address (the login
// limiter's key, the logs). Off by default: without a proxy in front, a client could otherwise
// choose its own address with a header. Behind one, name the proxy (`loopback`, `10.0.0.5`,
// `10.0.0.0/8`, several separated by commas) or the number of proxy hops; `true` trusts every hop
// and so lets any client that reaches the API directly pick its address.
export const trustProxySchema = z
  .string()
  .trim()
  .default('false')
  .transform((value, context): TrustProxy => {
    if (value === '' || value === 'false') return false;
    if (value === 'true') return true;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    const invalid = entries.filter((entry) => !isProxyEntry(entry));
    if (invalid.length === 0) return entries;
    context.addIssue({
      code: 'custom',
      message: `expected true, false, a hop count, or addresses/subnets/loopback/linklocal/uniquelocal; got ${invalid.join(', ')}`,
    });
    return z.NEVER;
  });
