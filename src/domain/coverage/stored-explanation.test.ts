import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { liquidate } from './engine.ts';
import { families } from './families.ts';
import { referenceProducts } from './products.ts';
import { explainStored, readStoredSteps, storedSteps } from './stored-explanation.ts';
import type { CareLine, ExplanationStep } from './types.ts';

const careDate = fc.tuple(fc.integer({ min: 2024, max: 2026 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
  .map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);

const line: fc.Arbitrary<CareLine> = fc.record({
  careDate,
  family: fc.constantFrom(...families),
  chargedCents: fc.integer({ min: 0, max: 300_000 }),
  baseCents: fc.integer({ min: 0, max: 200_000 }),
  amoRateBp: fc.constantFrom(0, 3000, 6000, 7000, 10_000),
  pathway: fc.constantFrom('IN' as const, 'OUT' as const, 'NA' as const),
  optam: fc.constantFrom(true, false, null),
  quantity: fc.integer({ min: 1, max: 2 }),
  maternity: fc.boolean(),
});

// One beneficiary's year of care on a reference product: enough lines to reach caps, renewals and ceilings.
const request = fc.record({
  product: fc.constantFrom(...referenceProducts.map((p) => p.code)),
  birthDate: fc.constantFrom('1950-03-02', '1985-01-10', '2015-06-30'),
  lines: fc.array(line, { minLength: 1, maxLength: 12 }),
});

const KEPT_OUT: ExplanationStep['code'][] = ['AMO', 'GUARANTEE', 'EXEMPTION'];

describe('explanation stored as steps', () => {
  test('renders the same French sentence as the engine, from the line’s amounts and the stored steps', () => {
    let stored = 0;
    let sentences = 0;
    fc.assert(
      fc.property(request, ({ product, birthDate, lines }) => {
        let results;
        try {
          results = liquidate({ product, beneficiary: { birthDate, aid: 'NONE' }, lines: [...lines].sort((a, b) => a.careDate.localeCompare(b.careDate)) }).lines;
        } catch {
          return; // input the engine refuses (e.g. base above the amount charged) is never stored
        }
        for (const r of results) {
          const json = storedSteps(r.steps);
          expect(readStoredSteps(json)).toEqual(r.steps.filter((s) => !KEPT_OUT.includes(s.code)));
          expect(explainStored(r, json)).toBe(r.explanation);
          stored += json.length;
          sentences += r.explanation.length;
        }
      }),
      { numRuns: 1_000 },
    );
    expect(stored / sentences).toBeLessThan(0.35);
  });
});
