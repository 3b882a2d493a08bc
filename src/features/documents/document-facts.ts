/**
 * What each of the member's documents says today (issue 7), read from the household's records: the carte de tiers
 * payant, the attestation de droits, the attestation fiscale of each past year with cotisations paid, the bulletin
 * d'adhésion of each contract, the échéancier of the current year. Six queries for all of them. Facts are plain JSON
 * (dates as 'YYYY-MM-DD', money in cents), ready to be hashed, sealed in a version and rendered as PDF or HTML.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../../db/database.ts';
import { formatFrenchDate } from '../../domain/dates.ts';
import { CARD_DOMAINS, amcDataMatrixPayload, domainMention, type NirPolicy } from '../../domain/documents/tp-card.ts';
import { formatNir, maskNir } from '../../domain/identity/nir.ts';
import { accountInForce, maskedIbanOf } from '../../db/repositories/bank-accounts.ts';
import { currentEmail } from '../../db/repositories/contacts.ts';
import { decryptField, type DataKey } from '../../platform/crypto.ts';

export const DOCUMENT_KINDS = ['CARTE_TP', 'ATTESTATION_DROITS', 'ATTESTATION_FISCALE', 'BULLETIN_ADHESION', 'ECHEANCIER'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export const DOCUMENT_TITLES: Record<DocumentKind, string> = {
  CARTE_TP: 'Carte de tiers payant',
  ATTESTATION_DROITS: 'Attestation de droits',
  ATTESTATION_FISCALE: 'Attestation fiscale',
  BULLETIN_ADHESION: 'Bulletin d’adhésion',
  ECHEANCIER: 'Échéancier de cotisations',
};

export type OrganisationFacts = {
  name: string;
  amcNumber: string;
  addressLines: string[];
  phone: string;
  /** The line for health professionals (tiers payant, prises en charge). */
  professionalPhone: string | null;
  email: string | null;
  operator: string | null;
};

export type PersonFacts = {
  lastName: string;
  firstName: string;
  birthDate: string;
  birthRank: number;
  /** « Adhérente », « Conjoint », « Enfant »… */
  relationship: string;
  /** As the NIR policy prints it (full, masked), or null when it prints none. */
  nir: string | null;
};

/** `maskedIban` (FR76 •••• … ••89 123) in versions issued since issue 8; older versions carry the last four characters only. */
export type MandateFacts = { rum: string; creditorId: string | null; accountEnding: string | null; maskedIban?: string | null; holder: string | null };

export type CardFacts = {
  kind: 'CARTE_TP';
  organisation: OrganisationFacts;
  memberNumber: string;
  conventionType: string;
  routingCriterion: string;
  contractNumber: string;
  productName: string;
  responsable: boolean;
  validFrom: string;
  validUntil: string;
  beneficiaries: PersonFacts[];
  domains: { code: string; label: string; mention: string }[];
  dataMatrix: string;
};

export type AidPeriodFacts = { person: string; kind: string; label: string; startDate: string; endDate: string };

export type RightsFacts = {
  kind: 'ATTESTATION_DROITS';
  organisation: OrganisationFacts;
  memberNumber: string;
  holder: PersonFacts;
  contract: { number: string; productName: string; kind: 'INDIVIDUAL' | 'COLLECTIVE'; employerName: string | null; responsable: boolean; startDate: string; endDate: string | null };
  validFrom: string;
  validUntil: string;
  beneficiaries: (PersonFacts & { rights: string[] })[];
  /** Every CSS and ACS period of the household, oldest first: ex-ACS members can prove their former coverage. */
  aids: AidPeriodFacts[];
};

export type FiscalFacts = {
  kind: 'ATTESTATION_FISCALE';
  organisation: OrganisationFacts;
  memberNumber: string;
  holder: PersonFacts;
  year: number;
  contracts: { number: string; productName: string; madelin: boolean; paidCents: number; instalments: number }[];
  totalCents: number;
  madelinCents: number;
};

