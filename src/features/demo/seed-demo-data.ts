import { liquidate, referenceProducts, type HistoryLine, type LineResult } from '../../domain/coverage/index.ts';
import { addMonths, ageOn, toIsoDate } from '../../domain/dates.ts';
import { ibanFromBban, ribKey } from '../../domain/identity/iban.ts';
import { computeNirKey, formatNir } from '../../domain/identity/nir.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { insertHousehold, type FieldKeys, type NewBeneficiary, type NewHousehold } from '../../db/repositories/household.ts';
import { insertOrganisation } from '../../db/repositories/organisation.ts';
import { randomCareEvent, type CareEvent } from './care-events.ts';
import { createRandom, type Random } from './random.ts';
import { seedContributions } from './seed-contributions.ts';

export const DEMO_AMC_NUMBER = '123456789';
const DEMO_SEED = 20_260_101;
/** The household of the example lot of domain.md §6.4 (ouvrant droit born 10/01/1985, rang 1, ESSENTIEL). */
const EXAMPLE_HOUSEHOLD = 5;
export const EXAMPLE_LOT_NIR = '185017505612324';

export type DemoLogin = { name: string; nir: string; memberNumber: string; situation: string };
export type SeedSummary = { households: number; beneficiaries: number; claimLines: number; logins: DemoLogin[] };
/** `years` of care history per household, the reference year included (3 unless said). */
export type SeedOptions = { households: number; referenceDate: string; keys: FieldKeys; years?: number };

const FIRST_F = ['Marie', 'Camille', 'Léa', 'Chloé', 'Inès', 'Sarah', 'Manon', 'Fatou', 'Nathalie', 'Sylvie', 'Élodie', 'Yasmine', 'Jeanne', 'Aurélie', 'Lucie'];
const FIRST_M = ['Jean', 'Lucas', 'Hugo', 'Karim', 'Thomas', 'Nicolas', 'Mamadou', 'Pierre', 'Antoine', 'Julien', 'Mehdi', 'François', 'Louis', 'Noé', 'Éric'];
const LAST = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèbvre', 'Michel', 'Garcia', 'Haddad', 'N’Diaye', 'Nguyen', 'Fontaine', 'Chevalier'];
const STREETS = ['rue de la République', 'avenue Jean Jaurès', 'rue Victor Hugo', 'boulevard Pasteur', 'impasse des Lilas', 'place du Marché', 'chemin des Vignes'];
const CITIES = [
  { postalCode: '75011', city: 'Paris', dept: '75', commune: '111' },
  { postalCode: '69003', city: 'Lyon', dept: '69', commune: '383' },
  { postalCode: '13001', city: 'Marseille', dept: '13', commune: '201' },
  { postalCode: '59000', city: 'Lille', dept: '59', commune: '350' },
  { postalCode: '20000', city: 'Ajaccio', dept: '2A', commune: '004' },
  { postalCode: '97400', city: 'Saint-Denis', dept: '974', commune: '11' },
  { postalCode: '33000', city: 'Bordeaux', dept: '33', commune: '063' },
];
const EMPLOYERS = [
  { name: 'Boulangerie Dupain SARL', siret: '41234567800017' },
  { name: 'Transports Valmont SAS', siret: '52345678900023' },
  { name: 'Association Aide à Domicile 13', siret: '78912345600011' },
];

