import { promisify } from 'node:util';
import { checkLiteralHost, guardedLookup, isBlockedAddress } from '../../src/delivery/ssrf-guard';

const lookup = promisify(guardedLookup);

describe('SSRF guard', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1',
    '0.0.0.0', '224.0.0.1', '255.255.255.255', '::', '::1', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:10.0.0.1',
  ])('blocks %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => {
    expect(isBlockedAddress(address)).toBe(false);
  });

  it('checks IP literals, which Node connects to without a lookup', () => {
    expect(checkLiteralHost('127.0.0.1')?.name).toBe('BlockedTargetError');
    expect(checkLiteralHost('[::1]')?.name).toBe('BlockedTargetError');
    expect(checkLiteralHost('8.8.8.8')).toBeUndefined();
    expect(checkLiteralHost('publisher.example')).toBeUndefined();
  });

  it('refuses a hostname whose resolved address is loopback', async () => {
    await expect(lookup('localhost', {})).rejects.toMatchObject({ name: 'BlockedTargetError', code: 'ERR_BLOCKED_TARGET' });
    await expect(lookup('localhost', { all: true })).rejects.toMatchObject({ name: 'BlockedTargetError' });
  });
});
