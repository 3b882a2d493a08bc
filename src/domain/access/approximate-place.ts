/**
 * Where a connection came from, told to the member without the address itself (issue 8): only the class of the IP
 * (this computer, a private network, an operator's shared network — usually mobile —, a test range) and, for a
 * public address, its network: the first two bytes of an IPv4 (/16) or the first 32 bits of an IPv6. There is no
 * geolocation database here (none may be downloaded or shipped), so no town or country is claimed.
 */

type V4 = [number, number, number, number];

function parseV4(ip: string): V4 | null {
  const m = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/i.exec(ip);
  if (!m) return null;
  const bytes = m.slice(1).map(Number) as V4;
  return bytes.every((b) => b <= 255) ? bytes : null;
}

/** The first `count` 16-bit groups of an IPv6 address, or null when it is not one. */
function v6Groups(ip: string, count: number): number[] | null {
  if (!ip.includes(':') || !/^[0-9a-f:]+$/i.test(ip)) return null;
  const [head = '', tail] = ip.split('::');
  if (ip.split('::').length > 2) return null;
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return null;
  const groups = [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => (g.length <= 4 ? parseInt(g || '0', 16) : NaN));
  return groups.some((g) => Number.isNaN(g)) ? null : groups.slice(0, count);
}

const hex = (n: number) => n.toString(16);

/** « Réseau 81.250.x.x », « Réseau privé (10.20.x.x) », « Réseau d’opérateur partagé (souvent mobile) »… never the full address. */
export function approximatePlace(ip: string | null | undefined): string {
  if (!ip) return 'Lieu inconnu';
  const v4 = parseV4(ip);
  if (v4) {
    const [a, b] = v4;
    const net = `${a}.${b}.x.x`;
    if (a === 127) return 'Cet ordinateur (adresse locale)';
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return `Réseau privé (${net})`;
    if (a === 169 && b === 254) return 'Réseau local sans configuration';
    // RFC 6598 shared address space: carrier-grade NAT, mostly mobile operators.
    if (a === 100 && b >= 64 && b <= 127) return 'Réseau d’opérateur partagé (souvent mobile)';
    if ((a === 192 && b === 0 && v4[2] === 2) || (a === 198 && b === 51 && v4[2] === 100) || (a === 203 && b === 0 && v4[2] === 113)) return 'Réseau de test';
    return `Réseau ${net}`;
  }
  const g = v6Groups(ip, 8);
  if (g) {
    if (g.every((x, i) => (i < 7 ? x === 0 : x === 1))) return 'Cet ordinateur (adresse locale)';
    const first = g[0]!;
    if ((first & 0xfe00) === 0xfc00) return 'Réseau privé (IPv6)';
    if ((first & 0xffc0) === 0xfe80) return 'Réseau local sans configuration';
    if (first === 0x2001 && g[1] === 0xdb8) return 'Réseau de test';
    return `Réseau ${hex(first)}:${hex(g[1]!)}::/32`;
  }
  return 'Lieu inconnu';
}
