import { randomUUID } from 'node:crypto';
import { normaliseNir } from '../../domain/identity/nir.ts';
import { blindIndex, encryptField, type DataKey } from '../../platform/crypto.ts';
import type { Queryable } from '../database.ts';
import { insertAccount, sealIban } from './bank-accounts.ts';
import { sealEmail } from './contacts.ts';

/** Keys for the sealed columns: NIR, IBAN, email and phone are stored encrypted, NIR, IBAN and email searched through a keyed index. */
export type FieldKeys = { dataEncryptionKey: DataKey; blindIndexKey: Buffer };

export type NewBeneficiary = {
  relationship: 'SELF' | 'SPOUSE' | 'CHILD' | 'OTHER';
  lastName: string;
  firstName: string;
  sex: 'F' | 'M';
  birthDate: string;
  birthRank: number;
  /** NIR of the ouvrant droit the AMO reimburses this person under. */
  insuredNir: string;
  ownNir: string | null;
  amoFund: string | null;
  noemie: 'ACTIVE' | 'PENDING' | 'REJECTED' | 'NONE';
};

export type NewRightsPeriod = {
  beneficiaryIndex: number;
  kind: 'CONTRACT' | 'ACS_A' | 'ACS_B' | 'ACS_C' | 'CSS' | 'CSS_PARTICIPATION';
  startDate: string;
  endDate: string;
  /** Index in `contracts`, for CONTRACT periods. */
  contractIndex: number | null;
};

export type NewContract = {
  contractNumber: string;
  kind: 'INDIVIDUAL' | 'COLLECTIVE';
  employerName: string | null;
  employerSiret: string | null;
  productId: string;
  responsable: boolean;
  startDate: string;
  endDate: string | null;
  sepaMandateRef: string | null;
};

export type NewHousehold = {
  id?: string;
  organisationId: string;
  memberNumber: string;
  /** The member's own NIR: the login identifier. */
  nir: string;
  beneficiaries: NewBeneficiary[];
  contracts: NewContract[];
  rights: NewRightsPeriod[];
  email: { address: string; verified: boolean } | null;
  phones: { kind: 'MOBILE' | 'LANDLINE'; e164: string }[];
  address: { recipient: string; streetNumber: string | null; street: string; complement: string | null; postalCode: string; city: string; country: string };
  bankAccount: { iban: string; bic: string | null; holderName: string } | null;
  createdAt: Date;
};

export type InsertedHousehold = { memberId: string; beneficiaryIds: string[]; contractIds: string[] };

/** Writes a whole household (member, beneficiaries, contracts, rights, contacts, bank account) in the caller's transaction. */
export async function insertHousehold(tx: Queryable, keys: FieldKeys, h: NewHousehold): Promise<InsertedHousehold> {
  const nir = normaliseNir(h.nir);
  const memberId = h.id ?? randomUUID();
  await tx.query(
    `INSERT INTO member (id, organisation_id, member_number, nir_hmac, nir_enc, nir_provisional, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
    [memberId, h.organisationId, h.memberNumber, blindIndex(keys.blindIndexKey, nir), encryptField(keys.dataEncryptionKey, nir), /^[78]/.test(nir), h.createdAt],
  );
  const beneficiaryIds: string[] = [];
  for (const b of h.beneficiaries) {
    const insured = normaliseNir(b.insuredNir);
    const own = b.ownNir ? normaliseNir(b.ownNir) : null;
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO beneficiary (member_id, relationship, last_name, first_name, sex, birth_date, birth_rank,
         insured_nir_hmac, insured_nir_enc, own_nir_hmac, own_nir_enc, amo_fund, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      [
        memberId, b.relationship, b.lastName, b.firstName, b.sex, b.birthDate, b.birthRank,
        blindIndex(keys.blindIndexKey, insured), encryptField(keys.dataEncryptionKey, insured),
        own ? blindIndex(keys.blindIndexKey, own) : null, own ? encryptField(keys.dataEncryptionKey, own) : null,
        b.amoFund, h.createdAt,
      ],
    );
    const id = rows[0]!.id;
    beneficiaryIds.push(id);
    await tx.query(`INSERT INTO noemie_link (beneficiary_id, status, amo_fund, since) VALUES ($1, $2, $3, $4)`, [
      id, b.noemie, b.amoFund, b.noemie === 'ACTIVE' ? h.createdAt.toISOString().slice(0, 10) : null,
    ]);
  }
  const contractIds: string[] = [];
  for (const c of h.contracts) {
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO contract (member_id, contract_number, kind, employer_name, employer_siret, product_id, responsable, start_date, end_date, sepa_mandate_ref, signed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [memberId, c.contractNumber, c.kind, c.employerName, c.employerSiret, c.productId, c.responsable, c.startDate, c.endDate, c.sepaMandateRef, h.createdAt],
    );
    contractIds.push(rows[0]!.id);
  }
  for (const r of h.rights) {
    const contractId = r.contractIndex === null ? null : contractIds[r.contractIndex]!;
    await tx.query(`INSERT INTO rights_period (beneficiary_id, contract_id, kind, start_date, end_date) VALUES ($1, $2, $3, $4, $5)`, [
      beneficiaryIds[r.beneficiaryIndex]!, contractId, r.kind, r.startDate, r.endDate,
    ]);
    if (contractId) {
      await tx.query(
        `INSERT INTO contract_beneficiary (contract_id, beneficiary_id, start_date, end_date) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [contractId, beneficiaryIds[r.beneficiaryIndex]!, r.startDate, r.endDate],
      );
    }
  }
  if (h.email) {
    const sealed = sealEmail(keys, h.email.address);
    await tx.query(`INSERT INTO email_address (member_id, address_enc, address_hmac, verified_at, last_confirmed_at, created_at) VALUES ($1, $2, $3, $4, $4, $5)`, [
      memberId, sealed.enc, sealed.hmac, h.email.verified ? h.createdAt : null, h.createdAt,
    ]);
  }
  for (const p of h.phones) {
    await tx.query(`INSERT INTO phone_number (member_id, kind, e164_enc, created_at) VALUES ($1, $2, $3, $4)`, [memberId, p.kind, encryptField(keys.dataEncryptionKey, p.e164), h.createdAt]);
  }
  const a = h.address;
  const { rows: addressRows } = await tx.query<{ id: string }>(
    `INSERT INTO postal_address (member_id, recipient, street_number, street, complement, postal_code, city, country, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [memberId, a.recipient, a.streetNumber, a.street, a.complement, a.postalCode, a.city, a.country, h.createdAt],
  );
  await tx.query(`UPDATE member SET mailing_address_id = $2 WHERE id = $1`, [memberId, addressRows[0]!.id]);
  if (h.bankAccount) {
    await insertAccount(tx, {
      memberId, iban: sealIban(keys, h.bankAccount.iban), bic: h.bankAccount.bic, holderName: h.bankAccount.holderName, status: 'ACTIVE', effectiveAt: h.createdAt, createdAt: h.createdAt,
    });
  }
  return { memberId, beneficiaryIds, contractIds };
}