export type BulletinFacts = {
  kind: 'BULLETIN_ADHESION';
  organisation: OrganisationFacts;
  memberNumber: string;
  contractNumber: string;
  productName: string;
  contractKind: 'INDIVIDUAL' | 'COLLECTIVE';
  employerName: string | null;
  responsable: boolean;
  madelin: boolean;
  effectiveDate: string;
  signedOn: string | null;
  address: string[];
  email: string | null;
  beneficiaries: (PersonFacts & { amoScheme: string; amoFund: string | null })[];
  /** The first instalment, or null when the contract has no cotisation (CSS sans participation, collective). */
  firstContributionCents: number | null;
  paymentMethod: string;
  mandate: MandateFacts | null;
};

export type ScheduleFacts = {
  kind: 'ECHEANCIER';
  organisation: OrganisationFacts;
  memberNumber: string;
  holder: PersonFacts;
  year: number;
  contractNumber: string;
  productName: string;
  mandate: MandateFacts | null;
  lines: { periodStart: string; periodEnd: string; amountCents: number; dueDate: string; status: 'SCHEDULED' | 'PAID' | 'UNPAID' }[];
  totalCents: number;
};

export type DocumentFacts = CardFacts | RightsFacts | FiscalFacts | BulletinFacts | ScheduleFacts;

/** One document as it stands: its kind, its scope (year, contract number or '') and its facts. */
export type CurrentDocument = { kind: DocumentKind; scope: string; facts: DocumentFacts };

export type FactsDeps = { dataEncryptionKey: DataKey; nirPolicy: NirPolicy };

/** JSON with sorted keys: the same facts always give the same bytes, hence the same hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** base64url SHA-256 of the canonical facts: the version key, and the documentHash of the verification code. */
export const factsHash = (facts: DocumentFacts): string => createHash('sha256').update(canonicalJson(facts)).digest('base64url');

const RELATIONSHIPS: Record<string, Record<'F' | 'M', string>> = {
  SELF: { F: 'Adhérente', M: 'Adhérent' },
  SPOUSE: { F: 'Conjointe', M: 'Conjoint' },
  CHILD: { F: 'Enfant', M: 'Enfant' },
  OTHER: { F: 'Ayant droit', M: 'Ayant droit' },
};

export const AID_LABELS: Record<string, string> = {
  CSS: 'Complémentaire santé solidaire sans participation',
  CSS_PARTICIPATION: 'Complémentaire santé solidaire avec participation',
  ACS_A: 'Aide au paiement d’une complémentaire santé (ACS), contrat A',
  ACS_B: 'Aide au paiement d’une complémentaire santé (ACS), contrat B',
  ACS_C: 'Aide au paiement d’une complémentaire santé (ACS), contrat C',
};

type MemberRow = {
  member_number: string; name: string; amc_number: string; address_line1: string; address_line2: string | null; postal_code: string; city: string;
  phone: string; professional_phone: string | null; email: string | null; tp_convention_type: string; tp_routing_criterion: string; tp_operator: string | null;
  sepa_creditor_id: string | null; recipient: string | null; street_number: string | null; street: string | null; complement: string | null;
  address_postal_code: string | null; address_city: string | null; iban_last4: string | null; iban_masked: string | null; iban_enc: string | null; holder_name: string | null;
};
type BeneficiaryRow = {
  id: string; relationship: string; last_name: string; first_name: string; sex: 'F' | 'M'; birth_date: string; birth_rank: number;
  insured_nir_enc: string; own_nir_enc: string | null; amo_scheme: string; amo_fund: string | null;
};
type ContractRow = {
  id: string; contract_number: string; kind: 'INDIVIDUAL' | 'COLLECTIVE'; employer_name: string | null; responsable: boolean; start_date: string; end_date: string | null;
  sepa_mandate_ref: string | null; signed_at: Date | null; madelin: boolean; product_name: string;
};
type PeriodRow = { beneficiary_id: string; contract_id: string | null; kind: string; start_date: string; end_date: string };
type ContributionRow = { contract_id: string; period_start: string; period_end: string; amount_cents: number; due_date: string; status: 'SCHEDULED' | 'PAID' | 'UNPAID'; paid_on: string | null };

