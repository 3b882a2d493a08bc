/**
 * The explanation as stored with a claim line (`claim_line.explanation_steps`): the steps the French sentence reads,
 * each as a short JSON array, about a sixth of the sentence's width. The amounts the sentence also reads are columns of
 * the line. `explainStored` renders the same sentence as `LineResult.explanation`.
 */
import { explain, type ExplainedLine } from './explanation.ts';
import type { CoverageComponent, ExplanationStep } from './types.ts';

type Code = ExplanationStep['code'];
type Kept = Exclude<Code, 'AMO' | 'GUARANTEE' | 'EXEMPTION'>;

// AMO, GUARANTEE and EXEMPTION are left out: the sentence reads their amounts from the line's columns, or nothing.
const STEP_FIELDS: Record<Kept, { tag: string; fields: readonly string[] }> = {
  HEAVY_ACT_FEE: { tag: 'H', fields: ['amountCents'] },
  FLAT_FEE: { tag: 'F', fields: ['amountCents', 'deferredCents', 'computed', 'cappedBy'] },
  DEDUCTIBLE: { tag: 'D', fields: ['amountCents', 'deferredCents', 'computed', 'cappedBy'] },
  NOT_COVERED: { tag: 'N', fields: [] },
  COMPONENT: { tag: 'C', fields: ['component', 'amountCents'] },
  PRICE_CAP: { tag: 'P', fields: ['limitCents', 'source'] },
  OUT_OF_PATHWAY: { tag: 'O', fields: ['referenceAmoCents'] },
  RENEWAL_NOT_DUE: { tag: 'R', fields: ['previousDate', 'nextDate'] },
  ANNUAL_CAP: { tag: 'A', fields: ['counter', 'limitCents', 'usedCents', 'reductionCents'] },
  CEILING: { tag: 'X', fields: ['ceiling', 'limitCents', 'reductionCents'] },
};
const COMPONENT_FIELDS: Record<CoverageComponent['form'], { tag: string; fields: readonly string[] }> = {
  BASE_PERCENT_INCL_AMO: { tag: '%', fields: ['rateBp'] },
  BASE_PERCENT_EXTRA: { tag: '+', fields: ['rateBp'] },
  COPAYMENT: { tag: 'TM', fields: [] },
  FLAT: { tag: '€', fields: ['amountCents', 'per', 'includesAmo'] },
  ACTUAL_COST: { tag: 'FR', fields: [] },
  PRICE_CAP: { tag: 'PLV', fields: [] },
};
const STEP_BY_TAG = new Map(Object.entries(STEP_FIELDS).map(([code, s]) => [s.tag, { code, fields: s.fields }]));
const COMPONENT_BY_TAG = new Map(Object.entries(COMPONENT_FIELDS).map(([form, s]) => [s.tag, { form, fields: s.fields }]));

const isKept = (step: ExplanationStep): step is Extract<ExplanationStep, { code: Kept }> => step.code in STEP_FIELDS;

/** The JSON stored for a line's steps. */
export function storedSteps(steps: readonly ExplanationStep[]): string {
  return JSON.stringify(
    steps.filter(isKept).map((step) => {
      const { tag, fields } = STEP_FIELDS[step.code];
      const values = step as unknown as Record<string, unknown>;
      return [tag, ...fields.map((f) => (f === 'component' ? storedComponent(values[f] as CoverageComponent) : values[f]))];
    }),
  );
}

function storedComponent(component: CoverageComponent): unknown[] {
  const { tag, fields } = COMPONENT_FIELDS[component.form];
  return [tag, ...fields.map((f) => (component as unknown as Record<string, unknown>)[f])];
}

/** The steps back from `storedSteps` (those the sentence reads, whole). */
export function readStoredSteps(json: string): ExplanationStep[] {
  return (JSON.parse(json) as unknown[][]).map(([tag, ...values]) => {
    const kind = STEP_BY_TAG.get(tag as string);
    if (!kind) throw new Error(`unknown stored explanation step ${String(tag)}`);
    const step: Record<string, unknown> = { code: kind.code };
    kind.fields.forEach((f, i) => (step[f] = f === 'component' ? readComponent(values[i] as unknown[]) : values[i]));
    return step as ExplanationStep;
  });
}

function readComponent([tag, ...values]: unknown[]): CoverageComponent {
  const kind = COMPONENT_BY_TAG.get(tag as string);
  if (!kind) throw new Error(`unknown stored coverage component ${String(tag)}`);
  const component: Record<string, unknown> = { form: kind.form };
  kind.fields.forEach((f, i) => (component[f] = values[i]));
  return component as CoverageComponent;
}

/** The member's French sentence from a stored line: its amounts and its stored steps. */
export function explainStored(line: Omit<ExplainedLine, 'steps'>, json: string): string {
  return explain({ ...line, steps: readStoredSteps(json) });
}
