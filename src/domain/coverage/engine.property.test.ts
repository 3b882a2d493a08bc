import fc from 'fast-check';
import { describe, test } from 'vitest';
import { applyRateBp } from '../money.ts';
import { liquidate } from './engine.ts';
import { aids, allowedBaskets, families, feeFamilies, opticsFamilies, type Family } from './families.ts';
import { inForce, regulatoryParameters, type LensPair } from './parameters.ts';
import type { CareLine, CoverageComponent, GuaranteeRule, HistoryLine, LiquidationInput, Product } from './types.ts';

const RUNS = { numRuns: 10_000 };

const isoDate = (fromYear: number, toYear: number) =>
  fc
    .tuple(fc.integer({ min: fromYear, max: toYear }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
    .map(([year, month, day]) => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);

const careLine = (dates: fc.Arbitrary<string>): fc.Arbitrary<CareLine> =>
  fc.constantFrom(...families).chain((family) =>
    fc.record({
      careDate: dates,
      family: fc.constant(family),
      act: fc.constantFrom(null, 'HBLD634', 'G'),
      basket: fc.constantFrom(null, ...allowedBaskets(family)),
      chargedCents: fc.integer({ min: 0, max: 400_000 }),
      baseCents: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 300_000 })),
      amoRateBp: fc.oneof(fc.constantFrom(0, 1500, 3000, 6000, 6500, 7000, 8000, 10_000), fc.integer({ min: 0, max: 10_000 })),
      pathway: fc.constantFrom('IN' as const, 'OUT' as const, 'NA' as const),
      optam: fc.constantFrom(true, false, null),
      quantity: fc.integer({ min: 1, max: family === 'HEARING_AID' ? 2 : 5 }),
      priceCapCents: fc.option(fc.integer({ min: 0, max: 200_000 })),
      maternity: fc.boolean(),
      providerId: fc.constantFrom(null, 'A', 'B'),
      amoShare: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
      flatFeeCents: fc.option(fc.integer({ min: 0, max: 400 }), { freq: 4 }),
      deductibleCents: fc.option(fc.integer({ min: 0, max: 800 }), { freq: 4 }),
    }).map(({ amoShare, ...line }) => ({ ...line, amoCents: amoShare === null ? null : Math.floor(line.chargedCents * amoShare) })),
  );

const historyLine = (dates: fc.Arbitrary<string>): fc.Arbitrary<HistoryLine> =>
  fc.tuple(careLine(dates), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })).map(([line, amoShare, amcShare]) => {
    const amoCents = Math.floor(line.chargedCents * amoShare);
    return { ...line, amoCents, amcCents: Math.floor((line.chargedCents - amoCents) * amcShare), flatFeeCents: line.flatFeeCents ?? 0, deductibleCents: line.deductibleCents ?? 0 };
  });

const component: fc.Arbitrary<CoverageComponent> = fc.oneof(
  fc.integer({ min: 0, max: 60_000 }).map((rateBp) => ({ form: 'BASE_PERCENT_INCL_AMO' as const, rateBp })),
  fc.integer({ min: 0, max: 30_000 }).map((rateBp) => ({ form: 'BASE_PERCENT_EXTRA' as const, rateBp })),
  fc.constant({ form: 'COPAYMENT' as const }),
  fc
    .record({ amountCents: fc.integer({ min: 0, max: 300_000 }), per: fc.constantFrom('ACT' as const, 'DAY' as const, 'ITEM' as const, 'YEAR' as const, 'EQUIPMENT' as const), includesAmo: fc.boolean() })
    .map((flat) => ({ form: 'FLAT' as const, ...flat })),
  fc.constant({ form: 'ACTUAL_COST' as const }),
  fc.constant({ form: 'PRICE_CAP' as const }),
);

