import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parsePain001 } from '../../../test/pain001.ts';
import { buildPain001, formatSepaAmount, Pain001Error, remittanceText, sepaText, type CreditTransfer, type CreditTransferFile } from './pain001.ts';

// domain.md §12 test vectors T10 and T13, and the T14 construction.
const DEBTOR = { name: 'Mutuelle des Tilleuls', iban: 'FR7630006000011234567890189', bic: 'AGRIFRPPXXX' };
const IBAN_A = 'FR1420041010050500013M02606';
const IBAN_B = 'FR8412345123451234567891A16';

const transfer = (overrides: Partial<CreditTransfer> = {}): CreditTransfer => ({
  endToEndId: 'RMB-20261126-A0000001',
  amountCents: 1230,
  creditor: { name: 'Marie Martin', iban: IBAN_A, bic: 'PSSTFRPPXXX' },
  remittance: remittanceText('A0000001', '2026-11-26'),
  ...overrides,
});

const file = (transfers: CreditTransfer[], overrides: Partial<CreditTransferFile> = {}): CreditTransferFile => ({
  messageId: 'PAY20261126-9F3A1C2B7D4E',
  createdAt: new Date('2026-11-26T05:00:01.234Z'),
  executionDate: '2026-11-26',
  debtor: DEBTOR,
  transfers,
  ...overrides,
});