/** Creates the demo mutuelle, its reference products and `households` households with `years` (3) years of history. */
export async function seedDemoData(db: Database, options: SeedOptions): Promise<SeedSummary> {
  const random = createRandom(DEMO_SEED);
  const years = options.years ?? 3;
  return db.transaction(async (tx) => {
    const organisation = await insertOrganisation(tx, {
      name: 'Mutuelle des Tilleuls',
      amcNumber: DEMO_AMC_NUMBER,
      addressLine1: '12 rue des Tilleuls',
      addressLine2: 'CS 40012',
      postalCode: '69003',
      city: 'Lyon',
      phone: '04 72 00 00 00',
      professionalPhone: '04 72 00 00 10',
      email: 'contact@mutuelle-tilleuls.example',
    });
    const productIds = new Map<string, string>();
    for (const product of referenceProducts) {
      const kind = product.code === 'CSS' ? 'CSS' : product.code.startsWith('ACS_') ? 'ACS' : 'STANDARD';
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO guarantee_product (organisation_id, code, name, kind, responsable) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [organisation.id, product.code, product.label, kind, product.responsible],
      );
      productIds.set(product.code, rows[0]!.id);
      for (const [index, version] of product.versions.entries()) {
        await tx.query(`INSERT INTO guarantee_table_version (product_id, version, valid_from, valid_to, guarantees) VALUES ($1, $2, $3, $4, $5)`, [
          rows[0]!.id, index + 1, version.validFrom, version.validTo, JSON.stringify(version),
        ]);
      }
    }
    const logins: DemoLogin[] = [];
    const usedNirs = new Set([EXAMPLE_LOT_NIR]);
    let beneficiaries = 0;
    let claimLines = 0;
    for (let n = 1; n <= options.households; n++) {
      const plan = planHousehold(random, n, options.referenceDate, years, usedNirs);
      const household: NewHousehold = { ...plan.household, organisationId: organisation.id, contracts: plan.household.contracts.map((c) => ({ ...c, productId: productIds.get(c.productId)! })) };
      const inserted = await insertHousehold(tx, options.keys, household);
      beneficiaries += inserted.beneficiaryIds.length;
      claimLines += await seedHistory(tx, random, n, plan, inserted.memberId, inserted.beneficiaryIds, options.referenceDate, years);
      if (n <= 4) {
        const self = household.beneficiaries[0]!;
        logins.push({ name: `${self.firstName} ${self.lastName}`, nir: formatNir(household.nir), memberNumber: household.memberNumber, situation: plan.situation });
      }
    }
    await seedContributions(tx, options.referenceDate, years);
    return { households: options.households, beneficiaries, claimLines, logins };
  });
}

type Coverage = { from: string; to: string; product: string; aid: 'NONE' | 'CSS' | 'CSS_PARTICIPATION' };
type HouseholdPlan = { household: Omit<NewHousehold, 'organisationId'>; coverage: Coverage[]; situation: string };

/** A NIR not given yet in this seed (two people born the same month in the same commune get different orders). */
function nirFor(random: Random, sex: 'F' | 'M', birthDate: string, place: { dept: string; commune: string }, used: Set<string>): string {
  for (;;) {
    const body = `${sex === 'M' ? 1 : 2}${birthDate.slice(2, 4)}${birthDate.slice(5, 7)}${place.dept}${place.commune}${String(random.int(1, 999)).padStart(3, '0')}`;
    const nir = body + computeNirKey(body);
    if (!used.has(nir)) {
      used.add(nir);
      return nir;
    }
  }
}

function randomBirthDate(random: Random, fromYear: number, toYear: number): string {
  return toIsoDate({ year: random.int(fromYear, toYear), month: random.int(1, 12), day: random.int(1, 28) });
}

function demoIban(random: Random): { iban: string; bic: string } {
  const bank = random.pick(['30004', '30002', '10278', '20041', '16807']);
  const branch = String(random.int(1, 99_999)).padStart(5, '0');
  const account = String(random.int(0, 99_999_999_999)).padStart(11, '0');
  const bban = `${bank}${branch}${account}${ribKey(bank, branch, account)}`;
  const bic = { '30004': 'BNPAFRPPXXX', '30002': 'CRLYFRPPXXX', '10278': 'CMCIFR2AXXX', '20041': 'PSSTFRPPXXX', '16807': 'CCBPFRPPGRE' }[bank]!;
  return { iban: ibanFromBban('FR', bban), bic };
}

