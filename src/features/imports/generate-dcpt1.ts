/**
 * Synthetic DCPT1 lots (issue 5, docs/formats/dcpt1.md): realistic décomptes for the given beneficiaries, for
 * demos and benchmarks, streamed as byte chunks so that a million lines never sit in memory. The same people, options
 * and seed give the same bytes. With `corrupt`, the lot carries exactly one defect of that kind, at a line the summary
 * (and `expectedDefect`) reports, so that every validation error of the parser can be exercised on demand.
 *
 * Codes (CCAM, NABM, CIP13, LPP) have the right format and plausible values; they are not a reference table.
 */
import { DCPT1_ERROR_CODES, type Dcpt1ErrorCode } from '../../domain/claims/dcpt1.ts';
import { ageOn, isIsoDate } from '../../domain/dates.ts';
import { computeNirKey, isValidNir } from '../../domain/identity/nir.ts';
import { applyRateBp } from '../../domain/money.ts';

/** One defect per validation error the parser knows: every code but TOO_MANY_ERRORS, which no single defect raises. */
export type Dcpt1CorruptKind = Exclude<Dcpt1ErrorCode, 'TOO_MANY_ERRORS'>;
export const DCPT1_CORRUPT_KINDS: readonly Dcpt1CorruptKind[] = DCPT1_ERROR_CODES.filter((code): code is Dcpt1CorruptKind => code !== 'TOO_MANY_ERRORS');

export function isCorruptKind(value: string): value is Dcpt1CorruptKind {
  return (DCPT1_CORRUPT_KINDS as readonly string[]).includes(value);
}

/** A beneficiary the lot may carry décomptes for (the NIRs stay in memory and in the file, never in a log). */
export interface Dcpt1Person {
  /** NIR of the ouvrant droit (15 characters, valid key). */
  insuredNir: string;
  /** The beneficiary's own NIR when known (written in the B record), else null. */
  ownNir?: string | null;
  birthDate: string;
  birthRank: number;
  quality: 'ASS' | 'CJT' | 'ENF';
  /** AMO régime (2 digits, default 01) and caisse (3 digits, default 751). */
  scheme?: string;
  fund?: string;
  /** Rights of the beneficiary (ISO dates): care dates stay inside, and inside the window before `today`. */
  rightsFrom?: string;
  rightsTo?: string;
  /** Complémentaire santé solidaire: no participation forfaitaire, no franchise. */
  solidarity?: boolean;
}

export interface Dcpt1GeneratorOptions {
  /** Number of L records (décompte lines). */
  lines: number;
  seed: number;
  /** The lot's date (YYYY-MM-DD): creation, liquidations and care are on or before it. */
  today: string;
  senderId?: string;
  /** Default: the seed on 6 digits at least. At most 20 characters (statement ids embed it). */
  batchNumber?: string;
  amcNumber?: string;
  /** Share of décomptes for beneficiaries that are not in `people` (valid NIRs all the same), 0 to 1. */
  unknownShare?: number;
  /** Care dates fall within this many days before `today` (default 60). */
  windowDays?: number;
  corrupt?: Dcpt1CorruptKind | null;
}

export interface Dcpt1Defect {
  /** 1-based line of the file where the parser reports the defect (its first error). */
  line: number;
  code: Dcpt1ErrorCode;
}

export interface Dcpt1GenerationSummary {
  batchNumber: string;
  /** D records written, and how many for beneficiaries outside `people`. */
  statements: number;
  unknownStatements: number;
  /** L records written. */
  lines: number;
  /** Records (lines of the file) and bytes written. */
  records: number;
  bytes: number;
  /** The T record as written: what the parser counts, unless the defect is about the trailer. */
  trailer: { statements: number; lines: number; chargedCents: number; baseCents: number; amoCents: number };
  defect: Dcpt1Defect | null;
}

/** A lot to stream: each iteration generates it again (same bytes); `summary` describes the last complete one. */
export interface Dcpt1Lot extends Iterable<Uint8Array> {
  readonly summary: Dcpt1GenerationSummary | null;
}

/** Lines a lot needs for a defect: two lines in the defective décompte, and one décompte before it for a duplicate. */
export function minimumLines(kind: Dcpt1CorruptKind | null | undefined): number {
  return !kind ? 1 : kind === 'DUPLICATE_STATEMENT' ? 3 : 2;
}

export const MAX_GENERATED_LINES = 10_000_000;

export function generateDcpt1(people: readonly Dcpt1Person[], options: Dcpt1GeneratorOptions): Dcpt1Lot {
  const settings = checkOptions(options);
  people.forEach(checkPerson);
  let summary: Dcpt1GenerationSummary | null = null;
  return {
    get summary() {
      return summary;
    },
    *[Symbol.iterator]() {
      summary = null;
      summary = yield* generate(people, settings);
    },
  };
}

/** Where the parser will report the defect of this lot (generates the lot once, without keeping it). */
export function expectedDefect(people: readonly Dcpt1Person[], options: Dcpt1GeneratorOptions): Dcpt1Defect | null {
  const lot = generateDcpt1(people, options);
  for (const _chunk of lot);
  return lot.summary!.defect;
}

// The messages never quote a NIR: they may reach a log.
function checkPerson(person: Dcpt1Person, index: number): void {
  const fail = (what: string) => {
    throw new RangeError(`people[${index}]: ${what}`);
  };
  if (!/^[0-9][0-9AB]{14}$/.test(person.insuredNir) || !isValidNir(person.insuredNir)) fail('insuredNir is not a valid NIR');
  if (person.ownNir && (!/^[0-9][0-9AB]{14}$/.test(person.ownNir) || !isValidNir(person.ownNir))) fail('ownNir is not a valid NIR');
  if (!isIsoDate(person.birthDate)) fail('birthDate must be YYYY-MM-DD');
  if (!Number.isInteger(person.birthRank) || person.birthRank < 1 || person.birthRank > 9) fail('birthRank must be 1 to 9');
  if (!['ASS', 'CJT', 'ENF'].includes(person.quality)) fail('quality must be ASS, CJT or ENF');
  for (const key of ['rightsFrom', 'rightsTo'] as const) if (person[key] !== undefined && !isIsoDate(person[key])) fail(`${key} must be YYYY-MM-DD`);
}

type Settings = Required<Omit<Dcpt1GeneratorOptions, 'corrupt'>> & { corrupt: Dcpt1CorruptKind | null };

