import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { COUNTRIES, countryName, emailIndexForm, maskEmail, parseEmail, parsePostalAddress, type PostalAddressInput } from './contact.ts';

describe('email addresses', () => {
  test('trimmed, domain in lower case, the mailbox part as typed', () => {
    expect(parseEmail('  Claire.Durand@Exemple.FR ')).toEqual({ ok: true, value: 'Claire.Durand@exemple.fr' });
    expect(emailIndexForm(' Claire.Durand@Exemple.FR')).toBe('claire.durand@exemple.fr');
  });
  test.each(['', 'claire', 'claire@', '@exemple.fr', 'claire@exemple', 'cla ire@exemple.fr', 'claire@exem_ple.fr', 'a@b@exemple.fr', 'claire@exemple.fr\r\nBcc: x@evil.test'])(
    'VAL-06 « %s » is refused',
    (typed) => expect(parseEmail(typed).ok).toBe(false),
  );
  test('masked for notices: first and last letter of the mailbox, whole domain', () => {
    expect(maskEmail('claire.durand@exemple.fr')).toBe('c•••d@exemple.fr');
    expect(maskEmail('cd@exemple.fr')).toBe('c•••@exemple.fr');
  });
  test('no accepted address holds a line break or a space', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (typed) => {
        const parsed = parseEmail(typed);
        if (parsed.ok) expect(parsed.value).not.toMatch(/[\s\p{Cc}]/u);
      }),
      { numRuns: 5_000 },
    );
  });
});

const address = (over: Partial<PostalAddressInput> = {}): PostalAddressInput => ({
  recipient: 'Mme Claire DURAND', streetNumber: '12 bis', street: 'rue des Lilas', complement: 'Bâtiment B', postalCode: '69 003', city: 'Lyon', country: 'FR', ...over,
});

describe('postal addresses (NF Z10-011)', () => {
  test('a French address: code postal of 5 digits, lines tidied', () => {
    expect(parsePostalAddress(address({ street: '  rue   des Lilas ' }))).toEqual({
      ok: true,
      value: { recipient: 'Mme Claire DURAND', streetNumber: '12 bis', street: 'rue des Lilas', complement: 'Bâtiment B', postalCode: '69003', city: 'Lyon', country: 'FR' },
    });
  });
  test('the faults are named field by field', () => {
    const parsed = parsePostalAddress(address({ postalCode: '6900', street: '', city: '', streetNumber: 'bis' }));
    expect(!parsed.ok && Object.keys(parsed.error).sort()).toEqual(['city', 'postalCode', 'street', 'streetNumber']);
    expect(!parsed.ok && parsed.error.postalCode).toBe('Le code postal comporte 5 chiffres, par exemple 69003.');
    expect(parsePostalAddress(address({ postalCode: '00100' })).ok).toBe(false);
  });
  test('a line of the block is at most 38 characters', () => {
    expect(parsePostalAddress(address({ street: 'avenue du Maréchal de Lattre de Tassigny prolongée' })).ok).toBe(false);
    expect(parsePostalAddress(address({ complement: 'x'.repeat(39) })).ok).toBe(false);
    expect(parsePostalAddress(address({ complement: 'x'.repeat(38) })).ok).toBe(true);
  });
  test('VAL-06 a line break cannot forge a line of the block', () => {
    const parsed = parsePostalAddress(address({ complement: 'Bâtiment B\nSECOND DESTINATAIRE' }));
    expect(!parsed.ok && parsed.error.complement).toBe('Une seule ligne, sans retour à la ligne.');
  });
  test('abroad: any country of the list, its own postal code (or none)', () => {
    expect(parsePostalAddress(address({ country: 'DE', postalCode: '10115', city: 'Berlin', street: 'Unter den Linden', streetNumber: '7' })).ok).toBe(true);
    expect(parsePostalAddress(address({ country: 'GB', postalCode: 'SW1A 1AA', city: 'London', street: 'Downing Street', streetNumber: '10' }))).toMatchObject({ ok: true, value: { postalCode: 'SW1A 1AA' } });
    expect(parsePostalAddress(address({ country: 'IE', postalCode: '', city: 'Dublin' })).ok).toBe(true);
    expect(parsePostalAddress(address({ country: 'XX' })).ok).toBe(false);
    expect(parsePostalAddress(address({ country: 'EU' })).ok).toBe(false);
  });
  test('the country list is in French, sorted, with France and its neighbours', () => {
    expect(countryName('FR')).toBe('France');
    expect(countryName('DE')).toBe('Allemagne');
    expect(COUNTRIES.length).toBeGreaterThan(200);
    const names = COUNTRIES.map((c) => c.name);
    expect([...names].sort((a, b) => a.localeCompare(b, 'fr'))).toEqual(names);
  });
});
