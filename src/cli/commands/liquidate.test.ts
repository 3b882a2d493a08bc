import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { liquidateCommand } from './liquidate.ts';

// The request of issue 3 (CONFORT, GP consultation with the décompte's amounts).
const issueExample = {
  product: 'CONFORT',
  beneficiary: { birthDate: '1985-01-10', aid: 'NONE' },
  history: [],
  lines: [
    {
      careDate: '2026-01-12',
      family: 'CONSULTATION',
      act: 'G',
      basket: null,
      chargedCents: 3000,
      baseCents: 3000,
      amoRateBp: 7000,
      amoCents: 2100,
      flatFeeCents: 200,
      deductibleCents: 0,
      pathway: 'IN',
      optam: true,
      quantity: 1,
    },
  ],
};

async function run(argv: string[], stdinText = ''): Promise<{ code: number; output: unknown }> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const code = await liquidateCommand(argv, { stdin: Readable.from([stdinText]), stdout });
  return { code, output: JSON.parse(text) };
}

describe('espace liquidate', () => {
  test('reads the request from standard input and prints the liquidation', async () => {
    const { code, output } = await run([], JSON.stringify(issueExample));
    expect(code).toBe(0);
    expect(output).toMatchObject({
      product: 'CONFORT',
      lines: [{ amoCents: 2100, flatFeeCents: 200, deductibleCents: 0, amoNetCents: 1900, amcCents: 900, remainingCents: 200, rule: 'CONSULTATION_OPTAM' }],
      totals: { chargedCents: 3000, amoNetCents: 1900, amcCents: 900, remainingCents: 200 },
    });
    expect((output as { lines: { explanation: string }[] }).lines[0]?.explanation).toMatch(/^La Sécurité sociale rembourse 70/);
  });

  test('reads the request from a file and computes the amounts left out', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'liquidate-'));
    const file = join(directory, 'request.json');
    const line = { careDate: '2026-01-12', family: 'PHARMACY', chargedCents: 400, baseCents: 400, amoRateBp: 1500 };
    writeFileSync(file, JSON.stringify({ product: 'ESSENTIEL', beneficiary: { birthDate: '1985-01-10', aid: 'NONE' }, lines: [line] }));
    const { code, output } = await run([file]);
    expect(code).toBe(0);
    expect(output).toMatchObject({ lines: [{ amoCents: 60, deductibleCents: 60, deductibleDeferredCents: 40, amcCents: 0, remainingCents: 400 }] });
  });

  test('T18 through the command: AMO net 19,00, AMC 9,00, RAC 2,00', async () => {
    const line = { careDate: '2026-01-12', family: 'CONSULTATION', chargedCents: 3000, baseCents: 3000, amoRateBp: 7000, pathway: 'IN', optam: true };
    const { output } = await run([], JSON.stringify({ product: 'ESSENTIEL', beneficiary: { birthDate: '1985-01-10', aid: 'NONE' }, lines: [line] }));
    expect(output).toMatchObject({ lines: [{ amoNetCents: 1900, amcCents: 900, remainingCents: 200 }] });
  });

  test('invalid input exits with 2 and a JSON error naming the field', async () => {
    const wrong = structuredClone(issueExample) as { lines: Record<string, unknown>[] };
    (wrong.lines[0] as Record<string, unknown>).chargedCents = -5;
    expect(await run([], JSON.stringify(wrong))).toMatchObject({ code: 2, output: { error: { code: 'INVALID_INPUT', field: 'lines[0].chargedCents' } } });

    const unknownFamily = structuredClone(issueExample) as { lines: Record<string, unknown>[] };
    (unknownFamily.lines[0] as Record<string, unknown>).family = 'MASSAGE';
    expect(await run([], JSON.stringify(unknownFamily))).toMatchObject({ code: 2, output: { error: { field: 'lines[0].family' } } });

    const typo = { ...issueExample, histroy: [] };
    expect(await run([], JSON.stringify(typo))).toMatchObject({ code: 2, output: { error: { field: 'histroy' } } });

    const basket = structuredClone(issueExample) as { lines: Record<string, unknown>[] };
    (basket.lines[0] as Record<string, unknown>).basket = '100S';
    expect(await run([], JSON.stringify(basket))).toMatchObject({ code: 2, output: { error: { field: 'lines[0].basket' } } });

    expect(await run([], JSON.stringify({ ...issueExample, beneficiary: { birthDate: '1985-02-30', aid: 'NONE' } }))).toMatchObject({ code: 2, output: { error: { field: 'beneficiary.birthDate' } } });
    expect(await run([], JSON.stringify({ ...issueExample, product: 'PLATINE' }))).toMatchObject({ code: 2, output: { error: { code: 'UNKNOWN_PRODUCT', field: 'product' } } });
    expect(await run([], '{ not json')).toMatchObject({ code: 2, output: { error: { code: 'INVALID_JSON' } } });
    expect(await run(['/nonexistent/request.json'])).toMatchObject({ code: 2, output: { error: { code: 'UNREADABLE_INPUT', field: 'FILE' } } });
  });

  test('a care date without guarantee in force is an input error on that line', async () => {
    const early = structuredClone(issueExample);
    early.lines[0]!.careDate = '2018-05-05';
    expect(await run([], JSON.stringify(early))).toMatchObject({ code: 2, output: { error: { code: 'NO_GUARANTEE_IN_FORCE', field: 'lines[0].careDate' } } });
  });

  test('a full product given as data is accepted', async () => {
    const product = {
      code: 'MAISON',
      label: 'Maison',
      responsible: true,
      versions: [{ version: '1', validFrom: '2026-01-01', validTo: null, rules: [{ id: 'C', label: 'Consultations', when: { families: ['CONSULTATION'] }, cover: [{ form: 'BASE_PERCENT_INCL_AMO', rateBp: 15_000 }] }] }],
    };
    const { code, output } = await run([], JSON.stringify({ ...issueExample, product, lines: [{ ...issueExample.lines[0], chargedCents: 5000 }] }));
    expect(code).toBe(0);
    expect(output).toMatchObject({ product: 'MAISON', lines: [{ amcCents: 4500 - 2100, rule: 'C' }] });
    const wrongRule = structuredClone(product);
    wrongRule.versions[0]!.rules[0]!.cover = [{ form: 'BASE_PERCENT_INCL_AMO', rateBp: -1 }];
    expect(await run([], JSON.stringify({ ...issueExample, product: wrongRule }))).toMatchObject({ code: 2, output: { error: { field: 'product.versions[0].rules[0].cover[0].rateBp' } } });
  });
});