function checkOptions(options: Dcpt1GeneratorOptions): Settings {
  const corrupt = options.corrupt ?? null;
  const settings: Settings = {
    lines: options.lines,
    seed: options.seed,
    today: options.today,
    senderId: options.senderId ?? 'CPAM751',
    batchNumber: options.batchNumber ?? String(options.seed).padStart(6, '0'),
    amcNumber: options.amcNumber ?? '123456789',
    unknownShare: options.unknownShare ?? 0,
    windowDays: options.windowDays ?? 60,
    corrupt,
  };
  if (!Number.isInteger(settings.lines) || settings.lines < minimumLines(corrupt) || settings.lines > MAX_GENERATED_LINES) {
    throw new RangeError(`lines must be an integer from ${minimumLines(corrupt)} to ${MAX_GENERATED_LINES}`);
  }
  if (!Number.isInteger(settings.seed) || settings.seed < 0 || settings.seed > 0xffff_ffff) throw new RangeError('seed must be an integer from 0 to 2^32 - 1');
  if (!isIsoDate(settings.today)) throw new RangeError('today must be YYYY-MM-DD');
  if (!/^[A-Za-z0-9_-]{1,20}$/.test(settings.batchNumber)) throw new RangeError('batchNumber: 1 to 20 letters, digits, _ or -');
  if (!/^[A-Za-z0-9_-]{1,30}$/.test(settings.senderId)) throw new RangeError('senderId: 1 to 30 letters, digits, _ or -');
  if (!/^[0-9]{1,10}$/.test(settings.amcNumber)) throw new RangeError('amcNumber: 1 to 10 digits');
  if (!(settings.unknownShare >= 0 && settings.unknownShare <= 1)) throw new RangeError('unknownShare must be between 0 and 1');
  if (!Number.isInteger(settings.windowDays) || settings.windowDays < 2 || settings.windowDays > 366) throw new RangeError('windowDays must be an integer from 2 to 366');
  if (corrupt !== null && !isCorruptKind(corrupt)) throw new RangeError(`unknown corrupt kind ${String(corrupt)}`);
  return settings;
}

/**
 * The demo data's PRNG (mulberry32, features/demo/random.ts) as a class: one shape for every lot, so that the hot loop
 * stays monomorphic when several lots are generated in one process.
 */
class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

// ————————————————————————————————————————————————————————— reference data (plausible, not a nomenclature)

const DAY_MS = 86_400_000;
/** Dates reach this far before the window (prescriptions: an optician's up to 300 days before the sale). */
const PRESCRIPTION_REACH = 320;
const FUTURE_REACH = 12;
const CHUNK_BYTES = 256 * 1024;

/** Technical acts billed with a consultation (CCAM ATM): code and base in cents. */
const OFFICE_ACTS: readonly (readonly [string, number])[] = [['DEQP003', 1426], ['GLQP012', 4032], ['BGQP002', 2800], ['QZFA036', 4180], ['JKHD001', 1134]];
const IMAGING: readonly (readonly [string, string, number])[] = [
  ['ADI', 'ZBQK002', 2128], ['ADI', 'NFQK001', 2793], ['ADI', 'MZQK002', 1995], ['ADI', 'LHQK001', 3059], ['ADI', 'QEQK004', 6668],
  ['ADE', 'ZCQM006', 5670], ['ADE', 'JNQM001', 3575], ['ADE', 'ELQM001', 7560], ['ADE', 'ZCQJ003', 5040],
];
const DENTAL_CARE: readonly (readonly [string, number])[] = [['HBJD001', 2892], ['HBMD049', 3374], ['HBMD050', 4338], ['HBBD005', 4270], ['HBGD035', 3344], ['HBQK002', 2100], ['HBFD010', 8196]];
const SURGERY: readonly (readonly [string, number])[] = [['NFMC003', 27_158], ['HHFA016', 26_754], ['LMMA006', 33_632], ['JKFA015', 21_943], ['BFGA004', 27_162], ['QEFA003', 19_845]];
const ANAESTHESIA: readonly (readonly [string, number])[] = [['ZZLP025', 9_614], ['ZZLP030', 12_540], ['ZZLP054', 7_315]];
const LAB_CODES = ['1104', '0593', '1610', '0996', '1208', '0552', '1127', '0322', '7335', '4340', '0578', '1806'];
const SPECIALTIES = ['03', '05', '07', '11', '12', '14', '15', '15'];
const CARE_DEPARTMENTS: readonly (readonly [string, string])[] = [['75', '056'], ['69', '383'], ['13', '055'], ['59', '350'], ['33', '063'], ['31', '555'], ['44', '109'], ['67', '482'], ['2A', '004'], ['974', '11'], ['99', '134']];

interface Drug { cip: string; code: 'PH1' | 'PH7' | 'PH4' | 'PH2'; rate: number; unit: number }
interface Doctor { id: string; specialty: string; sector: '1' | '2'; optam: '' | 'O' | 'N' }
interface Pools {
  gps: string[];
  specialists: Doctor[];
  radiologists: Doctor[];
  surgeons: Doctor[];
  anaesthetists: Doctor[];
  pharmacies: string[];
  labs: string[];
  nurses: string[];
  dentists: string[];
  opticians: string[];
  audiologists: string[];
  carriers: string[];
  hospitals: string[];
  drugs: Drug[];
}

const digits = (random: Random, count: number): string => {
  let text = String(random.int(1, 9));
  while (text.length < count) text += String(random.int(0, 9));
  return text;
};
const rpps = (random: Random) => `10${digits(random, 9)}`;
const ean13 = (twelve: string): string => {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(twelve[i]) * (i % 2 === 0 ? 1 : 3);
  return twelve + String((10 - (sum % 10)) % 10);
};

function createPools(random: Random): Pools {
  const list = <T>(count: number, make: () => T): T[] => Array.from({ length: count }, make);
  const doctor = (specialties: readonly string[], sector1Share: number): Doctor => {
    const sector = random.chance(sector1Share) ? '1' : '2';
    return { id: rpps(random), specialty: random.pick(specialties), sector, optam: sector === '1' ? '' : random.chance(0.55) ? 'O' : 'N' };
  };
  const drugs = list(240, (): Drug => {
    const roll = random.next();
    const code = roll < 0.62 ? 'PH7' : roll < 0.8 ? 'PH4' : roll < 0.92 ? 'PH2' : 'PH1';
    const rate = { PH1: 10_000, PH7: 6_500, PH4: 3_000, PH2: 1_500 }[code];
    const unit = code === 'PH1' ? random.int(8, 400) * 50 : random.int(150, code === 'PH7' ? 3_800 : 1_200);
    return { cip: ean13(`34009${digits(random, 7)}`), code, rate, unit };
  });
  return {
    gps: list(400, () => rpps(random)),
    specialists: list(300, () => doctor(SPECIALTIES, 0.4)),
    radiologists: list(60, () => doctor(['06'], 0.75)),
    surgeons: list(80, () => doctor(['04', '41', '11'], 0.3)),
    anaesthetists: list(40, () => doctor(['02'], 0.4)),
    pharmacies: list(150, () => digits(random, 9)),
    labs: list(60, () => digits(random, 9)),
    nurses: list(300, () => rpps(random)),
    dentists: list(150, () => rpps(random)),
    opticians: list(80, () => digits(random, 9)),
    audiologists: list(40, () => digits(random, 9)),
    carriers: list(80, () => digits(random, 9)),
    hospitals: list(40, () => `${random.pick(['75', '69', '13', '59', '33', '2A', '31', '44'])}${digits(random, 7)}`),
    drugs,
  };
}