const rule: fc.Arbitrary<GuaranteeRule> = fc
  .record({
    id: fc.constantFrom('R1', 'R2', 'R3', 'R4'),
    families: fc.subarray([...families], { minLength: 1 }),
    optam: fc.option(fc.boolean(), { nil: undefined }),
    cover: fc.array(component, { maxLength: 3 }),
    annualCapCents: fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: undefined }),
    counter: fc.option(fc.constantFrom('C1', 'C2'), { nil: undefined }),
  })
  .map(({ families: ruleFamilies, optam, annualCapCents, counter, ...rest }) => ({
    ...rest,
    label: 'Règle générée',
    when: { families: ruleFamilies, ...(optam === undefined ? {} : { optam }) },
    ...(annualCapCents === undefined ? {} : { annualCapCents }),
    ...(counter === undefined ? {} : { counter }),
  }));

const generatedProduct = (responsible: fc.Arbitrary<boolean>): fc.Arbitrary<Product> =>
  fc.record({ responsible, rules: fc.array(rule, { minLength: 1, maxLength: 6 }) }).map(({ responsible: isResponsible, rules }) => ({
    code: 'GENERATED',
    label: 'Produit généré',
    responsible: isResponsible,
    versions: [{ version: '1', validFrom: '2015-01-01', validTo: null, rules: rules.map((generated, index) => ({ ...generated, id: `${generated.id}-${index}` })) }],
  }));

const beneficiary = fc.record({ birthDate: isoDate(1930, 2025), aid: fc.constantFrom(...aids) });

/** A request: reference products within their validity dates, or a generated product. */
function request(responsible: fc.Arbitrary<boolean>, maxLines: number): fc.Arbitrary<LiquidationInput> {
  // Two fixed dates besides the random ones, so that lines share days, years and equipments.
  const product = fc.oneof(
    fc.constantFrom('ESSENTIEL', 'CONFORT', 'CSS').map((code) => ({ product: code as string | Product, dates: fc.oneof(isoDate(2020, 2027), fc.constantFrom('2026-03-02', '2025-06-03')) })),
    fc.constantFrom('ACS_A', 'ACS_B', 'ACS_C').map((code) => ({ product: code as string | Product, dates: fc.oneof(isoDate(2016, 2019), fc.constantFrom('2019-06-03', '2018-03-02')) })),
    generatedProduct(responsible).map((generated) => ({ product: generated as string | Product, dates: fc.oneof(isoDate(2015, 2027), fc.constantFrom('2026-03-02', '2019-06-03')) })),
  );
  return product.chain(({ product: chosen, dates }) =>
    fc.record({
      product: fc.constant(chosen),
      beneficiary,
      history: fc.array(historyLine(dates), { maxLength: 4 }),
      lines: fc.array(careLine(dates), { minLength: 1, maxLength: maxLines }),
    }),
  );
}

const LENS: Partial<Record<Family, number>> = { OPTICS_LENS_SIMPLE: 0, OPTICS_LENS_COMPLEX: 1, OPTICS_LENS_VERY_COMPLEX: 2 };
const LENS_NAMES = ['SIMPLE', 'COMPLEX', 'VERY_COMPLEX'];