/** Curated first households (the demo logins), then varied random ones. */
function planHousehold(random: Random, n: number, referenceDate: string, years: number, usedNirs: Set<string>): HouseholdPlan {
  const refYear = Number(referenceDate.slice(0, 4));
  const kind = n === 1 ? 'family' : n === 2 ? 'css' : n === 3 ? 'ex-acs' : n === 4 ? 'collective' : n === EXAMPLE_HOUSEHOLD ? 'single' : random.pick(['family', 'family', 'single', 'single', 'senior', 'css', 'css-participation', 'ex-acs', 'collective', 'couple']);
  const example = n === EXAMPLE_HOUSEHOLD;
  const place = example ? CITIES[0]! : random.pick(CITIES);
  const lastName = n === 1 ? 'Martin' : example ? 'Lambert' : random.pick(LAST);
  const selfSex: 'F' | 'M' = n === 1 || n === 2 ? 'F' : n === 3 || example ? 'M' : random.chance(0.5) ? 'F' : 'M';
  const selfBirth = n === 1 || example ? '1985-01-10' : kind === 'senior' || kind === 'ex-acs' ? randomBirthDate(random, 1940, 1960) : randomBirthDate(random, 1962, 2002);
  const selfNir = example ? EXAMPLE_LOT_NIR : nirFor(random, selfSex, selfBirth, place, usedNirs);
  const firstName = (sex: 'F' | 'M') => random.pick(sex === 'F' ? FIRST_F : FIRST_M);
  const person = (relationship: NewBeneficiary['relationship'], sex: 'F' | 'M', birthDate: string, insuredNir: string, ownNir: string | null, birthRank = 1, name?: string): NewBeneficiary => ({
    relationship, lastName, firstName: name ?? firstName(sex), sex, birthDate, birthRank, insuredNir, ownNir, amoFund: place.dept === '974' ? '974' : `0${place.dept.slice(0, 2)}`.slice(-3), noemie: random.chance(0.92) ? 'ACTIVE' : 'NONE',
  });
  const beneficiaries: NewBeneficiary[] = [person('SELF', selfSex, selfBirth, selfNir, selfNir, 1, n === 1 ? 'Marie' : n === 2 ? 'Karima' : n === 3 ? 'Jean' : example ? 'Julien' : undefined)];
  if (['family', 'couple', 'collective'].includes(kind) || (kind.startsWith('css') && random.chance(0.4))) {
    const sex: 'F' | 'M' = selfSex === 'F' ? 'M' : 'F';
    const birth = randomBirthDate(random, Number(selfBirth.slice(0, 4)) - 4, Number(selfBirth.slice(0, 4)) + 4);
    const nir = nirFor(random, sex, birth, place, usedNirs);
    beneficiaries.push(person('SPOUSE', sex, birth, nir, nir));
  }
  if (['family', 'css', 'css-participation', 'collective'].includes(kind)) {
    const children = n === 1 ? 3 : random.int(1, 3);
    for (let c = 0; c < children; c++) {
      const twin = n === 1 ? c === 2 : false;
      const birth = twin ? beneficiaries[beneficiaries.length - 1]!.birthDate : randomBirthDate(random, refYear - 17, refYear - 1);
      const sex: 'F' | 'M' = random.chance(0.5) ? 'F' : 'M';
      beneficiaries.push(person('CHILD', sex, birth, selfNir, null, twin ? 2 : 1));
    }
  }
  const historyStart = `${refYear - years}-01-01`;
  const contractStart = n <= EXAMPLE_HOUSEHOLD ? `${refYear - Math.max(6, years)}-01-01` : `${random.int(refYear - Math.max(12, years), refYear - years)}-${String(random.int(1, 12)).padStart(2, '0')}-01`;
  const contracts: NewHousehold['contracts'] = [];
  const rights: NewHousehold['rights'] = [];
  const coverage: Coverage[] = [];
  const memberNumber = `A${String(n).padStart(7, '0')}`;
  let situation: string;
  if (kind === 'css' || kind === 'css-participation') {
    const aid = kind === 'css' ? 'CSS' : 'CSS_PARTICIPATION';
    contracts.push({ contractNumber: `CSS-${memberNumber}`, kind: 'INDIVIDUAL', employerName: null, employerSiret: null, productId: 'CSS', responsable: true, startDate: historyStart, endDate: null, sepaMandateRef: aid === 'CSS' ? null : `SEPA-${memberNumber}` });
    for (let from = historyStart; from <= referenceDate; from = addMonths(from, 12)) {
      const to = addMonths(from, 12).replace(/-01$/, '-01');
      const end = dayBefore(to);
      coverage.push({ from, to: end, product: 'CSS', aid });
      beneficiaries.forEach((_, i) => rights.push({ beneficiaryIndex: i, kind: aid, startDate: from, endDate: end, contractIndex: 0 }));
    }
    situation = aid === 'CSS' ? 'Complémentaire santé solidaire (sans participation)' : 'Complémentaire santé solidaire (avec participation)';
  } else {
    const product = kind === 'family' && n !== 1 ? random.pick(['ESSENTIEL', 'CONFORT']) : kind === 'senior' || kind === 'ex-acs' || kind === 'single' ? 'ESSENTIEL' : 'CONFORT';
    const employer = kind === 'collective' ? (n === 4 ? EMPLOYERS[0]! : random.pick(EMPLOYERS)) : null;
    const start = kind === 'ex-acs' ? '2019-11-01' : contractStart;
    contracts.push({
      contractNumber: `C-${memberNumber}`, kind: employer ? 'COLLECTIVE' : 'INDIVIDUAL', employerName: employer?.name ?? null, employerSiret: employer?.siret ?? null,
      productId: product, responsable: true, startDate: start, endDate: null, sepaMandateRef: employer ? null : `SEPA-${memberNumber}`,
    });
    const periodEnd = `${refYear}-12-31`;
    beneficiaries.forEach((b, i) => rights.push({ beneficiaryIndex: i, kind: 'CONTRACT', startDate: b.birthDate > start ? b.birthDate : start, endDate: periodEnd, contractIndex: 0 }));
    coverage.push({ from: start, to: periodEnd, product, aid: 'NONE' });
    situation = `Contrat ${product}${employer ? ` collectif (${employer.name})` : ' individuel'}`;
    if (kind === 'ex-acs') {
      const level = n === 3 ? 'ACS_C' : random.pick(['ACS_A', 'ACS_B', 'ACS_C'] as const);
      contracts.push({ contractNumber: `ACS-${memberNumber}`, kind: 'INDIVIDUAL', employerName: null, employerSiret: null, productId: level, responsable: true, startDate: '2016-11-01', endDate: '2019-10-31', sepaMandateRef: null });
      for (const [from, to] of [['2016-11-01', '2017-10-31'], ['2017-11-01', '2018-10-31'], ['2018-11-01', '2019-10-31']] as const) {
        rights.push({ beneficiaryIndex: 0, kind: level, startDate: from, endDate: to, contractIndex: 1 });
      }
      situation = `Ancien bénéficiaire ACS (${level.slice(4)}), contrat ${product} depuis le 01/11/2019`;
    }
  }
  const withEmail = n === 3 ? false : random.chance(0.85);
  const self = beneficiaries[0]!;
  const slug = `${self.firstName}.${lastName}`.normalize('NFD').replace(/[^A-Za-z.]/g, '').toLowerCase();
  const bank = demoIban(random);
  const mobile = `+336${String(random.int(0, 99_999_999)).padStart(8, '0')}`;
  return {
    situation: withEmail ? situation : `${situation}, sans adresse email (courriers)`,
    coverage,
    household: {
      memberNumber,
      nir: selfNir,
      beneficiaries,
      contracts,
      rights,
      email: withEmail ? { address: `${slug}${n}@demo.example`, verified: random.chance(0.9) } : null,
      // The demo logins also have a landline, so that « Mes coordonnées » shows both (no random draw: the seed stays the same).
      phones: [...(random.chance(0.8) ? [{ kind: 'MOBILE' as const, e164: mobile }] : []), ...(n <= 4 ? [{ kind: 'LANDLINE' as const, e164: `+3347200${String(n).padStart(4, '0')}` }] : [])],
      address: { recipient: `${self.firstName} ${lastName}`.toUpperCase(), streetNumber: String(random.int(1, 120)), street: random.pick(STREETS), complement: random.chance(0.2) ? `Bâtiment ${random.pick(['A', 'B', 'C'])}` : null, postalCode: place.postalCode, city: place.city, country: 'FR' },
      bankAccount: { ...bank, holderName: `${self.firstName} ${lastName}`.toUpperCase() },
      createdAt: new Date(`${contractStart}T09:00:00Z`),
    },
  };
}