// ————————————————————————————————————————————————————————— people

interface Prepared {
  scheme: string;
  fund: string;
  centre: string;
  insuredNir: string;
  /** D record between the dates: `|régime|caisse|centre|NIR|`. */
  statementMiddle: Uint8Array;
  /** B record after the statement id: `|NIR?|naissance|rang|qualité`. */
  beneficiaryTail: Uint8Array;
  age: number;
  /** Care window as day offsets from today (≤ 0). */
  from: number;
  to: number;
  /** 18 or over and not CSS: pays the participation forfaitaire and the franchises. */
  adultPayer: boolean;
  solidarity: boolean;
  gp: string;
  weight: number;
}

const dayOffset = (base: number, iso: string) => Math.round((Date.parse(`${iso}T00:00:00Z`) - base) / DAY_MS);

function prepare(person: Dcpt1Person, base: number, settings: Settings, random: Random, gps: readonly string[]): Prepared {
  const age = ageOn(person.birthDate, settings.today);
  const bounds = [-settings.windowDays, dayOffset(base, person.birthDate)];
  if (person.rightsFrom) bounds.push(dayOffset(base, person.rightsFrom));
  const from = Math.max(...bounds);
  const to = Math.min(0, person.rightsTo ? dayOffset(base, person.rightsTo) : 0);
  const fund = person.fund && /^[0-9]{3}$/.test(person.fund) ? person.fund : person.fund ? person.fund.replace(/[^0-9]/g, '0').padStart(3, '0').slice(-3) : '751';
  const scheme = person.scheme && /^[0-9]{2}$/.test(person.scheme) ? person.scheme : '01';
  const centre = String(random.int(1, 40)).padStart(4, '0');
  return {
    scheme,
    fund,
    centre,
    insuredNir: person.insuredNir,
    statementMiddle: Buffer.from(`|${scheme}|${fund}|${centre}|${person.insuredNir}|`, 'latin1'),
    beneficiaryTail: Buffer.from(`|${person.ownNir ?? ''}|${person.birthDate.replaceAll('-', '')}|${person.birthRank}|${person.quality}`, 'latin1'),
    age,
    from,
    to,
    adultPayer: age >= 18 && !person.solidarity,
    solidarity: person.solidarity === true,
    gp: random.pick(gps),
    weight: age >= 65 ? 2.5 : age < 6 ? 1.5 : 1,
  };
}

function syntheticNir(random: Random, birthDate: string): string {
  const [department, commune] = random.pick(CARE_DEPARTMENTS);
  const place = department === '99' ? `99${commune}` : `${department}${commune}`;
  const body = `${random.int(1, 2)}${birthDate.slice(2, 4)}${birthDate.slice(5, 7)}${place}${String(random.int(1, 999)).padStart(3, '0')}`;
  return body + computeNirKey(body);
}

/** Someone the mutuelle does not know (yet): a valid NIR that is none of the known ouvrants droit. */
function unknownPerson(random: Random, base: number, settings: Settings, known: ReadonlySet<string>, gps: readonly string[]): Prepared {
  const year = Number(settings.today.slice(0, 4));
  const date = (from: number, to: number) => `${random.int(from, to)}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`;
  const parentBirth = date(year - 85, year - 20);
  let insuredNir = syntheticNir(random, parentBirth);
  while (known.has(insuredNir)) insuredNir = syntheticNir(random, parentBirth);
  const child = random.chance(0.25);
  let birthDate = child ? date(year - 17, year - 1) : parentBirth;
  if (birthDate > settings.today) birthDate = parentBirth;
  const person: Dcpt1Person = { insuredNir, ownNir: child ? null : insuredNir, birthDate, birthRank: 1, quality: child ? 'ENF' : 'ASS', fund: random.pick(['751', '692', '131', '593', '331']) };
  return prepare(person, base, settings, random, gps);
}

// ————————————————————————————————————————————————————————— décompte lines

/** One L record before it is written (day offsets from today for dates). A class: one object shape for every line. */
class Line {
  end: number;
  qty = 1;
  coef = '';
  amo: number;
  pf = 0;
  franchise = 0;
  overrun = 0;
  exo = '';
  pathway: 'I' | 'H' | 'N' = 'N';
  ps = '';
  spec = '';
  sector = '';
  optam = '';
  finess = '';
  prescriber = '';
  prescribed: number | null = null;
  tp = '0';
  basket = '';

  constructor(
    public start: number,
    public system: string,
    public code: string,
    public detail: string,
    public fr: number,
    public br: number,
    public rate: number,
  ) {
    this.end = start;
    this.amo = applyRateBp(br, rate);
  }
}

type LineFields = Partial<Omit<Line, 'start' | 'system' | 'code' | 'detail' | 'fr' | 'br' | 'rate' | 'amo'>>;

function line(start: number, system: string, code: string, detail: string, fr: number, br: number, rate: number, rest?: LineFields): Line {
  const result = new Line(start, system, code, detail, fr, br, rate);
  return rest ? Object.assign(result, rest) : result;
}

interface Event {
  lines: Line[];
  /** AMO paid the professional (tiers payant): D destinataire P. */
  toProvider: boolean;
}

const tiersPayant = (random: Random, both: number, amoOnly: number): string => {
  const roll = random.next();
  return roll < both ? 'AMO+AMC' : roll < both + amoOnly ? 'AMO' : '0';
};

/** Statement kinds by age group (children, adults, 60 and over), as cumulative weights. */
const KINDS = ['consultation', 'pharmacy', 'lab', 'paramedical', 'dental', 'prosthesis', 'optics', 'hearing', 'imaging', 'hospital', 'transport'] as const;
type Kind = (typeof KINDS)[number];
const WEIGHTS: Record<'child' | 'adult' | 'senior', readonly number[]> = {
  child: [38, 30, 5, 6, 9, 0.3, 4, 0, 5, 1.2, 0.5],
  adult: [30, 30, 9, 7, 7, 1.5, 3, 0.3, 6, 1.5, 1],
  senior: [26, 34, 10, 9, 4, 2, 2.5, 1.5, 5, 2.5, 3],
};
const CUMULATIVE = Object.fromEntries(
  Object.entries(WEIGHTS).map(([group, weights]) => {
    const total = weights.reduce((a, b) => a + b, 0);
    let sum = 0;
    return [group, weights.map((w) => (sum += w) / total)];
  }),
) as Record<keyof typeof WEIGHTS, number[]>;

