/**
 * Liquidation and storage of matched décomptes, shared by the import and the « à rapprocher » reconciliation:
 * per beneficiary, in care-date order, the coverage engine computes the mutuelle's part with the counters left by
 * the beneficiary's earlier lines; rows go in by COPY.
 */
import { uuidv7 } from '../../platform/ids.ts';
import { basketFromCode } from '../../domain/claims/acts.ts';
import type { LineRecord, StatementRecord } from '../../domain/claims/dcpt1.ts';
import {
  CoverageInputError,
  liquidate,
  type Basket,
  type CareLine,
  type Family,
  type HistoryLine,
  type LineResult,
  type Product,
} from '../../domain/coverage/index.ts';
import { opticsFamilies } from '../../domain/coverage/families.ts';
import { storedSteps } from '../../domain/coverage/stored-explanation.ts';
import { coverageOn, sameCoverage, type CoveragePeriod } from '../../domain/coverage/rights.ts';
import { formatFrenchDate } from '../../domain/dates.ts';
import { copyRow, type Transaction } from '../../db/database.ts';
import { loadProducts } from '../../db/repositories/guarantee-products.ts';

/** A décompte whose beneficiary is known. */
export interface MatchedStatement {
  statement: StatementRecord;
  /** `statement.statement_number`: sender and décompte id, unique across lots. */
  statementNumber: string;
  batchId: string;
  memberId: string;
  beneficiaryId: string;
}

export interface StoredCounts {
  statements: number;
  lines: number;
  rejected: number;
  amcCents: number;
  /** Claim line id per (statement number, line number), with `keepLineIds` (the reconciliation). */
  claimLineIds: Map<string, string>;
}