function dayBefore(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

type PendingLine = { statementKey: string; event: CareEvent; beneficiaryId: string; lineNumber: number; result: LineResult; liquidationDate: string };

/** `years` of care per beneficiary, liquidated by the coverage engine in date order (each line sees the counters before it). */
async function seedHistory(tx: Queryable, random: Random, n: number, plan: HouseholdPlan, memberId: string, beneficiaryIds: string[], referenceDate: string, years: number): Promise<number> {
  const pending: PendingLine[] = [];
  const refYear = Number(referenceDate.slice(0, 4));
  plan.household.beneficiaries.forEach((beneficiary, index) => {
    const history: HistoryLine[] = [];
    const age = ageOn(beneficiary.birthDate, referenceDate);
    const eventsPerYear = age >= 65 ? 22 : age < 6 ? 14 : 9;
    const dates: string[] = [];
    for (let year = refYear - years + 1; year <= refYear; year++) {
      for (let e = 0; e < random.int(eventsPerYear - 4, eventsPerYear + 4); e++) {
        const date = toIsoDate({ year, month: random.int(1, 12), day: random.int(1, 28) });
        if (date <= referenceDate && date >= beneficiary.birthDate) dates.push(date);
      }
    }
    dates.sort();
    dates.forEach((careDate, e) => {
      const coverage = plan.coverage.find((c) => c.from <= careDate && careDate <= c.to);
      if (!coverage) return;
      const event = randomCareEvent(random, careDate, ageOn(beneficiary.birthDate, careDate), coverage.aid !== 'NONE');
      const result = liquidate({ product: coverage.product, beneficiary: { birthDate: beneficiary.birthDate, aid: coverage.aid }, history, lines: event.lines });
      history.push(...result.lines);
      const liquidationDate = [addDays(careDate, random.int(1, 9)), referenceDate].sort()[0]!;
      result.lines.forEach((r, i) => pending.push({ statementKey: `${n}-${index}-${e}`, event, beneficiaryId: beneficiaryIds[index]!, lineNumber: i + 1, result: r, liquidationDate }));
    });
  });
  const statementIds = new Map<string, string>();
  const statements: unknown[][] = [[], [], [], [], []];
  for (const p of pending) {
    if (statementIds.has(p.statementKey)) continue;
    const id = random.uuid();
    statementIds.set(p.statementKey, id);
    [id, p.event.source, `D${p.statementKey}-${p.liquidationDate.replace(/-/g, '')}`, p.liquidationDate, `${p.liquidationDate}T06:00:00Z`].forEach((v, i) => statements[i]!.push(v));
  }
  await tx.query(
    `INSERT INTO statement (id, member_id, source, statement_number, liquidation_date, received_at)
     SELECT id, $1, source, statement_number, liquidation_date, received_at
       FROM unnest($2::uuid[], $3::text[], $4::text[], $5::date[], $6::timestamptz[]) AS s(id, source, statement_number, liquidation_date, received_at)`,
    [memberId, ...statements],
  );
  for (let start = 0; start < pending.length; start += 400) {
    await insertClaimLines(tx, random, pending.slice(start, start + 400), statementIds, memberId, referenceDate);
  }
  return pending.length;
}

async function insertClaimLines(tx: Queryable, random: Random, lines: PendingLine[], statementIds: Map<string, string>, memberId: string, referenceDate: string): Promise<void> {
  const columns: unknown[][] = Array.from({ length: 31 }, () => []);
  const statuses: [string, string, string][] = [];
  for (const p of lines) {
    const r = p.result;
    const id = random.uuid();
    const age = daysBetween(p.liquidationDate, referenceDate);
    const status = age < 2 ? 'RECEIVED' : age < 5 ? 'LIQUIDATED' : 'PAID';
    const paidAt = status === 'PAID' ? addDays(p.liquidationDate, 2) : null;
    // Received and liquidated are columns of the line; the transfer is a later change (ADR 010).
    if (paidAt) statuses.push([id, 'PAID', `${paidAt}T10:00:00Z`]);
    [
      id, statementIds.get(p.statementKey), memberId, p.beneficiaryId, p.lineNumber, r.careDate, r.family, r.act ?? '', r.basket, p.event.provider,
      r.quantity, r.pathway, r.optam, r.priceCapCents, r.chargedCents, r.baseCents, r.amoRateBp, r.amoCents, r.flatFeeCents, r.deductibleCents, r.amoNetCents, r.amcCents, r.remainingCents,
      p.event.thirdPartyPayment, r.rule, r.explanation, status, paidAt,
      `${p.liquidationDate}T06:00:00Z`, status === 'RECEIVED' ? null : `${addDays(p.liquidationDate, 1)}T08:00:00Z`, p.event.source,
    ].forEach((value, i) => columns[i]!.push(value));
  }
  await tx.query(
    `INSERT INTO claim_line (id, statement_id, member_id, beneficiary_id, line_number, care_date, family, act_code, basket, provider_name,
       quantity, pathway, optam, price_cap_cents,
       charged_cents, base_cents, amo_rate_bp, amo_cents, flat_fee_cents, deductible_cents, amo_net_cents, amc_cents, remaining_cents,
       third_party_payment, rule, explanation, status, paid_at, received_at, liquidated_at, source)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::int[], $6::date[], $7::text[], $8::text[], $9::text[], $10::text[],
       $11::int[], $12::text[], $13::boolean[], $14::int[],
       $15::int[], $16::int[], $17::int[], $18::int[], $19::int[], $20::int[], $21::int[], $22::int[], $23::int[],
       $24::boolean[], $25::text[], $26::text[], $27::text[], $28::date[], $29::timestamptz[], $30::timestamptz[], $31::text[])`,
    columns,
  );
  await tx.query(`INSERT INTO claim_line_status (claim_line_id, status, changed_at) SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[])`, [
    statuses.map((s) => s[0]), statuses.map((s) => s[1]), statuses.map((s) => s[2]),
  ]);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