function pickKind(random: Random, age: number): Kind {
  const table = CUMULATIVE[age < 18 ? 'child' : age >= 60 ? 'senior' : 'adult'];
  const roll = random.next();
  let index = 0;
  while (index < table.length - 1 && roll >= table[index]!) index++;
  return KINDS[index]!;
}

/** Fits a care of `span` days (start..start+span) inside the window; returns the start. */
function placeSpan(random: Random, p: Prepared, span: number, latest = p.to): number {
  const last = Math.max(p.from, latest - span);
  return random.int(p.from, last);
}

interface EventContext {
  random: Random;
  pools: Pools;
  person: Prepared;
  maxLines: number;
}

/** A doctor's act in the office: dépassement by sector, PF 2 € for adults (a module function: no closure per call). */
function doctorFee(
  random: Random, p: Prepared, doctor: Doctor, start: number, rate: number, pathway: 'I' | 'H', exo: string, tp: string,
  system: string, act: string, detail: string, br: number,
): Line {
  const overrun = doctor.sector === '1' ? 0 : doctor.optam === 'O' ? 500 * random.int(0, 4) : random.int(10, 45) * 100;
  const result = new Line(start, system, act, detail, br + overrun, br, rate);
  result.overrun = overrun;
  result.pathway = pathway;
  result.exo = exo;
  result.tp = tp;
  result.ps = doctor.id;
  result.spec = doctor.specialty;
  result.sector = doctor.sector;
  result.optam = doctor.optam;
  result.pf = p.adultPayer ? Math.min(200, result.amo) : 0;
  return result;
}

function consultation(c: EventContext, forceTechnical: boolean, latest: number): Event {
  const { random, pools, person: p } = c;
  const start = placeSpan(random, p, 0, latest);
  const specialist = !forceTechnical && random.chance(p.age < 16 ? 0.15 : 0.3);
  const ald = !forceTechnical && p.age >= 50 && random.chance(0.1);
  const outOfPathway = !forceTechnical && !ald && p.age >= 16 && random.chance(0.05);
  const rate = ald ? 10_000 : outOfPathway ? 3_000 : 7_000;
  let doctor: Doctor;
  let code: string;
  let base: number;
  if (specialist) {
    doctor = random.pick(pools.specialists);
    const roll = random.next();
    code = roll < 0.8 ? 'CS' : roll < 0.92 ? 'APC' : 'TC';
    base = code === 'APC' ? 6_000 : code === 'TC' ? 2_500 : doctor.sector === '1' || doctor.optam === 'O' ? 3_150 : 2_300;
  } else {
    doctor = { id: random.chance(0.85) ? p.gp : random.pick(pools.gps), specialty: '01', sector: '1', optam: '' };
    const roll = random.next();
    code = roll < (p.age >= 75 ? 0.7 : 0.86) ? 'G' : roll < 0.93 ? 'TCG' : 'VG';
    base = code === 'VG' ? 4_000 : code === 'TCG' ? 2_500 : p.age < 6 ? 3_500 : 3_000;
  }
  const pathway = outOfPathway ? 'H' : 'I';
  const exo = ald ? 'ALD' : '';
  const tp = p.solidarity ? 'AMO+AMC' : tiersPayant(random, 0.05, 0.1);
  const lines = [doctorFee(random, p, doctor, start, rate, pathway, exo, tp, 'NGAP', code, '', base)];
  if (c.maxLines >= 2 && (forceTechnical || random.chance(0.12))) {
    const [detail, br] = random.pick(OFFICE_ACTS);
    lines.push(doctorFee(random, p, doctor, start, rate, pathway, exo, tp, 'CCAM', 'ATM', detail, br));
  }
  return { lines, toProvider: tp !== '0' };
}

function pharmacy(c: EventContext): Event {
  const { random, pools, person: p } = c;
  const start = placeSpan(random, p, 0);
  const roll = random.next();
  const count = Math.min(c.maxLines, roll < 0.35 ? 1 : roll < 0.65 ? 2 : roll < 0.85 ? 3 : 4);
  const ald = p.age >= 50 && random.chance(0.15);
  const tp = tiersPayant(random, 0.85, 0.1);
  const ps = random.pick(pools.pharmacies);
  const prescriber = random.chance(0.75) ? p.gp : random.pick(pools.specialists).id;
  const prescribed = start - random.int(0, 20);
  const lines: Line[] = [];
  for (let i = 0; i < count; i++) {
    const drug = random.pick(pools.drugs);
    const qty = random.chance(0.7) ? 1 : random.int(2, 3);
    const rate = ald && drug.code !== 'PH2' ? 10_000 : drug.rate;
    const l = new Line(start, 'PHA', drug.code, drug.cip, drug.unit * qty, drug.unit * qty, rate);
    l.qty = qty;
    if (ald && rate === 10_000 && drug.code !== 'PH1') l.exo = 'ALD';
    l.ps = ps;
    l.spec = '50';
    l.prescriber = prescriber;
    l.prescribed = prescribed;
    l.tp = tp;
    l.franchise = p.adultPayer ? Math.min(100 * qty, l.amo) : 0;
    lines.push(l);
  }
  return { lines, toProvider: tp !== '0' };
}

function lab(c: EventContext): Event {
  const { random, pools, person: p } = c;
  const start = placeSpan(random, p, 0);
  const count = Math.min(c.maxLines, random.int(1, 3));
  const ald = p.age >= 50 && random.chance(0.12);
  const tp = tiersPayant(random, 0.8, 0.15);
  const ps = random.pick(pools.labs);
  const prescriber = random.chance(0.8) ? p.gp : random.pick(pools.specialists).id;
  const prescribed = start - random.int(0, 15);
  const lines: Line[] = [];
  for (let i = 0; i < count; i++) {
    const coefficient = random.int(5, 70);
    const base = coefficient * 27;
    const l = new Line(start, 'NABM', 'B', random.pick(LAB_CODES), base, base, ald ? 10_000 : 6_000);
    l.coef = String(coefficient);
    if (ald) l.exo = 'ALD';
    l.ps = ps;
    l.spec = '38';
    l.prescriber = prescriber;
    l.prescribed = prescribed;
    l.tp = tp;
    if (i === 0 && p.adultPayer) l.pf = Math.min(200, l.amo);
    lines.push(l);
  }
  return { lines, toProvider: tp !== '0' };
}

