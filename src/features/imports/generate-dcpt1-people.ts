/**
 * The beneficiaries a synthetic DCPT1 lot is written for (`espace gen-dcpt1`): the first households by member number,
 * each beneficiary with the rights that cover part of the care window, NIRs decrypted in memory only.
 */
import type { Queryable } from '../../db/database.ts';
import { findOrganisation } from '../../db/repositories/organisation.ts';
import { decryptField } from '../../platform/crypto.ts';
import type { Dcpt1Person } from './generate-dcpt1.ts';

export interface GenerationPeople {
  /** The mutuelle's AMC number (the import refuses a lot for another one), null without an organisation. */
  amcNumber: string | null;
  /** Households found (at most the number asked for). */
  households: number;
  /** Beneficiaries with rights in the window, in a stable order (member number, then SELF, SPOUSE, children by age). */
  people: Dcpt1Person[];
}

type Row = {
  insured_nir_enc: string;
  own_nir_enc: string | null;
  birth_date: string;
  birth_rank: number;
  relationship: string;
  amo_scheme: string;
  amo_fund: string | null;
  rights_from: string | null;
  rights_to: string | null;
  solidarity: boolean | null;
};

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const QUALITY = { SELF: 'ASS', SPOUSE: 'CJT', CHILD: 'ENF' } as const;

export async function loadDcpt1People(
  db: Queryable,
  dataEncryptionKey: Buffer,
  options: { households: number; today: string; windowDays?: number },
): Promise<GenerationPeople> {
  const from = addDays(options.today, -(options.windowDays ?? 60));
  const { rows: members } = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM (SELECT 1 FROM member ORDER BY member_number LIMIT $1) m`, [options.households]);
  const { rows } = await db.query<Row>(
    `SELECT b.insured_nir_enc, b.own_nir_enc, b.birth_date, b.birth_rank, b.relationship, b.amo_scheme, b.amo_fund,
            r.rights_from, r.rights_to, r.solidarity
       FROM (SELECT id, member_number FROM member ORDER BY member_number LIMIT $1) m
       JOIN beneficiary b ON b.member_id = m.id
       CROSS JOIN LATERAL (
         SELECT min(start_date) AS rights_from, max(end_date) AS rights_to, bool_or(kind IN ('CSS', 'CSS_PARTICIPATION')) AS solidarity
           FROM rights_period
          WHERE beneficiary_id = b.id AND start_date <= $2::date AND end_date >= $3::date
       ) r
      WHERE r.rights_from IS NOT NULL AND b.relationship IN ('SELF', 'SPOUSE', 'CHILD')
      ORDER BY m.member_number, CASE b.relationship WHEN 'SELF' THEN 0 WHEN 'SPOUSE' THEN 1 ELSE 2 END, b.birth_date, b.birth_rank`,
    [options.households, options.today, from],
  );
  const people = rows.map((row): Dcpt1Person => {
    const rightsFrom = row.rights_from! < from ? from : row.rights_from!;
    return {
      insuredNir: decryptField(dataEncryptionKey, row.insured_nir_enc),
      ownNir: row.own_nir_enc ? decryptField(dataEncryptionKey, row.own_nir_enc) : null,
      birthDate: row.birth_date,
      birthRank: row.birth_rank,
      quality: QUALITY[row.relationship as keyof typeof QUALITY],
      scheme: row.amo_scheme,
      fund: row.amo_fund ?? undefined,
      rightsFrom,
      rightsTo: row.rights_to!,
      solidarity: row.solidarity === true,
    };
  });
  const organisation = await findOrganisation(db);
  return { amcNumber: organisation?.amcNumber ?? null, households: members[0]?.count ?? 0, people };
}
