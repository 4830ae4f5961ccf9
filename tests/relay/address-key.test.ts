import { describe, expect, it } from 'vitest';
import { addressKey } from '../../relay/address-key.ts';

// docs/protocol.md, "Limits per address and in all": an IPv4 address (also IPv4-mapped IPv6) is
// one address; an IPv6 address counts as its /64.
describe('addressKey', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['::1', '0:0:0:0::/64'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002::', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('accounts %s under %s', (remote, key) => {
    expect(addressKey(remote)).toBe(key);
  });
});