function paramedical(c: EventContext): Event {
  const { random, pools, person: p } = c;
  const roll = random.next();
  const [code, specialty, unitMin, unitMax, maxSessions, step] = (
    roll < 0.45 ? ['AMK', '26', 1_600, 2_200, 10, 2] : roll < 0.8 ? ['AMI', '24', 900, 2_500, 8, 1] : roll < 0.88 ? ['AMO', '28', 2_400, 3_400, 8, 3] : roll < 0.93 ? ['AMY', '29', 1_500, 2_500, 4, 7] : ['AMP', '27', 2_000, 2_800, 2, 14]
  ) as [string, string, number, number, number, number];
  const sessions = random.int(1, maxSessions);
  const wanted = (sessions - 1) * step;
  const span = Math.min(wanted, p.to - p.from);
  const start = placeSpan(random, p, span);
  const unit = random.int(unitMin / 10, unitMax / 10) * 10;
  const ald = p.age >= 60 && random.chance(0.2);
  const l = line(start, 'NGAP', code, '', unit * sessions, unit * sessions, ald ? 10_000 : 6_000, {
    end: start + span, qty: sessions, coef: code === 'AMK' ? '7.5' : code === 'AMI' ? '3' : '', exo: ald ? 'ALD' : '',
    ps: random.pick(pools.nurses), spec: specialty, prescriber: p.gp, prescribed: start - random.int(1, 30), tp: tiersPayant(random, 0.1, 0.4),
  });
  l.franchise = p.adultPayer ? Math.min(100 * sessions, l.amo) : 0;
  return { lines: [l], toProvider: l.tp !== '0' };
}

function dental(c: EventContext): Event {
  const { random, pools, person: p } = c;
  const start = placeSpan(random, p, 0);
  const count = Math.min(c.maxLines, random.chance(0.65) ? 1 : 2);
  const tp = tiersPayant(random, 0.05, 0.2);
  const ps = random.pick(pools.dentists);
  const lines: Line[] = [];
  for (let i = 0; i < count; i++) {
    const [detail, base] = random.pick(DENTAL_CARE);
    const l = new Line(start, 'DEN', 'SDE', detail, base, base, 6_000);
    l.ps = ps;
    l.spec = '19';
    l.tp = tp;
    lines.push(l);
  }
  return { lines, toProvider: tp !== '0' };
}

function prosthesis(c: EventContext): Event {
  const { random, pools, person: p } = c;
  const start = placeSpan(random, p, 0);
  const tp = tiersPayant(random, 0.4, 0.1);
  const ps = random.pick(pools.dentists);
  const roll = random.next();
  const [basket, detail, charged] = (
    roll < 0.45 ? ['RAC0', 'HBLD490', random.pick([29_000, 50_000])] : roll < 0.8 ? ['MAITRISE', 'HBLD634', random.int(45, 55) * 1_000] : ['LIBRE', 'HBLD036', random.int(60, 100) * 1_000]
  ) as [string, string, number];
  const lines: Line[] = [];
  if (c.maxLines >= 2 && random.chance(0.4)) {
    const [care, base] = random.pick(DENTAL_CARE);
    lines.push(line(start, 'DEN', 'SDE', care, base, base, 6_000, { ps, spec: '19', tp }));
  }
  lines.push(line(start, 'DEN', 'PDT', detail, charged, 12_000, 6_000, { overrun: charged - 12_000, ps, spec: '19', tp, basket }));
  return { lines, toProvider: tp !== '0' };
}

function optics(c: EventContext): Event {
  const { random, pools, person: p } = c;
  const start = placeSpan(random, p, 0);
  const classA = !p.adultPayer && p.age >= 18 ? true : random.chance(0.25);
  const roll = random.next();
  const lens = p.age >= 45 ? (roll < 0.25 ? 'OPS' : roll < 0.85 ? 'OPC' : 'OPT') : roll < 0.85 ? 'OPS' : 'OPC';
  const tp = tiersPayant(random, 0.75, 0);
  const common = { ps: random.pick(pools.opticians), prescriber: random.pick(pools.specialists).id, prescribed: start - random.int(10, 300), tp, basket: classA ? 'A' : 'B' };
  const lines: Line[] = [];
  if (c.maxLines >= 2) {
    const [charged, base] = classA ? [3_000, 900] : [random.int(60, 250) * 100, 5];
    lines.push(line(start, 'LPP', 'OPM', classA ? '2210546' : '2223342', charged, base, 6_000, { ...common, overrun: charged - base }));
  }
  const perLens = classA ? (lens === 'OPS' ? [4_500, 1_350] : lens === 'OPC' ? [8_000, 2_400] : [9_000, 2_700]) : [random.int(lens === 'OPS' ? 50 : 120, lens === 'OPS' ? 180 : 350) * 100, 5];
  const code = lens === 'OPS' ? (classA ? '2203240' : '2259966') : lens === 'OPC' ? (classA ? '2261874' : '2227038') : classA ? '2264045' : '2288519';
  lines.push(line(start, 'LPP', lens, code, 2 * perLens[0]!, 2 * perLens[1]!, 6_000, { ...common, qty: 2, overrun: 2 * (perLens[0]! - perLens[1]!) }));
  return { lines, toProvider: tp !== '0' };
}

function hearing(c: EventContext): Event {
  const { random, pools, person: p } = c;
  const start = placeSpan(random, p, 0);
  const classI = !p.adultPayer || random.chance(0.55);
  const ears = random.chance(0.7) ? 2 : 1;
  const perEar = classI ? 95_000 : random.int(120, 200) * 1_000;
  const tp = tiersPayant(random, 0.7, 0);
  const l = line(start, 'LPP', 'APA', classI ? '2335791' : '2355084', perEar * ears, 40_000 * ears, 6_000, {
    qty: ears, overrun: (perEar - 40_000) * ears, ps: random.pick(pools.audiologists), prescriber: random.pick(pools.specialists).id,
    prescribed: start - random.int(10, 120), tp, basket: classI ? 'I' : 'II',
  });
  return { lines: [l], toProvider: tp !== '0' };
}

function imaging(c: EventContext): Event {
  const { random, pools, person: p } = c;
  const start = placeSpan(random, p, 0);
  const [system, detail, base] = random.pick(IMAGING);
  const doctor = random.pick(pools.radiologists);
  const ald = p.age >= 50 && random.chance(0.1);
  const overrun = doctor.sector === '1' ? 0 : doctor.optam === 'O' ? random.pick([0, 500, 1_000]) : random.int(10, 40) * 100;
  const l = line(start, 'CCAM', system, detail, base + overrun, base, ald ? 10_000 : 7_000, {
    overrun, exo: ald ? 'ALD' : '', pathway: 'I', ps: doctor.id, spec: doctor.specialty, sector: doctor.sector, optam: doctor.optam,
    prescriber: p.gp, prescribed: start - random.int(0, 20), tp: tiersPayant(random, 0.1, 0.3),
  });
  l.pf = p.adultPayer ? Math.min(200, l.amo) : 0;
  return { lines: [l], toProvider: l.tp !== '0' };
}