const COVERING = new Set(['CONTRACT', 'CSS', 'CSS_PARTICIPATION']);

/** Every document the member can get today (`today`: 'YYYY-MM-DD', Europe/Paris). Only the member's own household is read. */
export async function currentDocuments(db: Queryable, deps: FactsDeps, memberId: string, today: string): Promise<CurrentDocument[]> {
  const [memberRows, beneficiaryRows, contractRows, periodRows, contributionRows] = await Promise.all([
    db.query<MemberRow>(
      `SELECT m.member_number, o.name, o.amc_number, o.address_line1, o.address_line2, o.postal_code, o.city, o.phone, o.professional_phone, o.email,
              o.tp_convention_type, o.tp_routing_criterion, o.tp_operator, o.sepa_creditor_id,
              a.recipient, a.street_number, a.street, a.complement, a.postal_code AS address_postal_code, a.city AS address_city,
              ba.iban_last4, ba.iban_masked, ba.iban_enc, ba.holder_name
         FROM member m JOIN organisation o ON o.id = m.organisation_id
         LEFT JOIN postal_address a ON a.id = m.mailing_address_id
         LEFT JOIN LATERAL (${accountInForce('m.id', '$2::date::timestamptz')}) ba ON true
        WHERE m.id = $1`,
      [memberId, today],
    ),
    db.query<BeneficiaryRow>(
      `SELECT id, relationship, last_name, first_name, sex, birth_date, birth_rank, insured_nir_enc, own_nir_enc, amo_scheme, amo_fund
         FROM beneficiary WHERE member_id = $1 ORDER BY relationship = 'SELF' DESC, relationship = 'SPOUSE' DESC, birth_date, birth_rank, first_name`,
      [memberId],
    ),
    db.query<ContractRow>(
      `SELECT c.id, c.contract_number, c.kind, c.employer_name, c.responsable, c.start_date, c.end_date, c.sepa_mandate_ref, c.signed_at, c.madelin, g.name AS product_name
         FROM contract c JOIN guarantee_product g ON g.id = c.product_id WHERE c.member_id = $1 ORDER BY c.start_date, c.contract_number`,
      [memberId],
    ),
    db.query<PeriodRow>(
      `SELECT r.beneficiary_id, r.contract_id, r.kind, r.start_date, r.end_date FROM rights_period r JOIN beneficiary b ON b.id = r.beneficiary_id
        WHERE b.member_id = $1 ORDER BY r.start_date, r.kind, r.beneficiary_id`,
      [memberId],
    ),
    db.query<ContributionRow>(
      `SELECT k.contract_id, k.period_start, k.period_end, k.amount_cents, k.due_date, k.status, k.paid_on
         FROM contribution k JOIN contract c ON c.id = k.contract_id WHERE c.member_id = $1 ORDER BY k.due_date, k.contract_id`,
      [memberId],
    ),
  ]);
  const m = memberRows.rows[0];
  if (!m) return [];
  const memberEmail = (await currentEmail(db, deps.dataEncryptionKey, memberId))?.address ?? null;
  const organisation: OrganisationFacts = {
    name: m.name, amcNumber: m.amc_number, addressLines: [m.address_line1, m.address_line2, `${m.postal_code} ${m.city}`].filter((l): l is string => !!l),
    phone: m.phone, professionalPhone: m.professional_phone, email: m.email, operator: m.tp_operator,
  };
  const nirOf = (b: BeneficiaryRow): string | null => {
    if (deps.nirPolicy === 'none') return null;
    const nir = decryptField(deps.dataEncryptionKey, b.own_nir_enc ?? b.insured_nir_enc);
    return deps.nirPolicy === 'full' ? formatNir(nir) : maskNir(nir);
  };
  const person = (b: BeneficiaryRow): PersonFacts => ({
    lastName: b.last_name, firstName: b.first_name, birthDate: b.birth_date, birthRank: b.birth_rank, relationship: RELATIONSHIPS[b.relationship]![b.sex], nir: nirOf(b),
  });
  const beneficiaries = beneficiaryRows.rows;
  const selfRow = beneficiaries.find((b) => b.relationship === 'SELF') ?? beneficiaries[0];
  if (!selfRow) return [];
  const holder = person(selfRow);
  const byId = new Map(beneficiaries.map((b) => [b.id, b]));
  const mandateOf = (c: ContractRow): MandateFacts | null =>
    c.sepa_mandate_ref
      ? { rum: c.sepa_mandate_ref, creditorId: m.sepa_creditor_id, accountEnding: m.iban_last4, maskedIban: m.iban_enc ? maskedIbanOf(deps.dataEncryptionKey, { iban_masked: m.iban_masked, iban_enc: m.iban_enc }) : null, holder: m.holder_name }
      : null;
  const base = { organisation, memberNumber: m.member_number };
  const documents: CurrentDocument[] = [];

  // Card and attestation de droits: the contract in force today and the people it covers today.
  const contract = contractRows.rows.find((c) => c.start_date <= today && (c.end_date === null || c.end_date >= today));
  const covering = periodRows.rows.filter((p) => COVERING.has(p.kind) && p.start_date <= today && p.end_date >= today && (!contract || p.contract_id === null || p.contract_id === contract.id));
  const coveredIds = [...new Set(covering.map((p) => p.beneficiary_id))];
  if (contract && coveredIds.length > 0) {
    const year = today.slice(0, 4);
    const starts = covering.map((p) => p.start_date).sort();
    const ends = covering.map((p) => p.end_date).sort();
    const validFrom = [`${year}-01-01`, starts[0]!].sort()[1]!;
    const validUntil = [`${year}-12-31`, ends[0]!].sort()[0]!;
    const covered = beneficiaries.filter((b) => coveredIds.includes(b.id));
    const conventionType = m.tp_convention_type;
    documents.push({
      kind: 'CARTE_TP',
      scope: '',
      facts: {
        kind: 'CARTE_TP', ...base, conventionType, routingCriterion: m.tp_routing_criterion, contractNumber: contract.contract_number, productName: contract.product_name,
        responsable: contract.responsable, validFrom, validUntil, beneficiaries: covered.map(person),
        domains: CARD_DOMAINS.map((d) => ({ code: d.code, label: d.label, mention: domainMention(d) })),
        dataMatrix: amcDataMatrixPayload({
          amcNumber: m.amc_number, routingCriterion: m.tp_routing_criterion, memberNumber: m.member_number,
          conventions: [{ type: conventionType, letters: CARD_DOMAINS.map((d) => d.letter).join('') }],
        }),
      },
    });
    documents.push({
      kind: 'ATTESTATION_DROITS',
      scope: '',
      facts: {
        kind: 'ATTESTATION_DROITS', ...base, holder,
        contract: { number: contract.contract_number, productName: contract.product_name, kind: contract.kind, employerName: contract.employer_name, responsable: contract.responsable, startDate: contract.start_date, endDate: contract.end_date },
        validFrom, validUntil,
        beneficiaries: covered.map((b) => ({
          ...person(b),
          rights: covering.filter((p) => p.beneficiary_id === b.id).map((p) => `${p.kind === 'CONTRACT' ? `Contrat ${contract.product_name}` : AID_LABELS[p.kind]} du ${formatFrenchDate(p.start_date)} au ${formatFrenchDate(p.end_date)}`),
        })),
        aids: periodRows.rows
          .filter((p) => p.kind !== 'CONTRACT' && byId.has(p.beneficiary_id))
          .map((p) => {
            const b = byId.get(p.beneficiary_id)!;
            return { person: `${b.first_name} ${b.last_name}`, kind: p.kind, label: AID_LABELS[p.kind]!, startDate: p.start_date, endDate: p.end_date };
          }),
      },
    });
  }

  // Attestation fiscale: each past year with cotisations paid, newest first.
  const contributions = contributionRows.rows;
  const thisYear = Number(today.slice(0, 4));
  const paidYears = [...new Set(contributions.filter((k) => k.paid_on !== null).map((k) => Number(k.paid_on!.slice(0, 4))))].filter((y) => y < thisYear).sort((a, b) => b - a);
  for (const year of paidYears) {
    const paid = contributions.filter((k) => k.paid_on !== null && k.paid_on.startsWith(`${year}-`));
    const lines = contractRows.rows
      .map((c) => {
        const own = paid.filter((k) => k.contract_id === c.id);
        return { number: c.contract_number, productName: c.product_name, madelin: c.madelin, paidCents: own.reduce((s, k) => s + k.amount_cents, 0), instalments: own.length };
      })
      .filter((l) => l.instalments > 0);
    documents.push({
      kind: 'ATTESTATION_FISCALE',
      scope: String(year),
      facts: {
        kind: 'ATTESTATION_FISCALE', ...base, holder, year, contracts: lines,
        totalCents: lines.reduce((s, l) => s + l.paidCents, 0), madelinCents: lines.filter((l) => l.madelin).reduce((s, l) => s + l.paidCents, 0),
      },
    });
  }

  // Bulletin d'adhésion: one per signed contract, with the people it covered when it started.
  const address = m.street ? [m.recipient ?? '', m.complement ?? '', `${m.street_number ?? ''} ${m.street}`.trim(), `${m.address_postal_code} ${m.address_city}`].filter(Boolean) : [];
  for (const c of contractRows.rows) {
    if (!c.signed_at) continue;
    const startIds = new Set(periodRows.rows.filter((p) => p.contract_id === c.id).map((p) => p.beneficiary_id));
    const first = contributions.find((k) => k.contract_id === c.id);
    documents.push({
      kind: 'BULLETIN_ADHESION',
      scope: c.contract_number,
      facts: {
        kind: 'BULLETIN_ADHESION', ...base, contractNumber: c.contract_number, productName: c.product_name, contractKind: c.kind, employerName: c.employer_name,
        responsable: c.responsable, madelin: c.madelin, effectiveDate: c.start_date, signedOn: c.signed_at.toISOString().slice(0, 10), address, email: memberEmail,
        beneficiaries: beneficiaries.filter((b) => startIds.has(b.id)).map((b) => ({ ...person(b), amoScheme: b.amo_scheme, amoFund: b.amo_fund })),
        firstContributionCents: first ? first.amount_cents : null,
        paymentMethod: c.sepa_mandate_ref ? 'Prélèvement SEPA mensuel' : c.kind === 'COLLECTIVE' ? 'Précompte sur salaire par l’employeur' : 'Sans cotisation',
        mandate: mandateOf(c),
      },
    });
  }

  // Échéancier: the current year's instalments of each contract that has some.
  for (const c of contractRows.rows) {
    const lines = contributions.filter((k) => k.contract_id === c.id && k.due_date.startsWith(`${thisYear}-`));
    if (lines.length === 0) continue;
    documents.push({
      kind: 'ECHEANCIER',
      scope: `${thisYear} ${c.contract_number}`,
      facts: {
        kind: 'ECHEANCIER', ...base, holder, year: thisYear, contractNumber: c.contract_number, productName: c.product_name, mandate: mandateOf(c),
        lines: lines.map((k) => ({ periodStart: k.period_start, periodEnd: k.period_end, amountCents: k.amount_cents, dueDate: k.due_date, status: k.status })),
        totalCents: lines.reduce((s, k) => s + k.amount_cents, 0),
      },
    });
  }
  return documents;
}