describe('pain.001.001.03 credit-transfer file', () => {
  test('group header and payment block count the transfers and sum them exactly from cents', () => {
    // 0.10 + 0.20 is not 0.30 in floating point; cents are.
    const { xml, transactions, controlSumCents } = buildPain001(
      file([
        transfer({ endToEndId: 'E1', amountCents: 10 }),
        transfer({ endToEndId: 'E2', amountCents: 20 }),
        transfer({ endToEndId: 'E3', amountCents: 123_456_78 }),
      ]),
    );
    expect(transactions).toBe(3);
    expect(controlSumCents).toBe(123_457_08);
    const doc = parsePain001(xml).Document;
    expect(doc['@_xmlns']).toBe('urn:iso:std:iso:20022:tech:xsd:pain.001.001.03');
    const { GrpHdr, PmtInf } = doc.CstmrCdtTrfInitn;
    expect(GrpHdr).toMatchObject({ MsgId: 'PAY20261126-9F3A1C2B7D4E', CreDtTm: '2026-11-26T05:00:01Z', NbOfTxs: '3', CtrlSum: '123457.08', InitgPty: { Nm: 'Mutuelle des Tilleuls' } });
    expect(PmtInf).toMatchObject({
      PmtInfId: 'PAY20261126-9F3A1C2B7D4E',
      PmtMtd: 'TRF',
      BtchBookg: 'true',
      NbOfTxs: '3',
      CtrlSum: '123457.08',
      PmtTpInf: { SvcLvl: { Cd: 'SEPA' } },
      ReqdExctnDt: '2026-11-26',
      Dbtr: { Nm: 'Mutuelle des Tilleuls' },
      DbtrAcct: { Id: { IBAN: DEBTOR.iban } },
      DbtrAgt: { FinInstnId: { BIC: DEBTOR.bic } },
      ChrgBr: 'SLEV',
    });
    expect(PmtInf.CdtTrfTxInf.map((t) => t.Amt.InstdAmt)).toEqual([
      { '#text': '0.10', '@_Ccy': 'EUR' },
      { '#text': '0.20', '@_Ccy': 'EUR' },
      { '#text': '123456.78', '@_Ccy': 'EUR' },
    ]);
  });

  test('each transfer carries its end-to-end id, amount, creditor bank, name, IBAN and remittance, in schema order', () => {
    const { xml } = buildPain001(file([transfer()]));
    const [tx] = parsePain001(xml).Document.CstmrCdtTrfInitn.PmtInf.CdtTrfTxInf;
    expect(tx).toEqual({
      PmtId: { EndToEndId: 'RMB-20261126-A0000001' },
      Amt: { InstdAmt: { '#text': '12.30', '@_Ccy': 'EUR' } },
      CdtrAgt: { FinInstnId: { BIC: 'PSSTFRPPXXX' } },
      Cdtr: { Nm: 'Marie Martin' },
      CdtrAcct: { Id: { IBAN: IBAN_A } },
      RmtInf: { Ustrd: 'Remboursement mutuelle A0000001 du 26/11/2026' },
    });
    const order = ['<PmtId>', '<Amt>', '<CdtrAgt>', '<Cdtr>', '<CdtrAcct>', '<RmtInf>'].map((tag) => xml.indexOf(tag));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    const header = ['<PmtInfId>', '<PmtMtd>', '<BtchBookg>', '<NbOfTxs>', '<CtrlSum>', '<PmtTpInf>', '<ReqdExctnDt>', '<Dbtr>', '<DbtrAcct>', '<DbtrAgt>', '<ChrgBr>', '<CdtTrfTxInf>'].map((tag) =>
      xml.indexOf(tag, xml.indexOf('<PmtInf>')),
    );
    expect(header).toEqual([...header].sort((a, b) => a - b));
  });

  test('the creditor bank is left out when its BIC is unknown (optional for SEPA accounts)', () => {
    const { xml } = buildPain001(file([transfer({ creditor: { name: 'Jean Dubois', iban: IBAN_B, bic: null } })]));
    const [tx] = parsePain001(xml).Document.CstmrCdtTrfInitn.PmtInf.CdtTrfTxInf;
    expect(tx!.CdtrAgt).toBeUndefined();
    expect(tx!.CdtrAcct.Id.IBAN).toBe(IBAN_B);
  });

  test('amounts are written with a dot and two decimals', () => {
    expect(formatSepaAmount(1230)).toBe('12.30');
    expect(formatSepaAmount(5)).toBe('0.05');
    expect(formatSepaAmount(100)).toBe('1.00');
    expect(formatSepaAmount(99_999_999_999)).toBe('999999999.99');
    expect(() => formatSepaAmount(12.5)).toThrow(Pain001Error);
  });

  test('names are transliterated to the SEPA character set and cut at 70 characters', () => {
    expect(sepaText('Zoé Lefèvre-Œuvray', 70)).toBe('Zoe Lefevre-OEuvray');
    expect(sepaText('François Núñez Çelik', 70)).toBe('Francois Nunez Celik');
    expect(sepaText('Łukasz Wałęsa', 70)).toBe('Lukasz Walesa');
    expect(sepaText('N’Diaye — Straße', 70)).toBe("N'Diaye - Strasse");
    expect(sepaText('Jean\u00A0\u00A0DUPONT\t', 70)).toBe('Jean DUPONT');
    expect(sepaText('é'.repeat(80), 70)).toBe('e'.repeat(70));
    expect(sepaText('王秀英', 70)).toBe('');
    const { xml } = buildPain001(file([transfer({ creditor: { name: `Hélène Bérénice ${'Dupré-'.repeat(20)}`, iban: IBAN_A, bic: null } })]));
    const name = parsePain001(xml).Document.CstmrCdtTrfInitn.PmtInf.CdtTrfTxInf[0]!.Cdtr.Nm;
    expect(name).toMatch(/^Helene Berenice Dupre-Dupre-/);
    expect(name.length).toBeLessThanOrEqual(70);
    expect(name).toMatch(/^[A-Za-z0-9/\-?:().,'+ ]+$/);
  });

  test('markup characters in names and remittance cannot break the XML: & becomes +, < and > are dropped', () => {
    const { xml } = buildPain001(
      file([transfer({ creditor: { name: 'Dupont & Fils <SARL> "Les Œillets"', iban: IBAN_A, bic: null }, remittance: 'Remboursement <b>&amp;</b>' })], {
        debtor: { ...DEBTOR, name: 'Mutuelle <Tilleuls> & Cie' },
      }),
    );
    expect(xml).not.toContain('<SARL>');
    expect(xml).not.toContain('<b>');
    const doc = parsePain001(xml).Document.CstmrCdtTrfInitn;
    const [tx] = doc.PmtInf.CdtTrfTxInf;
    expect(tx!.Cdtr.Nm).toBe('Dupont + Fils SARL Les OEillets');
    expect(tx!.RmtInf!.Ustrd).toBe('Remboursement b +amp /b');
    expect(doc.GrpHdr.InitgPty.Nm).toBe('Mutuelle Tilleuls + Cie');
    expect(doc.PmtInf.Dbtr.Nm).toBe('Mutuelle Tilleuls + Cie');
  });

  test('the remittance names the member number and the payment date', () => {
    expect(remittanceText('A0000001', '2026-11-26')).toBe('Remboursement mutuelle A0000001 du 26/11/2026');
  });

  test.each([
    ['no transfer', file([])],
    ['a zero amount', file([transfer({ amountCents: 0 })])],
    ['a fractional amount', file([transfer({ amountCents: 12.5 })])],
    ['an amount over the SEPA maximum', file([transfer({ amountCents: 100_000_000_000 })])],
    ['an invalid creditor IBAN', file([transfer({ creditor: { name: 'X', iban: 'FR7630006000011234567890188', bic: null } })])],
    ['an invalid creditor BIC', file([transfer({ creditor: { name: 'X', iban: IBAN_A, bic: 'PSST' } })])],
    ['a name with no SEPA character', file([transfer({ creditor: { name: '王秀英', iban: IBAN_A, bic: null } })])],
    ['an end-to-end id used twice', file([transfer(), transfer()])],
    ['an end-to-end id with a slash', file([transfer({ endToEndId: 'RMB/1' })])],
    ['a message id over 35 characters', file([transfer()], { messageId: 'M'.repeat(36) })],
    ['an invalid execution date', file([transfer()], { executionDate: '2026-02-30' })],
    ['an invalid debtor IBAN', file([transfer()], { debtor: { ...DEBTOR, iban: 'FR7630006000011234567890198' } })],
  ])('refuses %s', (_label, input) => {
    expect(() => buildPain001(input)).toThrow(Pain001Error);
  });

  test('an invalid IBAN is reported by its defect, never quoted', () => {
    const bad = 'FR7630006000011234567890188';
    expect(() => buildPain001(file([transfer({ creditor: { name: 'X', iban: bad, bic: null } })]))).toThrow(/IBAN_CHECKSUM/);
    try {
      buildPain001(file([transfer({ creditor: { name: 'X', iban: bad, bic: null } })]));
    } catch (error) {
      expect((error as Error).message).not.toContain(bad);
    }
  });

  test('for any amounts, CtrlSum is the exact sum and NbOfTxs the count', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 99_999_999_999 }), { minLength: 1, maxLength: 30 }), (amounts) => {
        const { xml } = buildPain001(file(amounts.map((amountCents, i) => transfer({ endToEndId: `E${i}`, amountCents }))));
        const { GrpHdr, PmtInf } = parsePain001(xml).Document.CstmrCdtTrfInitn;
        const sum = amounts.reduce((a, b) => a + b, 0);
        expect(GrpHdr.CtrlSum).toBe(formatSepaAmount(sum));
        expect(PmtInf.CtrlSum).toBe(GrpHdr.CtrlSum);
        expect(GrpHdr.NbOfTxs).toBe(String(amounts.length));
        expect(PmtInf.CdtTrfTxInf.map((t) => Math.round(Number(t.Amt.InstdAmt['#text']) * 100))).toEqual(amounts);
        expect(PmtInf.CdtTrfTxInf.reduce((s, t) => s + BigInt(t.Amt.InstdAmt['#text'].replace('.', '')), 0n)).toBe(BigInt(sum));
      }),
      { numRuns: 50 },
    );
  });
});
