/**
 * Validation of the `espace liquidate` JSON (and of products given as data): zod schemas, and
 * the first problem reported with the path of the field, e.g. 'lines[0].chargedCents'.
 */
import { z } from 'zod';
import { isIsoDate } from '../dates.ts';
import { FULL_RATE_BP } from '../money.ts';
import { aids, allowedBaskets, baskets, families, pathways } from './families.ts';
import { failure, success, type Result } from '../result.ts';
import type { LiquidationInput, Product } from './types.ts';

const cents = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER / FULL_RATE_BP);
const isoDate = z.string().refine(isIsoDate, { message: 'date AAAA-MM-JJ attendue' });
const rateBp = z.number().int().min(0).max(FULL_RATE_BP);
// Coverage rates can exceed 100 % of the base (e.g. 300 % for dental prostheses).
const coverageRateBp = z.number().int().min(0).max(100 * FULL_RATE_BP);

const component = z.discriminatedUnion('form', [
  z.strictObject({ form: z.literal('BASE_PERCENT_INCL_AMO'), rateBp: coverageRateBp }),
  z.strictObject({ form: z.literal('BASE_PERCENT_EXTRA'), rateBp: coverageRateBp }),
  z.strictObject({ form: z.literal('COPAYMENT') }),
  z.strictObject({ form: z.literal('FLAT'), amountCents: cents, per: z.enum(['ACT', 'DAY', 'ITEM', 'YEAR', 'EQUIPMENT']), includesAmo: z.boolean() }),
  z.strictObject({ form: z.literal('ACTUAL_COST') }),
  z.strictObject({ form: z.literal('PRICE_CAP') }),
]);

const rule = z.strictObject({
  id: z.string().min(1),
  label: z.string().min(1),
  when: z.strictObject({
    families: z.array(z.enum(families)).min(1),
    optam: z.boolean().optional(),
    baskets: z.array(z.enum(baskets)).optional(),
    amoRatesBp: z.array(rateBp).optional(),
    minAge: z.number().int().min(0).optional(),
    maxAge: z.number().int().min(0).optional(),
    equipment: z.enum(['SIMPLE', 'COMPLEX']).optional(),
  }),
  cover: z.array(component),
  annualCapCents: cents.optional(),
  counter: z.string().min(1).optional(),
  confirmed: z.boolean().optional(),
  note: z.string().optional(),
});

export const productSchema = z.strictObject({
  code: z.string().min(1),
  label: z.string().min(1),
  responsible: z.boolean(),
  versions: z
    .array(z.strictObject({ version: z.string().min(1), validFrom: isoDate, validTo: isoDate.nullable(), rules: z.array(rule) }))
    .min(1),
  note: z.string().optional(),
});

const lineShape = {
  careDate: isoDate,
  family: z.enum(families),
  act: z.string().max(40).nullable().optional(),
  basket: z.enum(baskets).nullable().optional(),
  chargedCents: cents,
  baseCents: cents,
  amoRateBp: rateBp,
  amoCents: cents.nullable().optional(),
  flatFeeCents: cents.nullable().optional(),
  deductibleCents: cents.nullable().optional(),
  pathway: z.enum(pathways).optional(),
  optam: z.boolean().nullable().optional(),
  quantity: z.number().int().min(1).max(1000).optional(),
  priceCapCents: cents.nullable().optional(),
  maternity: z.boolean().optional(),
  providerId: z.string().max(40).nullable().optional(),
};

interface LineFields {
  family: (typeof families)[number];
  basket?: (typeof baskets)[number] | null | undefined;
  chargedCents: number;
  amoCents?: number | null | undefined;
  quantity?: number | undefined;
}

// Consistency between fields of one line, reported on the field at fault.
function checkLine(line: LineFields, context: z.RefinementCtx): void {
  if (line.basket != null && !allowedBaskets(line.family).includes(line.basket)) {
    context.addIssue({ code: 'custom', path: ['basket'], message: `panier ${line.basket} impossible pour la famille ${line.family}` });
  }
  if (line.amoCents != null && line.amoCents > line.chargedCents) {
    context.addIssue({ code: 'custom', path: ['amoCents'], message: 'la part Sécurité sociale dépasse la dépense' });
  }
  if (line.family === 'HEARING_AID' && (line.quantity ?? 1) > 2) {
    context.addIssue({ code: 'custom', path: ['quantity'], message: 'au plus 2 aides auditives (une par oreille) par ligne' });
  }
}

const careLine = z.strictObject(lineShape).superRefine(checkLine);

// History lines are results of earlier liquidations: extra output fields are ignored.
const historyLine = z
  .object({
    ...lineShape,
    amoCents: cents,
    amcCents: cents,
    flatFeeDeferredCents: cents.optional(),
    deductibleDeferredCents: cents.optional(),
  })
  .superRefine(checkLine);

export const liquidationInputSchema = z.strictObject({
  product: z.union([z.string().min(1), productSchema]),
  beneficiary: z.strictObject({ birthDate: isoDate, aid: z.enum(aids) }),
  history: z.array(historyLine).optional(),
  lines: z.array(careLine).min(1),
});

export interface InputError {
  code: 'INVALID_INPUT';
  /** Path of the faulty field: 'lines[0].chargedCents', 'beneficiary.aid', or '' for the whole document. */
  field: string;
  message: string;
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`), '');
}

const TYPE_NAMES: Record<string, string> = { number: 'nombre', int: 'nombre entier', string: 'texte', boolean: 'booléen', object: 'objet', array: 'liste' };

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `${TYPE_NAMES[issue.expected] ?? issue.expected} attendu`;
  if (issue.code === 'invalid_value') return `valeur attendue parmi : ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'unrecognized_keys') return `champ inconnu : ${issue.keys.join(', ')}`;
  if (issue.code === 'too_small') return `valeur trop petite (minimum ${String(issue.minimum)})`;
  if (issue.code === 'too_big') return `valeur trop grande (maximum ${String(issue.maximum)})`;
  if (issue.code === 'invalid_union') return 'code de produit ou produit complet attendu';
  return issue.message;
}

function firstIssue(error: z.ZodError, prefix: readonly PropertyKey[] = []): InputError {
  const issue = error.issues[0];
  if (!issue) return { code: 'INVALID_INPUT', field: fieldPath(prefix), message: 'entrée invalide' };
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
  return { code: 'INVALID_INPUT', field: fieldPath([...prefix, ...path]), message: describe(issue) };
}

/** Parses the liquidation JSON (already decoded), or names the first field at fault. */
export function parseLiquidationInput(data: unknown): Result<LiquidationInput, InputError> {
  // A product given as an object is checked on its own, so that the error names its inner field.
  const product = typeof data === 'object' && data !== null ? (data as { product?: unknown }).product : undefined;
  if (typeof product === 'object' && product !== null) {
    const checked = productSchema.safeParse(product);
    if (!checked.success) return failure(firstIssue(checked.error, ['product']));
  }
  const parsed = liquidationInputSchema.safeParse(data);
  return parsed.success ? success<LiquidationInput>(parsed.data) : failure(firstIssue(parsed.error));
}

/** Checks a product given as data (e.g. read back from the database). */
export function parseProduct(data: unknown): Result<Product, InputError> {
  const parsed = productSchema.safeParse(data);
  return parsed.success ? success<Product>(parsed.data) : failure(firstIssue(parsed.error));
}
