import { createHmac } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  addressRefusal,
  bareHostname,
  hostnameRefusal,
  refusalMessages,
  type AddressRefusal,
} from '../contracts/webhook-address-policy';

export interface WebhookPost {
  url: string;
  body: string;
  headers: Record<string, string>;
  allowPrivateAddresses: boolean;
  timeoutMilliseconds: number;
}

export type WebhookAnswer =
  | { kind: 'answered'; statusCode: number }
  | { kind: 'refused'; reason: string }
  | { kind: 'unreachable'; error: string };

class AddressRefusedError extends Error {
  constructor(
    readonly hostname: string,
    readonly refusal: AddressRefusal,
  ) {
    super(`${hostname} resolves to ${refusalMessages[refusal]}`);
  }
}

// `X-Fleet-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (SPEC §8).
export function webhookSignature(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

// Resolves like the default lookup but fails if any answer is refused: the socket connects only
// to an address that was checked, so a DNS answer cannot change between the check and the connect.
function guardedLookup(allowPrivateAddresses: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      for (const { address } of addresses) {
        const refusal = addressRefusal(address, allowPrivateAddresses);
        if (refusal) return callback(new AddressRefusedError(hostname, refusal), '', 0);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      return first
        ? callback(null, first.address, first.family)
        : callback(new Error(`${hostname}: no address`), '', 0);
    });
  };
}

// One POST, no redirects followed (a 3xx is not a delivery); the answer's body is discarded.
export function postWebhook(post: WebhookPost): Promise<WebhookAnswer> {
  const url = new URL(post.url);
  const literalRefusal = hostnameRefusal(url.hostname, post.allowPrivateAddresses);
  if (literalRefusal) {
    return Promise.resolve({
      kind: 'refused',
      reason: `${bareHostname(url.hostname)} is ${refusalMessages[literalRefusal]}`,
    });
  }
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: { ...post.headers, 'Content-Length': Buffer.byteLength(post.body).toString() },
        lookup: guardedLookup(post.allowPrivateAddresses),
        signal: AbortSignal.timeout(post.timeoutMilliseconds),
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ kind: 'answered', statusCode: response.statusCode ?? 0 }));
        response.on('error', (error) => resolve({ kind: 'unreachable', error: error.message }));
      },
    );
    request.on('error', (error) =>
      resolve(
        error instanceof AddressRefusedError
          ? { kind: 'refused', reason: error.message }
          : { kind: 'unreachable', error: error.message },
      ),
    );
    request.end(post.body);
  });
}
