import { lookup } from 'node:dns/promises';
import { addressRefusal, bareHostname, hostnameRefusal, refusalMessages } from '../../contracts/webhook-address-policy';
import { BadRequestError } from '../errors';

function refused(message: string): BadRequestError {
  return new BadRequestError('Invalid request: url', [{ field: 'url', message }]);
}

// Refuses a URL whose host is, or resolves to, an address webhooks may not reach. Delivery checks
// again on every attempt (DNS answers change); this check tells the admin at once. A host that
// does not resolve now is let through: its name may not be published yet, and each delivery
// attempt resolves it again (retried while it does not resolve, refused if it comes to name a
// forbidden address), as the deliveries list then shows.
export async function assertWebhookUrlAllowed(url: string, allowPrivateAddresses: boolean): Promise<void> {
  const host = bareHostname(new URL(url).hostname);
  const literal = hostnameRefusal(host, allowPrivateAddresses);
  if (literal) throw refused(`${host} is ${refusalMessages[literal]}`);
  const addresses = await lookup(host, { all: true }).catch(() => []);
  for (const { address } of addresses) {
    const refusal = addressRefusal(address, allowPrivateAddresses);
    if (refusal) throw refused(`${host} resolves to ${refusalMessages[refusal]}`);
  }
}
