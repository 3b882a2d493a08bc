/**
 * Demo data of the documents (issue 7): the tiers-payant routing data and SEPA creditor id of the demo mutuelle, and
 * the monthly cotisations of every contract paid by SEPA debit (paid up to the reference date, scheduled after it, to
 * the end of its year). Household 1 (Marie Martin) is a travailleur non salarié with a « Madelin » contract.
 */
import type { Queryable } from '../../db/database.ts';

/** Monthly cotisation per person covered, taxes included, in cents: the demo mutuelle's prices, not regulated values. */
const MONTHLY_CENTS: Record<string, number> = { ESSENTIEL: 4_850, CONFORT: 7_390, CSS: 1_400 };
/** Valid ICS (check digits computed as for an IBAN over the national part and « FR00 »). */
export const DEMO_SEPA_CREDITOR_ID = 'FR72ZZZ123456';

export async function seedContributions(tx: Queryable, referenceDate: string, historyYears: number): Promise<void> {
  await tx.query(`UPDATE organisation SET tp_convention_type = 'SP', tp_routing_criterion = '', tp_operator = 'SP santé', sepa_creditor_id = $1`, [DEMO_SEPA_CREDITOR_ID]);
  await tx.query(`UPDATE contract SET madelin = true WHERE kind = 'INDIVIDUAL' AND contract_number = 'C-A0000001'`);
  const refYear = Number(referenceDate.slice(0, 4));
  // One row per month from the later of the contract's start and the history's start to December of the reference year;
  // the amount counts the people the contract covers on the first of the month. All in one statement.
  await tx.query(
    `INSERT INTO contribution (contract_id, period_start, period_end, amount_cents, due_date, status, paid_on)
     SELECT c.id, m::date, (m + interval '1 month - 1 day')::date,
            (SELECT count(*) FROM contract_beneficiary cb WHERE cb.contract_id = c.id AND cb.start_date <= m::date AND (cb.end_date IS NULL OR cb.end_date >= m::date))
              * (CASE g.code WHEN 'ESSENTIEL' THEN $3::int WHEN 'CONFORT' THEN $4::int ELSE $5::int END),
            (m + interval '4 days')::date,
            CASE WHEN (m + interval '4 days')::date <= $1::date THEN 'PAID' ELSE 'SCHEDULED' END,
            CASE WHEN (m + interval '4 days')::date <= $1::date THEN (m + interval '4 days')::date END
       FROM contract c JOIN guarantee_product g ON g.id = c.product_id
       CROSS JOIN LATERAL generate_series(greatest(date_trunc('month', c.start_date), make_date($2::int, 1, 1)), make_date(${refYear}, 12, 1), interval '1 month') AS m
      WHERE c.sepa_mandate_ref IS NOT NULL AND c.end_date IS NULL AND g.code IN ('ESSENTIEL', 'CONFORT', 'CSS')`,
    [referenceDate, refYear - historyYears, MONTHLY_CENTS.ESSENTIEL, MONTHLY_CENTS.CONFORT, MONTHLY_CENTS.CSS],
  );
}
