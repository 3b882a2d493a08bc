import { describe, expect, test } from 'vitest';
import { amcDataMatrixPayload, CARD_DOMAINS, parseAmcDataMatrix } from './tp-card.ts';

describe('AMC DataMatrix payload (domain.md §5.1)', () => {
  test('the worked example of domain.md §5.1, both ways', () => {
    const payload = { amcNumber: '123456789', routingCriterion: '01', memberNumber: 'A00042', conventions: [{ type: 'T1', letters: 'PGSLRO' }, { type: 'T2', letters: 'HE' }] };
    expect(amcDataMatrixPayload(payload)).toBe('AMC#1#123456789#01#A00042#T1PGSLRO#T2HE/');
    expect(parseAmcDataMatrix('AMC#1#123456789#01#A00042#T1PGSLRO#T2HE/')).toEqual(payload);
  });

  test('an empty critère secondaire de routage keeps its field; « * » means every domain', () => {
    const text = amcDataMatrixPayload({ amcNumber: '1', routingCriterion: '', memberNumber: 'X1', conventions: [{ type: 'SP', letters: '*' }] });
    expect(text).toBe('AMC#1#1##X1#SP*/');
    expect(parseAmcDataMatrix(text)?.routingCriterion).toBe('');
  });

  test('values outside the format are refused, and text that is not a version-1 payload does not parse', () => {
    expect(() => amcDataMatrixPayload({ amcNumber: '12345678901', routingCriterion: '', memberNumber: 'A', conventions: [{ type: 'SP', letters: 'P' }] })).toThrow();
    expect(() => amcDataMatrixPayload({ amcNumber: '1', routingCriterion: 'ABCD', memberNumber: 'A', conventions: [{ type: 'SP', letters: 'P' }] })).toThrow();
    expect(() => amcDataMatrixPayload({ amcNumber: '1', routingCriterion: '', memberNumber: 'A#1', conventions: [{ type: 'SP', letters: 'P' }] })).toThrow();
    expect(() => amcDataMatrixPayload({ amcNumber: '1', routingCriterion: '', memberNumber: 'A', conventions: [] })).toThrow();
    for (const text of ['', 'AMC#2#1##A#SPP/', 'AMC#1#1##A#SPP', 'AMC#1#abc##A#SPP/', 'AMC#1#1##A#S/', 'AMC#1#1##A/']) expect(parseAmcDataMatrix(text)).toBeNull();
  });

  test('every domain letter is unique and listed in domain.md §5.1', () => {
    const letters = CARD_DOMAINS.map((d) => d.letter);
    expect(new Set(letters).size).toBe(letters.length);
    for (const letter of letters) expect('PGSLRF1IKY23C4OADTHEU').toContain(letter);
    expect(CARD_DOMAINS.filter((d) => d.onPriorApproval).map((d) => d.code)).toEqual(['OPTI', 'AUDI', 'DENT', 'HOSP']);
  });
});
