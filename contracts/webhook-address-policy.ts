import { BlockList, isIP } from 'node:net';

// Which addresses a webhook may reach (server-side request forgery): checked on the URL when a
// webhook is created and on every address the host resolves to when it is delivered.
export type AddressRefusal = 'metadata' | 'link_local' | 'reserved' | 'private';

type Range = [network: string, prefix: number, family: 'ipv4' | 'ipv6'];

const refusedRanges: [AddressRefusal, Range[]][] = [
  [
    'metadata',
    [
      ['169.254.169.254', 32, 'ipv4'],
      ['169.254.170.2', 32, 'ipv4'],
      ['100.100.100.200', 32, 'ipv4'],
      ['fd00:ec2::254', 128, 'ipv6'],
    ],
  ],
  [
    'link_local',
    [
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
    ],
  ],
  [
    'reserved',
    [
      ['0.0.0.0', 8, 'ipv4'],
      ['192.0.0.0', 24, 'ipv4'],
      ['192.0.2.0', 24, 'ipv4'],
      ['198.51.100.0', 24, 'ipv4'],
      ['203.0.113.0', 24, 'ipv4'],
      ['224.0.0.0', 4, 'ipv4'],
      ['240.0.0.0', 4, 'ipv4'],
      ['::', 128, 'ipv6'],
      ['2001:db8::', 32, 'ipv6'],
      ['ff00::', 8, 'ipv6'],
    ],
  ],
  [
    'private',
    [
      ['127.0.0.0', 8, 'ipv4'],
      ['10.0.0.0', 8, 'ipv4'],
      ['172.16.0.0', 12, 'ipv4'],
      ['192.168.0.0', 16, 'ipv4'],
      ['100.64.0.0', 10, 'ipv4'],
      ['198.18.0.0', 15, 'ipv4'],
      ['::1', 128, 'ipv6'],
      ['fc00::', 7, 'ipv6'],
    ],
  ],
];

// A BlockList also matches IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) against IPv4 ranges.
const refusedLists = refusedRanges.map(([reason, ranges]) => {
  const list = new BlockList();
  for (const [network, prefix, family] of ranges) list.addSubnet(network, prefix, family);
  return [reason, list] as const;
});

const metadataHostnames = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
]);

// Metadata and link-local addresses are refused always; loopback and private networks only
// unless `allowPrivate` (WEBHOOK_ALLOW_PRIVATE, for local use and tests).
export function addressRefusal(address: string, allowPrivate: boolean): AddressRefusal | undefined {
  const version = isIP(address);
  if (version === 0) return 'reserved';
  const family = version === 6 ? 'ipv6' : 'ipv4';
  for (const [reason, list] of refusedLists) {
    if (reason === 'private' && allowPrivate) continue;
    if (list.check(address, family)) return reason;
  }
  return undefined;
}

// URL hostnames keep IPv6 literals in brackets and may end with the root dot.
export function bareHostname(hostname: string): string {
  return hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

// A host name that names a metadata service whatever it resolves to, or an address literal
// that is refused.
export function hostnameRefusal(hostname: string, allowPrivate: boolean): AddressRefusal | undefined {
  const host = bareHostname(hostname);
  if (metadataHostnames.has(host)) return 'metadata';
  return isIP(host) === 0 ? undefined : addressRefusal(host, allowPrivate);
}

export const refusalMessages: Record<AddressRefusal, string> = {
  metadata: 'a cloud metadata address',
  link_local: 'a link-local address',
  reserved: 'a reserved or non-unicast address',
  private: 'a loopback or private address (allowed only with WEBHOOK_ALLOW_PRIVATE=true)',
};
