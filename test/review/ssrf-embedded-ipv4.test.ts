import { createHttpSender } from '../../src/delivery/http-sender';
import { isBlockedAddress } from '../../src/delivery/ssrf-guard';

/** IPv6 addresses that deliver to an embedded IPv4 address are judged by that IPv4 address. */
describe('SSRF guard and IPv4 embedded in IPv6', () => {
  it.each([
    ['NAT64 to the metadata endpoint', '64:ff9b::a9fe:a9fe'],
    ['NAT64 to loopback', '64:ff9b::127.0.0.1'],
    ['NAT64 to a private network', '64:ff9b::c0a8:101'],
    ['IPv4-compatible loopback', '::127.0.0.1'],
    ['IPv4-translated loopback', '::ffff:0:7f00:1'],
    ['6to4 of a private network', '2002:a00:1::1'],
    ['6to4 of the metadata endpoint', '2002:a9fe:a9fe::'],
  ])('blocks %s (%s)', (_, address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each([
    ['NAT64 to a public address', '64:ff9b::8.8.8.8'],
    ['6to4 of a public address', '2002:808:808::1'],
    ['a public IPv6 address', '2001:4860:4860::8888'],
  ])('allows %s (%s)', (_, address) => {
    expect(isBlockedAddress(address)).toBe(false);
  });

  it('refuses a literal NAT64 target before connecting', async () => {
    const sender = createHttpSender({ allowPrivateTargets: false });
    const outcome = await sender.send({ url: 'http://[64:ff9b::a9fe:a9fe]/latest/meta-data/', method: 'GET', headers: {}, timeoutMs: 1000 });
    expect(outcome).toMatchObject({ kind: 'error', errorClass: 'blocked_target' });
  });
});