describe('coverage engine properties', () => {
  test('for any line: AMO net + AMC + remaining = charged, all ≥ 0, and PF and franchise stay with the member', () => {
    fc.assert(
      fc.property(request(fc.boolean(), 6), (input) =>
        liquidate(input).lines.every(
          (line) =>
            line.amoNetCents + line.amcCents + line.remainingCents === line.chargedCents &&
            Math.min(line.amoNetCents, line.amcCents, line.remainingCents, line.flatFeeCents, line.deductibleCents) >= 0 &&
            line.remainingCents >= line.flatFeeCents + line.deductibleCents &&
            line.amoCents <= line.chargedCents,
        ),
      ),
      RUNS,
    );
  });

  test('contrats responsables never exceed the regulatory ceilings (non-OPTAM, optics, hearing aids)', () => {
    fc.assert(
      fc.property(request(fc.constant(true), 6), (input) => {
        let withinCeilings = true;
        const within = (amc: number, allowed: number) => {
          if (amc > allowed) withinCeilings = false;
        };
        const result = liquidate(input);
        const history = input.history ?? [];
        for (const line of result.lines) {
          const nonOptam = inForce(regulatoryParameters.nonOptamCeilingBp, line.careDate);
          if (line.optam === false && feeFamilies.includes(line.family) && nonOptam !== null) {
            within(line.amcCents, Math.max(0, applyRateBp(line.baseCents, nonOptam) - line.amoCents));
          }
          const hearing = inForce(regulatoryParameters.hearingAidCeilingCents, line.careDate);
          if (line.family === 'HEARING_AID' && line.basket === 'FREE' && hearing !== null) {
            within(line.amcCents, Math.max(0, hearing * line.quantity - line.amoCents));
          }
          const optics = inForce(regulatoryParameters.opticsCeilings, line.careDate);
          if (line.family === 'OPTICS_FRAME' && line.basket === 'FREE' && optics !== null) {
            within(line.amcCents, Math.max(0, optics.frameCents * line.quantity - line.amoCents));
          }
        }
        // Per equipment (optical lines of one date): AMC of classe B items within the ceiling left by the AMO and earlier AMC.
        for (const date of new Set(result.lines.filter((line) => opticsFamilies.includes(line.family)).map((line) => line.careDate))) {
          const optics = inForce(regulatoryParameters.opticsCeilings, date);
          if (!optics) continue;
          const sameDate = [...history.map((line) => ({ ...line, basket: line.basket ?? 'FREE', quantity: line.quantity ?? 1 })), ...result.lines].filter(
            (line) => line.careDate === date && opticsFamilies.includes(line.family),
          );
          const lenses = sameDate.flatMap((line) => Array.from({ length: LENS[line.family] === undefined ? 0 : line.quantity }, () => LENS[line.family] ?? 0)).sort((a, b) => b - a);
          const most = lenses[0] ?? 0;
          const pair = `${LENS_NAMES[lenses[1] ?? most]}+${LENS_NAMES[most]}` as LensPair;
          const free = sameDate.filter((line) => line.basket === 'FREE');
          const amo = free.reduce((sum, line) => sum + line.amoCents, 0);
          const historyAmc = history.filter((line) => line.careDate === date && (line.basket ?? 'FREE') === 'FREE' && opticsFamilies.includes(line.family)).reduce((sum, line) => sum + line.amcCents, 0);
          const requestAmc = result.lines.filter((line) => line.careDate === date && line.basket === 'FREE' && opticsFamilies.includes(line.family)).reduce((sum, line) => sum + line.amcCents, 0);
          within(requestAmc, Math.max(0, optics.byLenses[pair] - amo - historyAmc));
        }
        return withinCeilings;
      }),
      RUNS,
    );
  });

  test('raising a percentage or a flat amount of the applied rule never lowers the AMC of the line', () => {
    const single = fc.record({
      product: generatedProduct(fc.boolean()),
      beneficiary,
      history: fc.array(historyLine(fc.constantFrom('2026-03-02', '2026-05-05', '2025-04-04')), { maxLength: 4 }),
      line: careLine(fc.constantFrom('2026-03-02', '2026-05-05', '2027-01-01')),
      componentIndex: fc.nat(),
      raise: fc.integer({ min: 1, max: 100_000 }),
    });
    fc.assert(
      fc.property(single, ({ product, beneficiary: person, history, line, componentIndex, raise }) => {
        const before = liquidate({ product, beneficiary: person, history, lines: [line] }).lines[0];
        const applied = product.versions[0]?.rules.find((candidate) => candidate.id === before?.rule);
        if (!before || !applied || applied.cover.length === 0) return true;
        const raisedProduct = structuredClone(product);
        const raisedRule = raisedProduct.versions[0]?.rules.find((candidate) => candidate.id === applied.id);
        const target = raisedRule?.cover[componentIndex % applied.cover.length];
        if (!target) return true;
        if (target.form === 'BASE_PERCENT_INCL_AMO' || target.form === 'BASE_PERCENT_EXTRA') target.rateBp += raise;
        else if (target.form === 'FLAT') target.amountCents += raise;
        else return true;
        const after = liquidate({ product: raisedProduct, beneficiary: person, history, lines: [line] }).lines[0];
        return (after?.amcCents ?? -1) >= before.amcCents;
      }),
      RUNS,
    );
  });
});
