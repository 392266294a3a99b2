import { describe, expect, it } from 'vitest';
import { cidrContains, cidrOverlaps, isCanonicalCidr, parseCidr, subnetCidr } from './cidr.js';

describe('CIDR helpers', () => {
  it('parses IPv4 and IPv6 into canonical form', () => {
    expect(parseCidr('10.0.1.7/16').canonical).toBe('10.0.0.0/16');
    expect(parseCidr('2001:0db8:0000:0000:0000:0000:0000:0001/32').canonical).toBe('2001:db8::/32');
    expect(parseCidr('::/0').canonical).toBe('::/0');
    expect(parseCidr('fd00:0:0:1::/64').canonical).toBe('fd00:0:0:1::/64');
  });

  it.each([
    '10.0.0.0',
    '10.0.0.256/24',
    '10.0.0.0/33',
    '10.0.0/8',
    '01.0.0.0/8',
    '2001:db8::1::/64',
    'fd00::/129',
    'x/8',
  ])('rejects %j', (text) => {
    expect(() => parseCidr(text)).toThrow(/invalid CIDR/);
  });

  it('tells canonical from non-canonical text', () => {
    expect(isCanonicalCidr('10.250.0.0/16')).toBe(true);
    expect(isCanonicalCidr('10.250.1.0/16')).toBe(false);
    expect(isCanonicalCidr('2001:DB8::/32')).toBe(false);
    expect(isCanonicalCidr('nonsense')).toBe(false);
  });

  it('answers containment and overlap, never across IP versions', () => {
    expect(cidrContains('10.0.0.0/16', '10.0.3.0/24')).toBe(true);
    expect(cidrContains('10.0.0.0/16', '10.1.0.0/24')).toBe(false);
    expect(cidrContains('10.0.0.0/24', '10.0.0.0/16')).toBe(false);
    expect(cidrOverlaps('10.0.0.0/24', '10.0.0.128/25')).toBe(true);
    expect(cidrOverlaps('10.0.0.0/25', '10.0.0.128/25')).toBe(false);
    expect(cidrOverlaps('2001:db8::/32', '2001:db8:1::/48')).toBe(true);
    expect(cidrOverlaps('10.0.0.0/8', '::/0')).toBe(false);
  });

  it('carves subnets out of a block', () => {
    expect(subnetCidr('10.0.0.0/16', 24, 3)).toBe('10.0.3.0/24');
    expect(subnetCidr('2001:db8::/48', 64, 2)).toBe('2001:db8:0:2::/64');
    expect(() => subnetCidr('10.0.0.0/16', 24, 256)).toThrow(/outside/);
    expect(() => subnetCidr('10.0.0.0/16', 8, 0)).toThrow(/does not fit/);
  });
});
