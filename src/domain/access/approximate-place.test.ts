import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { approximatePlace } from './approximate-place.ts';

describe('approximate place from the IP class', () => {
  test('public IPv4: the /16 network only', () => {
    expect(approximatePlace('81.250.12.34')).toBe('Réseau 81.250.x.x');
    expect(approximatePlace('::ffff:81.250.12.34')).toBe('Réseau 81.250.x.x');
  });

  test('the classes: loopback, private, shared operator space (mobile), link-local, test ranges, unknown', () => {
    expect(approximatePlace('127.0.0.1')).toBe('Cet ordinateur (adresse locale)');
    expect(approximatePlace('::1')).toBe('Cet ordinateur (adresse locale)');
    expect(approximatePlace('10.20.30.40')).toBe('Réseau privé (10.20.x.x)');
    expect(approximatePlace('172.16.5.4')).toBe('Réseau privé (172.16.x.x)');
    expect(approximatePlace('172.32.5.4')).toBe('Réseau 172.32.x.x');
    expect(approximatePlace('192.168.1.77')).toBe('Réseau privé (192.168.x.x)');
    expect(approximatePlace('100.72.1.2')).toBe('Réseau d’opérateur partagé (souvent mobile)');
    expect(approximatePlace('169.254.3.3')).toBe('Réseau local sans configuration');
    expect(approximatePlace('203.0.113.9')).toBe('Réseau de test');
    expect(approximatePlace('2001:db8:12:34::1')).toBe('Réseau de test');
    expect(approximatePlace('fd12:3456::1')).toBe('Réseau privé (IPv6)');
    expect(approximatePlace('fe80::1')).toBe('Réseau local sans configuration');
    expect(approximatePlace(null)).toBe('Lieu inconnu');
    expect(approximatePlace('not an ip')).toBe('Lieu inconnu');
    expect(approximatePlace('300.1.1.1')).toBe('Lieu inconnu');
  });

  test('public IPv6: the first 32 bits', () => {
    expect(approximatePlace('2a01:cb00:1234:5678::9')).toBe('Réseau 2a01:cb00::/32');
    expect(approximatePlace('2a01:0cb0::')).toBe('Réseau 2a01:cb0::/32');
  });

  test('never shows the last two bytes of an IPv4 address', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        const shown = approximatePlace(ip);
        const [, , c, d] = ip.split('.');
        return !shown.includes(`.${c}.${d}`) && !shown.includes(ip);
      }),
      { numRuns: 2000 },
    );
  });
});
