import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * SSRF guard: callback URLs come from publishers, so a URL must not reach the platform's own network. The check is
 * made on the *resolved* address, at connect time, through the socket's `lookup`: a hostname that resolves to
 * 127.0.0.1 is caught, and there is no gap between a check and the connection (DNS rebinding).
 */

/** Thrown (through the socket) when a callback target resolves to an address the platform must not call. */
export class BlockedTargetError extends Error {
  override readonly name = 'BlockedTargetError';
  readonly code = 'ERR_BLOCKED_TARGET';
  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(`callback target ${hostname} resolves to ${address}, a private or reserved address`);
  }
}

// Ranges from the IANA special-purpose registries that are not reachable, or not meant to be reached, on the
// public Internet. BlockList also matches IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) against the IPv4 rules.
const BLOCKED_V4: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata endpoints
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];
const BLOCKED_V6: Array<[string, number]> = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed internally by some networks)
  ['ff00::', 8], // multicast
];

/**
 * IPv6 forms that carry an IPv4 address the packet is delivered to: a blocked IPv4 range is blocked in each of
 * them too (`[64:ff9b::a9fe:a9fe]` reaches 169.254.169.254 through a NAT64 gateway). BlockList matches
 * ::ffff:a.b.c.d itself; these it does not.
 */
const IPV4_EMBEDDINGS: Array<{ v6: (octets: number[]) => string; prefix: number }> = [
  { v6: (o) => `64:ff9b::${o.join('.')}`, prefix: 96 }, // NAT64 well-known prefix
  { v6: (o) => `::${o.join('.')}`, prefix: 96 }, // IPv4-compatible (deprecated)
  { v6: (o) => `::ffff:0:${o.join('.')}`, prefix: 96 }, // IPv4-translated (SIIT)
  { v6: (o) => `2002:${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}::`, prefix: 16 }, // 6to4
];

const blocked = new BlockList();
for (const [network, prefix] of BLOCKED_V4) {
  blocked.addSubnet(network, prefix, 'ipv4');
  const octets = network.split('.').map(Number);
  for (const embedding of IPV4_EMBEDDINGS) blocked.addSubnet(embedding.v6(octets), embedding.prefix + prefix, 'ipv6');
}
for (const [network, prefix] of BLOCKED_V6) blocked.addSubnet(network, prefix, 'ipv6');

/** True when an IP address (v4 or v6, as text) lies in a private or reserved range. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) throw new TypeError(`"${address}" is not an IP address`);
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Node connects to an IP literal without calling `lookup`, so literal hosts are checked before the request.
 * Returns the error to fail the attempt with, or undefined when the host is a name (left to `lookup`) or allowed.
 */
export function checkLiteralHost(hostname: string): BlockedTargetError | undefined {
  const bare = hostname.replace(/^\[|\]$/g, ''); // URL.hostname keeps the brackets of an IPv6 literal
  return isIP(bare) !== 0 && isBlockedAddress(bare) ? new BlockedTargetError(hostname, bare) : undefined;
}

/**
 * A `lookup` for http.request that resolves every address of the host and refuses the connection when any of
 * them is blocked (refusing on any, not all, keeps a round-robin name from reaching an internal host sometimes).
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '');
    const refused = addresses.find((a) => isBlockedAddress(a.address));
    if (refused) return callback(new BlockedTargetError(hostname, refused.address), '');
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0].address, addresses[0].family);
  });
};