function hospital(c: EventContext): Event {
  const { random, pools, person: p } = c;
  const nights = Math.min(random.int(1, 6), p.to - p.from);
  const start = placeSpan(random, p, nights);
  const end = start + nights;
  const finess = random.pick(pools.hospitals);
  const tp = random.chance(0.95) ? 'AMO+AMC' : 'AMO';
  const stay = random.int(1_500, 6_000) * 100;
  const lines = [line(start, 'HOS', 'GHS', '', stay, stay, 8_000, { end, finess, tp })];
  if (c.maxLines >= 2 && nights > 0) lines.push(line(start, 'HOS', 'FJ', '', 2_000 * (nights + 1), 0, 0, { end, qty: nights + 1, finess, tp }));
  const fee = (doctors: readonly Doctor[], acts: readonly (readonly [string, number])[]) => {
    const doctor = random.pick(doctors);
    const [detail, base] = random.pick(acts);
    const overrun = doctor.sector === '1' ? 0 : doctor.optam === 'O' ? Math.round((base * random.int(0, 50)) / 10_000) * 100 : Math.round((base * random.int(50, 150)) / 10_000) * 100;
    return line(start, 'HOS', 'HON', detail, base + overrun, base, 8_000, { overrun, ps: doctor.id, spec: doctor.specialty, sector: doctor.sector, optam: doctor.optam, finess, tp });
  };
  if (c.maxLines >= lines.length + 1 && random.chance(0.8)) {
    lines.push(fee(pools.surgeons, SURGERY));
    if (c.maxLines >= lines.length + 1 && random.chance(0.6)) lines.push(fee(pools.anaesthetists, ANAESTHESIA));
  }
  return { lines, toProvider: true };
}

function transport(c: EventContext): Event {
  const { random, pools, person: p } = c;
  const start = placeSpan(random, p, 0);
  const roll = random.next();
  const [code, min, max] = (roll < 0.5 ? ['TAX', 30, 150] : roll < 0.8 ? ['VSL', 25, 80] : ['AMB', 60, 250]) as [string, number, number];
  const trips = random.chance(0.6) ? 2 : 1;
  const base = random.int(min, max) * 100 * trips;
  const ald = random.chance(0.6);
  const l = line(start, 'TRA', code, '', base, base, ald ? 10_000 : 5_500, {
    qty: trips, exo: ald ? 'ALD' : '', ps: random.pick(pools.carriers), prescriber: p.gp, prescribed: start - random.int(0, 10), tp: tiersPayant(random, 0.1, 0.8),
  });
  l.franchise = p.adultPayer ? Math.min(400 * trips, l.amo) : 0;
  return { lines: [l], toProvider: l.tp !== '0' };
}

function randomEvent(c: EventContext): Event {
  switch (pickKind(c.random, c.person.age)) {
    case 'consultation':
      return consultation(c, false, c.person.to);
    case 'pharmacy':
      return pharmacy(c);
    case 'lab':
      return lab(c);
    case 'paramedical':
      return paramedical(c);
    case 'dental':
      return dental(c);
    case 'prosthesis':
      return prosthesis(c);
    case 'optics':
      return optics(c);
    case 'hearing':
      return c.person.age >= 20 ? hearing(c) : optics(c);
    case 'imaging':
      return imaging(c);
    case 'hospital':
      return hospital(c);
    default:
      return transport(c);
  }
}

// ————————————————————————————————————————————————————————— the lot

/** Largest record: the longest L is under 300 bytes, a record from a string (defects) well under this. */
const RECORD_ROOM = 4_096;

/**
 * Writes records straight into byte chunks (the generated records are ASCII), without a string per record: building
 * and then encoding one string per line is what limits a generator to well under 100 000 lines/s.
 */
class RecordWriter {
  private buffer: Buffer;
  private pos = 0;
  records = 0;
  bytes = 0;
  ready: Uint8Array[] = [];

  constructor(private readonly chunkBytes: number) {
    this.buffer = Buffer.allocUnsafe(chunkBytes + RECORD_ROOM);
  }

  /** ASCII text (one byte per character). */
  text(value: string): this {
    const buffer = this.buffer;
    let pos = this.pos;
    for (let i = 0; i < value.length; i++) buffer[pos++] = value.charCodeAt(i);
    this.pos = pos;
    return this;
  }

  /** `length` bytes of `source` from `start` (short runs: a loop beats a native copy). */
  slice(source: Uint8Array, start: number, length: number): this {
    const buffer = this.buffer;
    let pos = this.pos;
    for (let i = start, end = start + length; i < end; i++) buffer[pos++] = source[i]!;
    this.pos = pos;
    return this;
  }

  /** A non-negative integer on at least `width` digits (zeros in front). */
  padded(value: number, width: number): this {
    const length = value < 10 ? 1 : value < 100 ? 2 : value < 1e3 ? 3 : value < 1e4 ? 4 : value < 1e5 ? 5 : value < 1e6 ? 6 : value < 1e7 ? 7 : value < 1e8 ? 8 : 9;
    for (let i = length; i < width; i++) this.buffer[this.pos++] = 48;
    return this.int(value);
  }

  /** Text then the field separator. */
  field(value: string): this {
    const buffer = this.buffer;
    let pos = this.pos;
    for (let i = 0; i < value.length; i++) buffer[pos++] = value.charCodeAt(i);
    buffer[pos++] = 0x7c;
    this.pos = pos;
    return this;
  }

  /** A number then the field separator. */
  num(value: number): this {
    this.int(value);
    this.buffer[this.pos++] = 0x7c;
    return this;
  }

  bar(): this {
    this.buffer[this.pos++] = 0x7c;
    return this;
  }

  /** A non-negative integer in decimal. */
  int(value: number): this {
    if (value >= 1e9 || value < 0 || !Number.isInteger(value)) return this.text(String(value));
    const buffer = this.buffer;
    if (value < 10) {
      buffer[this.pos++] = 48 + value;
      return this;
    }
    const length = value < 100 ? 2 : value < 1e3 ? 3 : value < 1e4 ? 4 : value < 1e5 ? 5 : value < 1e6 ? 6 : value < 1e7 ? 7 : value < 1e8 ? 8 : 9;
    let pos = this.pos + length;
    this.pos = pos;
    let rest = value;
    while (rest >= 10) {
      const tenth = (rest / 10) | 0;
      buffer[--pos] = 48 + rest - tenth * 10;
      rest = tenth;
    }
    buffer[--pos] = 48 + rest;
    return this;
  }