/** Serialises imports and reconciliations: each reads counters that the other writes. */
export async function lockClaimsWriting(tx: Transaction): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('espace.claims.liquidation'))`);
}

const RENEWAL_FAMILIES: Family[] = [...opticsFamilies, 'HEARING_AID'];

type BeneficiaryFacts = { birthDate: string; periods: CoveragePeriod[]; history: HistoryLine[] };

/**
 * What the engine needs of each beneficiary: birth date, rights, and the earlier lines that feed counters: every line
 * since January of the lot's first care year (annual caps, PF and franchise caps), and optics and hearing aids of
 * the four years before (renewal periods).
 */
async function loadFacts(tx: Transaction, beneficiaryIds: readonly string[], firstCareDate: string): Promise<Map<string, BeneficiaryFacts>> {
  const year = Number(firstCareDate.slice(0, 4));
  const facts = new Map<string, BeneficiaryFacts>();
  const people = await tx.query<{ id: string; birth_date: string }>(`SELECT id, birth_date FROM beneficiary WHERE id = ANY($1::uuid[])`, [beneficiaryIds]);
  for (const row of people.rows) facts.set(row.id, { birthDate: row.birth_date, periods: [], history: [] });
  const periods = await tx.query<{ beneficiary_id: string; kind: string; start_date: string; end_date: string; code: string }>(
    `SELECT rp.beneficiary_id, rp.kind, rp.start_date, rp.end_date, gp.code
       FROM rights_period rp JOIN contract c ON c.id = rp.contract_id JOIN guarantee_product gp ON gp.id = c.product_id
      WHERE rp.beneficiary_id = ANY($1::uuid[])`,
    [beneficiaryIds],
  );
  for (const row of periods.rows) facts.get(row.beneficiary_id)?.periods.push({ startDate: row.start_date, endDate: row.end_date, kind: row.kind, productCode: row.code });
  const history = await tx.query<{
    beneficiary_id: string; care_date: string; family: Family; act_code: string; basket: Basket | null; charged_cents: number; base_cents: number;
    amo_rate_bp: number; amo_cents: number; flat_fee_cents: number; deductible_cents: number; pathway: 'IN' | 'OUT' | 'NA'; optam: boolean | null;
    quantity: number; price_cap_cents: number | null; amc_cents: number; provider_id: string | null;
  }>(
    `SELECT beneficiary_id, care_date, family, act_code, basket, charged_cents, base_cents, amo_rate_bp, amo_cents, flat_fee_cents, deductible_cents,
            pathway, optam, quantity, price_cap_cents, amc_cents, provider_id
       FROM claim_line
      WHERE beneficiary_id = ANY($1::uuid[])
        AND (care_date >= $2 OR (care_date >= $3 AND family = ANY($4::text[])))
      ORDER BY care_date`,
    [beneficiaryIds, `${year}-01-01`, `${year - 4}-01-01`, RENEWAL_FAMILIES],
  );
  for (const row of history.rows) {
    facts.get(row.beneficiary_id)?.history.push({
      careDate: row.care_date, family: row.family, act: row.act_code, basket: row.basket, chargedCents: row.charged_cents, baseCents: row.base_cents,
      amoRateBp: row.amo_rate_bp, amoCents: row.amo_cents, flatFeeCents: row.flat_fee_cents, deductibleCents: row.deductible_cents, pathway: row.pathway,
      optam: row.optam, quantity: row.quantity, priceCapCents: row.price_cap_cents, amcCents: row.amc_cents, providerId: row.provider_id,
    });
  }
  return facts;
}

function careLine(line: LineRecord): CareLine {
  return {
    careDate: line.careDate,
    family: line.act.family,
    act: line.detailCode ?? line.act.code,
    basket: line.basketCode === null ? null : basketFromCode(line.act.family, line.basketCode),
    chargedCents: line.chargedCents,
    baseCents: line.baseCents,
    amoRateBp: line.amoRateBp,
    amoCents: line.amoCents,
    flatFeeCents: line.flatFeeCents,
    deductibleCents: line.deductibleCents,
    pathway: line.pathway,
    optam: line.optam,
    quantity: line.quantity,
    maternity: line.exemption === 'MAT',
    providerId: line.providerId,
  };
}

type Outcome = { result: LineResult; rejection: null } | { result: null; rejection: string };
type Pending = { matched: MatchedStatement; line: LineRecord; care: CareLine; outcome: Outcome | null };

/** Liquidates one beneficiary's new lines in care-date order, run by run of the same guarantee and aid. */
function liquidateBeneficiary(pending: Pending[], facts: BeneficiaryFacts, products: Map<string, Product>): void {
  pending.sort((a, b) => (a.care.careDate < b.care.careDate ? -1 : a.care.careDate > b.care.careDate ? 1 : 0));
  const history = facts.history;
  let start = 0;
  while (start < pending.length) {
    const coverage = coverageOn(facts.periods, pending[start]!.care.careDate);
    let end = start + 1;
    while (end < pending.length && sameCoverage(coverageOn(facts.periods, pending[end]!.care.careDate), coverage)) end += 1;
    const run = pending.slice(start, end);
    const product = coverage ? products.get(coverage.productCode) : undefined;
    if (!coverage || !product) {
      for (const item of run) item.outcome = { result: null, rejection: `Aucun droit ouvert auprès de la mutuelle le ${formatFrenchDate(item.care.careDate)}.` };
    } else {
      const beneficiary = { birthDate: facts.birthDate, aid: coverage.aid };
      try {
        const { lines } = liquidate({ product, beneficiary, history, lines: run.map((item) => item.care) });
        run.forEach((item, i) => (item.outcome = { result: lines[i]!, rejection: null }));
        history.push(...lines);
      } catch (error) {
        if (!(error instanceof CoverageInputError)) throw error;
        // Isolate the line the engine refuses; the others are liquidated normally.
        for (const item of run) {
          try {
            const [line] = liquidate({ product, beneficiary, history, lines: [item.care] }).lines;
            item.outcome = { result: line!, rejection: null };
            history.push(line!);
          } catch (lineError) {
            if (!(lineError instanceof CoverageInputError)) throw lineError;
            item.outcome = { result: null, rejection: lineError.message };
          }
        }
      }
    }
    start = end;
  }
}

const STATEMENT_COLUMNS = ['id', 'member_id', 'source', 'statement_number', 'liquidation_date', 'received_at', 'batch_id', 'amo_payee', 'amo_paid_on'] as const;
const CLAIM_LINE_COLUMNS = [
  'id', 'statement_id', 'member_id', 'beneficiary_id', 'line_number', 'care_date', 'care_end_date', 'family', 'act_code', 'basket', 'provider_id',
  'quantity', 'pathway', 'optam', 'price_cap_cents', 'charged_cents', 'base_cents', 'amo_rate_bp', 'amo_cents', 'flat_fee_cents', 'deductible_cents',
  'amo_net_cents', 'amc_cents', 'remaining_cents', 'third_party_payment', 'rule', 'explanation', 'explanation_steps', 'status', 'paid_at', 'rejection_reason',
  'received_at', 'liquidated_at', 'settled_at', 'created_at',
] as const;
const CHUNK_ROWS = 2_000;

function* chunked(rows: Iterable<string>): Generator<string> {
  let chunk = '';
  let count = 0;
  for (const row of rows) {
    chunk += row;
    count += 1;
    if (count === CHUNK_ROWS) {
      yield chunk;
      chunk = '';
      count = 0;
    }
  }
  if (chunk !== '') yield chunk;
}

/**
 * Liquidates and writes matched décomptes inside the caller's transaction (which holds `lockClaimsWriting`).
 * Lines paid in full to the professional (tiers payant AMO + AMC) are PAID at once: nothing is owed to the member.
 */
export async function storeStatements(
  tx: Transaction,
  matched: readonly MatchedStatement[],
  options: { now: Date; onProgress?: (lines: number) => void; keepLineIds?: boolean },
): Promise<StoredCounts> {
  const counts: StoredCounts = { statements: 0, lines: 0, rejected: 0, amcCents: 0, claimLineIds: new Map() };
  if (matched.length === 0) return counts;
  const now = options.now.toISOString();
  const beneficiaryIds = [...new Set(matched.map((m) => m.beneficiaryId))];
  let earliest = '9999-12-31';
  for (const m of matched) for (const line of m.statement.lines) if (line.careDate < earliest) earliest = line.careDate;
  const [facts, products] = await Promise.all([loadFacts(tx, beneficiaryIds, earliest), loadProducts(tx, [...new Set(matched.map((m) => m.memberId))])]);

  const byBeneficiary = new Map<string, Pending[]>();
  for (const m of matched) {
    for (const line of m.statement.lines) {
      const item: Pending = { matched: m, line, care: careLine(line), outcome: null };
      const list = byBeneficiary.get(m.beneficiaryId);
      if (list) list.push(item);
      else byBeneficiary.set(m.beneficiaryId, [item]);
    }
  }

  const statementIds = new Map<MatchedStatement, string>();
  for (const m of matched) {
    const id = uuidv7();
    statementIds.set(m, id);
  }
  await tx.copyFrom(
    'statement',
    STATEMENT_COLUMNS,
    chunked(
      matched.map((m) => {
        const s = m.statement;
        return copyRow([statementIds.get(m), m.memberId, 'NOEMIE', m.statementNumber, s.liquidationDate, now, m.batchId, s.amoPayee, s.amoPaidOn]);
      }),
    ),
  );
  counts.statements = matched.length;

  // Liquidated beneficiary by beneficiary as COPY asks for rows: the engine (here) and the server (there) work at once.
  function* claimRows(): Generator<string> {
    for (const [beneficiaryId, pending] of byBeneficiary) {
      liquidateBeneficiary(pending, facts.get(beneficiaryId)!, products);
      for (const item of pending) yield claimRow(item);
      // Done with this beneficiary: let its lines and results go.
      facts.delete(beneficiaryId);
      pending.length = 0;
    }
  }

  function claimRow(item: Pending): string {
    const { line, matched: m, outcome } = item;
    const id = uuidv7();
    if (options.keepLineIds) counts.claimLineIds.set(`${m.statementNumber}|${line.lineNumber}`, id);
    counts.lines += 1;
    if (counts.lines % 10_000 === 0) options.onProgress?.(counts.lines);
    const providerPaid = line.thirdParty === 'AMO_AMC';
    const r = outcome?.result;
    // The lifecycle up to now is on the row (received, liquidated, settled): no status rows (ADR 010).
    if (r) {
      counts.amcCents += r.amcCents;
      return copyRow([
        id, statementIds.get(m), m.memberId, m.beneficiaryId, line.lineNumber, line.careDate, line.careEndDate, r.family, line.act.code, r.basket, line.providerId ?? line.finess,
        r.quantity, r.pathway, r.optam, r.priceCapCents, r.chargedCents, r.baseCents, r.amoRateBp, r.amoCents, r.flatFeeCents, r.deductibleCents,
        r.amoNetCents, r.amcCents, r.remainingCents, providerPaid, r.rule, null, storedSteps(r.steps), providerPaid ? 'PAID' : 'LIQUIDATED',
        providerPaid ? m.statement.liquidationDate : null, null, now, now, providerPaid ? now : null, now,
      ]);
    } else {
      counts.rejected += 1;
      const amoNet = Math.max(0, line.amoCents - line.flatFeeCents - line.deductibleCents);
      const rejection = outcome?.rejection ?? 'Ligne non liquidée.';
      return copyRow([
        id, statementIds.get(m), m.memberId, m.beneficiaryId, line.lineNumber, line.careDate, line.careEndDate, line.act.family, line.act.code,
        item.care.basket ?? null, line.providerId ?? line.finess, line.quantity, line.pathway, line.optam, null, line.chargedCents, line.baseCents, line.amoRateBp,
        line.amoCents, line.flatFeeCents, line.deductibleCents, amoNet, 0, line.chargedCents - amoNet, providerPaid, 'REJECTED',
        `Ligne rejetée par la mutuelle : ${rejection}`, null, 'REJECTED', null, rejection, now, null, now, now,
      ]);
    }
  }
  await tx.copyFrom('claim_line', CLAIM_LINE_COLUMNS, chunked(claimRows()));
  options.onProgress?.(counts.lines);
  return counts;
}
