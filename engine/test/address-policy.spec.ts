import { describe, expect, it } from 'vitest';
import { AddressPolicy } from '../src/http/address-policy.js';

describe('HTTP request address policy (SSRF)', () => {
  const none = new AddressPolicy([]);

  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.2.3.4', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.10.10', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'this network'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['fc12::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
  ])('refuses %s (%s), naming the setting that allows it', (address, what) => {
    const why = none.refusal(address);
    expect(why).toContain(what);
    expect(why).toContain('SWITCHBOARD_HTTP_ALLOW_HOSTS');
  });

  it.each(['8.8.8.8', '20.42.0.1', '2606:4700::1111'])('lets public %s through', (address) => {
    expect(none.refusal(address)).toBeUndefined();
  });

  it('allows what the allow list names: an address, a CIDR, a host name', () => {
    const p = new AddressPolicy(['127.0.0.1', '10.1.0.0/16', 'crm.internal']);
    expect(p.refusal('127.0.0.1')).toBeUndefined();
    expect(p.refusal('127.0.0.2')).toContain('loopback');
    expect(p.refusal('10.1.200.3')).toBeUndefined();
    expect(p.refusal('::ffff:10.1.200.3')).toBeUndefined();
    expect(p.refusal('10.2.0.1')).toContain('private');
    expect(p.allowsName('CRM.internal.')).toBe(true);
    expect(p.allowsName('other.internal')).toBe(false);
  });
});