  /** Ends the record (newline); hands the chunk over once it is full. */
  end(): void {
    this.buffer[this.pos++] = 0x0a;
    this.records++;
    if (this.pos >= this.chunkBytes) this.flush();
  }

  /** A whole record given as bytes (newline included). */
  raw(record: Uint8Array): void {
    this.flush();
    this.ready.push(record);
    this.bytes += record.length;
    this.records++;
  }

  flush(): void {
    if (this.pos === 0) return;
    this.ready.push(this.buffer.subarray(0, this.pos));
    this.bytes += this.pos;
    this.buffer = Buffer.allocUnsafe(this.chunkBytes + RECORD_ROOM);
    this.pos = 0;
  }

  take(): Uint8Array[] {
    const chunks = this.ready;
    this.ready = [];
    return chunks;
  }

  /** What was written since the last flush, as text (for one record written apart). */
  peek(): string {
    return this.buffer.toString('latin1', 0, this.pos);
  }
}

function* generate(people: readonly Dcpt1Person[], settings: Settings): Generator<Uint8Array, Dcpt1GenerationSummary, undefined> {
  const random = new Random(settings.seed);
  const base = Date.parse(`${settings.today}T00:00:00Z`);
  const pools = createPools(random);
  const known = new Set(people.map((p) => p.insuredNir));
  const prepared = people.map((p) => prepare(p, base, settings, random, pools.gps)).filter((p) => p.from <= p.to);
  const cumulative: number[] = [];
  let totalWeight = 0;
  for (const p of prepared) cumulative.push((totalWeight += p.weight));
  const pickKnown = (): Prepared => {
    const target = random.next() * totalWeight;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid]! > target) high = mid;
      else low = mid + 1;
    }
    return prepared[low]!;
  };

  // Beneficiaries the mutuelle does not know come back several times, as they would while an affiliation is pending.
  const strangers: Prepared[] = [];
  if (settings.unknownShare > 0 || prepared.length === 0) {
    const count = Math.max(1, Math.min(2_000, Math.ceil((settings.lines * (prepared.length === 0 ? 1 : settings.unknownShare)) / 4)));
    for (let i = 0; i < count; i++) strangers.push(unknownPerson(random, base, settings, known, pools.gps));
  }

  const minOffset = -settings.windowDays - PRESCRIPTION_REACH;
  const dates: string[] = [];
  for (let offset = minOffset; offset <= FUTURE_REACH; offset++) dates.push(new Date(base + offset * DAY_MS).toISOString().slice(0, 10).replaceAll('-', ''));
  const d = (offset: number) => dates[offset - minOffset]!;
  const dateBytes = Buffer.from(dates.join(''), 'latin1');

  const corrupt = settings.corrupt;
  const batch = settings.batchNumber;
  const header = `H|DCPT1|${settings.senderId}|${d(0)}${String(random.int(5, 7)).padStart(2, '0')}${String(random.int(0, 59)).padStart(2, '0')}${String(random.int(0, 59)).padStart(2, '0')}|${batch}|${settings.amcNumber}`;

  const out = new RecordWriter(CHUNK_BYTES);
  const put = (value: string) => out.text(value).end();

  let defect: Dcpt1Defect | null = null;
  const mark = (code: Dcpt1ErrorCode, at = out.records) => (defect = { line: at, code });

  if (corrupt === 'MISSING_HEADER') mark('MISSING_HEADER', 1);
  else if (corrupt === 'UNSUPPORTED_VERSION') {
    put(header.replace('H|DCPT1|', 'H|DCPT2|'));
    mark('UNSUPPORTED_VERSION');
  } else put(header);

  let sequence = 0;
  const nextId = () => ++sequence;
  const idPrefix = Buffer.from(`D${batch}-`, 'latin1');
  const idText = (id: number) => `D${batch}-${String(id).padStart(7, '0')}`;
  let written = 0;
  let counted = 0;
  let statements = 0;
  let unknownStatements = 0;
  let charged = 0;
  let based = 0;
  let amo = 0;
  let previousId = 0;
  let targeted = corrupt === null;
  const needed = 2;
  const firstEligible = corrupt === 'DUPLICATE_STATEMENT' ? 1 : 0;
  const half = Math.floor(settings.lines / 2);

  const date = (w: RecordWriter, offset: number) => w.slice(dateBytes, (offset - minOffset) * 8, 8);
  const writeId = (w: RecordWriter, id: number) => w.slice(idPrefix, 0, idPrefix.length).padded(id, 7);
  const writeLine = (w: RecordWriter, id: number, number: number, l: Line) => {
    writeId(w.text('L|'), id).bar().num(number);
    date(w, l.start).bar();
    date(w, l.end).bar();
    w.field(l.system).field(l.code).field(l.detail).num(l.qty).field(l.coef).num(l.fr).num(l.br).num(l.rate).num(l.amo).num(l.pf).num(l.franchise).num(l.overrun);
    w.field(l.exo).field(l.pathway).field(l.ps).field(l.spec).field(l.sector).field(l.optam).field(l.finess).field(l.prescriber);
    if (l.prescribed !== null) date(w, l.prescribed);
    return w.bar().field(l.tp).text(l.basket);
  };
  const writeStatement = (w: RecordWriter, id: number, liquidation: number, p: Prepared, payee: string, paid: number, middle = p.statementMiddle) => {
    writeId(w.text('D|'), id).bar();
    date(w, liquidation).slice(middle, 0, middle.length);
    return date(w, paid).bar().text(payee);
  };
  const writeBeneficiary = (w: RecordWriter, id: number, p: Prepared) => writeId(w.text('B|'), id).slice(p.beneficiaryTail, 0, p.beneficiaryTail.length);
  /** One L record as a string, for the defects that edit its fields. */
  const lineText = (id: number, number: number, l: Line) => {
    const scratch = new RecordWriter(1_024);
    writeLine(scratch, id, number, l);
    return scratch.peek();
  };
  const count = (l: Line) => {
    counted++;
    charged += l.fr;
    based += l.br;
    amo += l.amo;
  };

  while (written < settings.lines) {
    const remaining = settings.lines - written;
    const isTarget = !targeted && statements >= firstEligible && (written >= half || remaining <= needed);
    const maxLines = Math.min(4, targeted || isTarget ? remaining : remaining - needed);
    let unknown = prepared.length === 0 || (settings.unknownShare > 0 && random.next() < settings.unknownShare);
    let person = unknown ? random.pick(strangers) : pickKnown();
    if (isTarget && person.from > -2) {
      // The defective décompte needs care two days before today at least (CARE_AFTER_LIQUIDATION puts care after it).
      const wide = prepared.find((p) => p.from <= -2);
      person = wide ?? unknownPerson(random, base, settings, known, pools.gps);
      unknown = !wide;
    }
    const event = isTarget ? consultation({ random, pools, person, maxLines: 2 }, true, -2) : randomEvent({ random, pools, person, maxLines });
    let lastCare = event.lines[0]!.start;
    for (const l of event.lines) lastCare = Math.max(lastCare, l.end);
    const liquidation = Math.min(isTarget ? -1 : 0, lastCare + random.int(1, 8));
    const paid = liquidation + random.int(1, 3);
    const payee = event.toProvider ? 'P' : 'A';
    if (unknown) unknownStatements++;

    if (!isTarget) {
      const id = nextId();
      writeStatement(out, id, liquidation, person, payee, paid).end();
      writeBeneficiary(out, id, person).end();
      for (let i = 0; i < event.lines.length; i++) {
        const l = event.lines[i]!;
        writeLine(out, id, i + 1, l).end();
        count(l);
      }
      statements++;
      written += event.lines.length;
      previousId = id;
    } else {
      targeted = true;
      const kind = corrupt!;
      const id = kind === 'DUPLICATE_STATEMENT' ? previousId : nextId();
      if (kind === 'UNKNOWN_RECORD' || kind === 'EMPTY_LINE' || kind === 'DUPLICATE_HEADER') {
        put(kind === 'UNKNOWN_RECORD' ? `Z|${idText(id)}|NOTE|lot de test` : kind === 'EMPTY_LINE' ? '' : header);
        mark(kind);
      } else if (kind === 'STATEMENT_WITHOUT_LINES') {
        const empty = nextId();
        writeStatement(out, empty, liquidation, person, payee, paid).end();
        mark(kind);
        writeBeneficiary(out, empty, person).end();
        statements++;
      }
      const badKey = String((Number(person.insuredNir.slice(13)) % 97) + 1).padStart(2, '0');
      const middle = kind === 'INVALID_NIR' ? Buffer.from(`|${person.scheme}|${person.fund}|${person.centre}|${person.insuredNir.slice(0, 13)}${badKey}|`, 'latin1') : person.statementMiddle;
      writeStatement(out, id, kind === 'DATE_IN_FUTURE' ? 1 : liquidation, person, payee, paid, middle).end();
      if (kind === 'DATE_IN_FUTURE' || kind === 'INVALID_NIR' || kind === 'DUPLICATE_STATEMENT') mark(kind);
      statements++;
      const [first, second] = event.lines as [Line, Line];
      if (kind === 'RECORD_ORDER') {
        writeLine(out, id, 1, first).end();
        mark(kind);
      }
      writeBeneficiary(out, id, person).end();
      if (kind !== 'RECORD_ORDER') writeLine(out, id, 1, first).end();
      count(first);
      // The defect of the line kinds is on the second line, so that the décompte keeps one valid line.
      let number = 2;
      let excluded = false;
      let edit: ((fields: string[]) => void) | null = null;
      switch (kind) {
        case 'DUPLICATE_LINE':
          number = 1;
          break;
        case 'INVALID_DATE':
          edit = (f) => (f[3] = `${f[3]!.slice(0, 4)}0230`);
          break;
        case 'CARE_AFTER_LIQUIDATION':
          second.start = second.end = liquidation + 1;
          break;
        case 'END_BEFORE_START':
          second.end = second.start - 1;
          break;
        case 'UNKNOWN_FAMILY':
          edit = (f) => (f[5] = 'SOINS');
          break;
        case 'UNKNOWN_ACT':
          edit = (f) => (f[6] = 'ZZZ');
          break;
        case 'INVALID_BASKET':
          second.basket = 'A';
          break;
        case 'INVALID_AMOUNT':
          edit = (f) => (f[14] = '2,00');
          break;
        case 'AMOUNT_TOO_LARGE':
          edit = (f) => (f[15] = '1000000000');
          break;
        case 'AMO_MISMATCH':
          second.amo += 100;
          break;
        case 'AMO_EXCEEDS_CHARGED':
          second.fr = second.amo - 100;
          second.overrun = 0;
          break;
        case 'DEDUCTIONS_EXCEED_AMO':
          second.pf = second.amo + 100;
          break;
        case 'OVERRUN_MISMATCH':
          second.overrun += 500;
          break;
        case 'INVALID_FIELD':
          second.tp = 'AMC';
          break;
        case 'FIELD_COUNT':
          edit = (f) => f.push('');
          break;
        case 'INVALID_ENCODING':
          excluded = true;
          break;
        default:
          number = 0;
      }
      if (number === 0) {
        writeLine(out, id, 2, second).end();
      } else if (kind === 'INVALID_ENCODING') {
        // An « é » written in ISO-8859-1 (one byte 0xE9), as a Windows tool would: not UTF-8.
        out.raw(Buffer.from(`${lineText(id, number, second).replace(`|${second.detail}|`, `|${second.detail}\u00e9|`)}\n`, 'latin1'));
        mark(kind);
      } else {
        let value = lineText(id, number, second);
        if (edit) {
          const fields = value.split('|');
          edit(fields);
          value = fields.join('|');
        }
        put(value);
        mark(kind);
      }
      if (!excluded) count(second);
      written += 2;
      previousId = id;
    }
    if (out.ready.length > 0) yield* out.take();
  }

  // The trailer counts D records (a repeated décompte id included) and every L record, as an honest sender would.
  const trailer = { statements, lines: counted, chargedCents: charged, baseCents: based, amoCents: amo };
  if (corrupt !== 'MISSING_TRAILER') {
    const t = { ...trailer };
    if (corrupt === 'TRAILER_COUNT_MISMATCH') t.lines += 1;
    if (corrupt === 'TRAILER_SUM_MISMATCH') t.chargedCents += 1;
    put(`T|${corrupt === 'TRAILER_BATCH_MISMATCH' ? `${batch}X` : batch}|${t.statements}|${t.lines}|${t.chargedCents}|${t.baseCents}|${t.amoCents}`);
    Object.assign(trailer, t);
    if (corrupt === 'TRAILER_COUNT_MISMATCH' || corrupt === 'TRAILER_SUM_MISMATCH' || corrupt === 'TRAILER_BATCH_MISMATCH') mark(corrupt);
  } else mark('MISSING_TRAILER', out.records + 1);
  if (corrupt === 'RECORD_AFTER_TRAILER') {
    put(header);
    mark(corrupt);
  }
  out.flush();
  yield* out.take();
  return { batchNumber: batch, statements, unknownStatements, lines: written, records: out.records, bytes: out.bytes, trailer, defect };
}
