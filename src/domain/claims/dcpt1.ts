/**
 * DCPT1 (domain.md §6.4, docs/formats/dcpt1.md): streaming parser and validator of one lot. It keeps the
 * records of a valid lot and reports every defect with its line number, a stable code and a French message.
 * No database, no clock: « today » is an argument.
 */
import { isIsoDate } from '../dates.ts';
import { parseNir } from '../identity/nir.ts';
import { FULL_RATE_BP, applyRateBp } from '../money.ts';
import { ACT_SYSTEMS, basketCodesFor, findActCode, type ActCode } from './acts.ts';

export const DCPT1_ERROR_CODES = [
  'INVALID_ENCODING',
  'EMPTY_LINE',
  'UNKNOWN_RECORD',
  'FIELD_COUNT',
  'MISSING_HEADER',
  'DUPLICATE_HEADER',
  'UNSUPPORTED_VERSION',
  'MISSING_TRAILER',
  'RECORD_AFTER_TRAILER',
  'RECORD_ORDER',
  'STATEMENT_WITHOUT_LINES',
  'DUPLICATE_STATEMENT',
  'DUPLICATE_LINE',
  'INVALID_FIELD',
  'INVALID_DATE',
  'DATE_IN_FUTURE',
  'CARE_AFTER_LIQUIDATION',
  'END_BEFORE_START',
  'INVALID_NIR',
  'UNKNOWN_FAMILY',
  'UNKNOWN_ACT',
  'INVALID_BASKET',
  'INVALID_AMOUNT',
  'AMOUNT_TOO_LARGE',
  'AMO_MISMATCH',
  'AMO_EXCEEDS_CHARGED',
  'DEDUCTIONS_EXCEED_AMO',
  'OVERRUN_MISMATCH',
  'TRAILER_BATCH_MISMATCH',
  'TRAILER_COUNT_MISMATCH',
  'TRAILER_SUM_MISMATCH',
  'TOO_MANY_ERRORS',
] as const;
export type Dcpt1ErrorCode = (typeof DCPT1_ERROR_CODES)[number];

export interface Dcpt1Error {
  /** 1-based line of the file (0: the file as a whole). */
  line: number;
  code: Dcpt1ErrorCode;
  /** French, for the person who reads the reject report. */
  message: string;
  /** The record as read (cut at 200 characters), or '' for the whole file. */
  record: string;
}

export interface BatchHeader {
  senderId: string;
  /** ISO timestamp (YYYY-MM-DDThh:mm:ss), as written by the sender (local time of the sender). */
  createdAt: string;
  batchNumber: string;
  amcNumber: string;
}

export interface BatchTrailer {
  batchNumber: string;
  statements: number;
  lines: number;
  chargedCents: number;
  baseCents: number;
  amoCents: number;
}

export interface StatementRecord {
  fileLine: number;
  statementId: string;
  liquidationDate: string;
  scheme: string;
  fund: string;
  centre: string;
  insuredNir: string;
  amoPaidOn: string | null;
  amoPayee: 'MEMBER' | 'PROVIDER';
  beneficiary: BeneficiaryRecord;
  lines: LineRecord[];
}

export interface BeneficiaryRecord {
  nir: string | null;
  birthDate: string;
  birthRank: number;
  quality: 'ASS' | 'CJT' | 'ENF' | 'AUT';
}

export type ThirdParty = 'NONE' | 'AMO' | 'AMO_AMC';

export interface LineRecord {
  fileLine: number;
  lineNumber: number;
  careDate: string;
  careEndDate: string;
  act: ActCode;
  detailCode: string | null;
  quantity: number;
  coefficient: string | null;
  chargedCents: number;
  baseCents: number;
  amoRateBp: number;
  amoCents: number;
  flatFeeCents: number;
  deductibleCents: number;
  overrunCents: number;
  exemption: string | null;
  pathway: 'IN' | 'OUT' | 'NA';
  providerId: string | null;
  providerSpecialty: string | null;
  sector: '1' | '2' | '3' | null;
  optam: boolean | null;
  finess: string | null;
  prescriberId: string | null;
  prescriptionDate: string | null;
  thirdParty: ThirdParty;
  /** DCPT1 `panier` as written (A, B, I, II, RAC0, MAITRISE, LIBRE) or null. */
  basketCode: string | null;
}

export interface ParsedBatch {
  header: BatchHeader;
  trailer: BatchTrailer;
  statements: StatementRecord[];
  lineCount: number;
}

export type Dcpt1Outcome = { ok: true; batch: ParsedBatch } | { ok: false; errors: Dcpt1Error[]; errorCount: number; header: BatchHeader | null };

/** Each amount is at most 9 999 999,99 € (a bound no real line reaches, and far from integer overflow). */
export const MAX_AMOUNT_CENTS = 999_999_999;
const FIELD_COUNTS: Readonly<Record<string, number>> = { H: 6, D: 9, B: 6, L: 28, T: 7 };
const RECORD_NAMES: Readonly<Record<string, string>> = { H: 'en-tête', D: 'décompte', B: 'bénéficiaire', L: 'ligne', T: 'fin de lot' };
const EXEMPTIONS = new Set(['ALD', 'MAT', 'ATM', 'INV', 'PRE', 'CSS']);
const PROVIDER_ID = /^([0-9]{9}|[0-9]{11})$/;
const FINESS = /^[0-9][0-9AB][0-9]{7}$/;
const ID = /^[A-Za-z0-9_-]{1,30}$/;

function compactDate(value: string): string | null {
  if (!/^[0-9]{8}$/.test(value)) return null;
  const iso = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
  return isIsoDate(iso) ? iso : null;
}

function compactTimestamp(value: string): string | null {
  if (!/^[0-9]{14}$/.test(value)) return null;
  const date = compactDate(value.slice(0, 8));
  const [hh, mm, ss] = [value.slice(8, 10), value.slice(10, 12), value.slice(12, 14)].map(Number) as [number, number, number];
  if (!date || hh > 23 || mm > 59 || ss > 59) return null;
  return `${date}T${value.slice(8, 10)}:${value.slice(10, 12)}:${value.slice(12, 14)}`;
}

/** Reads one lot record by record: `push` each line in order, then `end`. Keeps at most `maxErrors` errors. */
export class Dcpt1Reader {
  private readonly errors: Dcpt1Error[] = [];
  private errorCount = 0;
  private header: BatchHeader | null = null;
  private trailer: BatchTrailer | null = null;
  private readonly statements: StatementRecord[] = [];
  private readonly statementIds = new Set<string>();
  private current: StatementRecord | null = null;
  private currentLineNumbers = new Set<number>();
  private lineCount = 0;
  private sums = { charged: 0, base: 0, amo: 0 };
  private lastLine = 0;
  private fields: string[] = [];
  private fileLine = 0;
  private text = '';
  private lineFailed = false;
  private headerMissing = false;
  private beneficiaryRead = false;
  /** L records under the open décompte, valid or not (a décompte whose only line is faulty is not « without lines »). */
  private currentLines = 0;
  /** D records read, duplicates included: what the trailer counts. */
  private statementRecords = 0;

  constructor(private readonly options: { today: string; maxErrors?: number }) {}

  private fail(code: Dcpt1ErrorCode, message: string, line = this.fileLine, record = this.text): void {
    this.errorCount += 1;
    this.lineFailed = true;
    if (this.errors.length < (this.options.maxErrors ?? 1_000)) this.errors.push({ line, code, message, record: record.slice(0, 200) });
  }

  /** A line that is not valid UTF-8. */
  pushUndecodable(fileLine: number): void {
    this.lastLine = fileLine;
    this.fail('INVALID_ENCODING', 'La ligne contient des octets qui ne sont pas de l’UTF-8 valide.', fileLine, '');
  }

  push(text: string, fileLine: number): void {
    this.fileLine = fileLine;
    this.lastLine = fileLine;
    this.text = text;
    this.lineFailed = false;
    if (text === '') return this.fail('EMPTY_LINE', 'Ligne vide : chaque ligne doit être un enregistrement.');
    this.fields = text.split('|');
    const type = this.fields[0]!;
    const expected = FIELD_COUNTS[type];
    if (expected === undefined) return this.fail('UNKNOWN_RECORD', `Type d'enregistrement inconnu « ${type.slice(0, 10)} » (attendu H, D, B, L ou T).`);
    if (this.fields.length !== expected) {
      if (type === 'L') this.countMalformedLine();
      return this.fail('FIELD_COUNT', `L'enregistrement ${type} (${RECORD_NAMES[type]}) doit avoir ${expected} champs séparés par « | », et non ${this.fields.length}.`);
    }
    if (this.trailer) return this.fail('RECORD_AFTER_TRAILER', 'Aucun enregistrement ne peut suivre la fin de lot (T).');
    if (type !== 'H' && !this.header) {
      this.fail('MISSING_HEADER', 'Le lot doit commencer par un en-tête H.');
      this.header = { senderId: '', createdAt: '', batchNumber: '', amcNumber: '' };
      this.headerMissing = true;
    }
    switch (type) {
      case 'H':
        return this.readHeader();
      case 'D':
        return this.readStatement();
      case 'B':
        return this.readBeneficiary();
      case 'L':
        return this.readLine();
      default:
        return this.readTrailer();
    }
  }

  private field(index: number): string {
    return this.fields[index]!;
  }

  private date(index: number, label: string, { optional = false, future = false } = {}): string | null {
    const value = this.field(index);
    if (value === '' && optional) return null;
    const iso = compactDate(value);
    if (!iso) {
      this.fail('INVALID_DATE', `${label} : date AAAAMMJJ attendue, lu « ${value.slice(0, 20)} ».`);
      return null;
    }
    if (iso > this.options.today && !future) {
      this.fail('DATE_IN_FUTURE', `${label} : le ${iso.split('-').reverse().join('/')} est postérieur à la date du jour.`);
    }
    return iso;
  }

  private amount(index: number, label: string, optional = false): number {
    const value = this.field(index);
    if (value === '' && optional) return 0;
    if (!/^[0-9]{1,12}$/.test(value)) {
      this.fail('INVALID_AMOUNT', `${label} : montant entier en centimes, positif ou nul, attendu ; lu « ${value.slice(0, 20)} ».`);
      return 0;
    }
    const cents = Number(value);
    if (cents > MAX_AMOUNT_CENTS) {
      this.fail('AMOUNT_TOO_LARGE', `${label} : ${value} centimes dépasse le maximum admis (${MAX_AMOUNT_CENTS}).`);
      return 0;
    }
    return cents;
  }

  private choice<T extends string>(index: number, label: string, values: readonly T[]): T | null {
    const value = this.field(index);
    if ((values as readonly string[]).includes(value)) return value as T;
    this.fail('INVALID_FIELD', `${label} : valeur « ${value.slice(0, 20)} » inconnue (attendu ${values.map((v) => (v === '' ? 'vide' : v)).join(', ')}).`);
    return null;
  }

  private pattern(index: number, label: string, regex: RegExp, optional: boolean): string | null {
    const value = this.field(index);
    if (value === '' && optional) return null;
    if (!regex.test(value)) {
      this.fail('INVALID_FIELD', `${label} : format invalide « ${value.slice(0, 30)} ».`);
      return null;
    }
    return value;
  }

  private nir(index: number, label: string, optional: boolean): string | null {
    const value = this.field(index);
    if (value === '' && optional) return null;
    const parsed = /^[0-9][0-9AB0-9]{14}$/.test(value) ? parseNir(value) : null;
    if (!parsed?.ok) {
      this.fail('INVALID_NIR', `${label} : ${parsed ? parsed.error.message : 'NIR de 15 caractères attendu.'}`);
      return null;
    }
    return parsed.value.value;
  }

  private readHeader(): void {
    if (this.header) return this.fail('DUPLICATE_HEADER', 'Un lot ne peut avoir qu’un seul en-tête H, en première ligne.');
    const version = this.field(1);
    if (version !== 'DCPT1') this.fail('UNSUPPORTED_VERSION', `Version de format « ${version.slice(0, 10)} » non prise en charge (attendu DCPT1).`);
    const senderId = this.pattern(2, 'Identifiant de l’émetteur', ID, false) ?? '';
    const createdAt = compactTimestamp(this.field(3));
    if (!createdAt) this.fail('INVALID_DATE', `Date de création du lot : AAAAMMJJhhmmss attendu, lu « ${this.field(3).slice(0, 20)} ».`);
    else if (createdAt.slice(0, 10) > this.options.today) this.fail('DATE_IN_FUTURE', 'Date de création du lot : postérieure à la date du jour.');
    const batchNumber = this.pattern(4, 'Numéro de lot', ID, false) ?? '';
    const amcNumber = this.pattern(5, 'Numéro AMC', /^[0-9]{1,10}$/, false) ?? '';
    this.header = { senderId, createdAt: createdAt ?? '', batchNumber, amcNumber };
  }

  private closeStatement(): void {
    if (this.current && this.currentLines === 0) {
      this.fail('STATEMENT_WITHOUT_LINES', `Le décompte ${this.current.statementId} n’a aucune ligne L.`, this.current.fileLine, '');
    }
  }

  private readStatement(): void {
    this.closeStatement();
    this.current = null;
    this.currentLineNumbers = new Set();
    this.currentLines = 0;
    this.statementRecords += 1;
    const statementId = this.pattern(1, 'Identifiant du décompte', ID, false);
    if (statementId && this.statementIds.has(statementId)) this.fail('DUPLICATE_STATEMENT', `Le décompte ${statementId} figure deux fois dans le lot.`);
    const liquidationDate = this.date(2, 'Date de liquidation');
    const scheme = this.pattern(3, 'Régime', /^[0-9]{2}$/, false);
    const fund = this.pattern(4, 'Caisse', /^[0-9]{3}$/, false);
    const centre = this.pattern(5, 'Centre', /^[0-9]{4}$/, false);
    const insuredNir = this.nir(6, 'NIR de l’ouvrant droit', false);
    // The AMO may announce a payment a few days ahead: the only date allowed after today.
    const amoPaidOn = this.date(7, 'Date de paiement AMO', { optional: true, future: true });
    const payee = this.choice(8, 'Destinataire du paiement AMO', ['A', 'P'] as const);
    // Even a faulty D opens its décompte, so that its B and L records are checked rather than reported out of order.
    this.statementIds.add(statementId ?? this.field(1));
    this.beneficiaryRead = false;
    this.current = {
      fileLine: this.fileLine,
      statementId: statementId ?? this.field(1),
      liquidationDate: liquidationDate ?? '9999-12-31',
      scheme: scheme ?? '',
      fund: fund ?? '',
      centre: centre ?? '',
      insuredNir: insuredNir ?? '',
      amoPaidOn,
      amoPayee: payee === 'A' ? 'MEMBER' : 'PROVIDER',
      beneficiary: { nir: null, birthDate: '', birthRank: 0, quality: 'ASS' },
      lines: [],
    };
    this.statements.push(this.current);
  }

  private readBeneficiary(): void {
    const statement = this.current;
    if (!statement || this.field(1) !== statement.statementId || this.beneficiaryRead) {
      return this.fail('RECORD_ORDER', 'Un enregistrement B suit immédiatement le D de son décompte (même identifiant), une seule fois.');
    }
    const nir = this.nir(2, 'NIR du bénéficiaire', true);
    const birthDate = this.date(3, 'Date de naissance');
    const rank = this.pattern(4, 'Rang de naissance', /^[1-9]$/, false);
    const quality = this.choice(5, 'Qualité du bénéficiaire', ['ASS', 'CJT', 'ENF', 'AUT'] as const);
    this.beneficiaryRead = true;
    statement.beneficiary = { nir, birthDate: birthDate ?? '', birthRank: Number(rank ?? 0), quality: quality ?? 'ASS' };
  }

  private readLine(): void {
    const statement = this.current;
    if (!statement || this.field(1) !== statement.statementId || !this.beneficiaryRead) {
      this.fail('RECORD_ORDER', 'Une ligne L suit le D et le B de son décompte et porte le même identifiant de décompte.');
      this.countMalformedLine();
      return;
    }
    this.currentLines += 1;
    const lineNumber = this.pattern(2, 'Numéro de ligne', /^[1-9][0-9]{0,5}$/, false);
    if (lineNumber && this.currentLineNumbers.has(Number(lineNumber))) {
      this.fail('DUPLICATE_LINE', `La ligne ${lineNumber} du décompte ${statement.statementId} figure deux fois.`);
    }
    const careDate = this.date(3, 'Date de début des soins');
    const careEndDate = this.date(4, 'Date de fin des soins');
    if (careDate && careEndDate && careEndDate < careDate) this.fail('END_BEFORE_START', 'La date de fin des soins précède la date de début.');
    if (careDate && careDate > statement.liquidationDate) this.fail('CARE_AFTER_LIQUIDATION', 'La date des soins est postérieure à la date de liquidation du décompte.');
    const system = this.field(5);
    const act = ACT_SYSTEMS.has(system) ? findActCode(system, this.field(6)) : undefined;
    if (!ACT_SYSTEMS.has(system)) this.fail('UNKNOWN_FAMILY', `Famille d’actes « ${system.slice(0, 10)} » inconnue (voir docs/formats/dcpt1.md).`);
    else if (!act) this.fail('UNKNOWN_ACT', `Code de prestation « ${this.field(6).slice(0, 10)} » inconnu pour la famille ${system}.`);
    const detailCode = act?.detailPattern ? this.pattern(7, 'Code affiné', act.detailPattern, true) : this.pattern(7, 'Code affiné', /^[A-Za-z0-9]{1,20}$/, true);
    const quantity = this.pattern(8, 'Quantité', /^[1-9][0-9]{0,2}$/, false);
    if (quantity && act?.family === 'HEARING_AID' && Number(quantity) > 2) this.fail('INVALID_FIELD', 'Quantité : au plus 2 aides auditives (une par oreille) par ligne.');
    const coefficient = this.pattern(9, 'Coefficient', /^[0-9]{1,4}([.,][0-9]{1,2})?$/, true);
    const chargedCents = this.amount(10, 'Montant dépensé');
    const baseCents = this.amount(11, 'Base de remboursement');
    const rate = this.pattern(12, 'Taux AMO', /^[0-9]{1,5}$/, false);
    const amoRateBp = Number(rate ?? 0);
    if (rate && amoRateBp > FULL_RATE_BP) this.fail('INVALID_FIELD', `Taux AMO : ${rate} points de base dépasse 10000 (100 %).`);
    const amoCents = this.amount(13, 'Montant AMO brut');
    const flatFeeCents = this.amount(14, 'Participation forfaitaire', true);
    const deductibleCents = this.amount(15, 'Franchise', true);
    const overrunCents = this.amount(16, 'Dépassement', true);
    const exemption = this.field(17) === '' ? null : this.field(17);
    if (exemption && !EXEMPTIONS.has(exemption)) this.fail('INVALID_FIELD', `Code d’exonération « ${exemption.slice(0, 10)} » inconnu (attendu vide, ${[...EXEMPTIONS].join(', ')}).`);
    const pathway = this.choice(18, 'Parcours de soins', ['I', 'H', 'N'] as const);
    const providerId = this.pattern(19, 'Identifiant du professionnel (RPPS 11 chiffres ou n° AM 9 chiffres)', PROVIDER_ID, true);
    const providerSpecialty = this.pattern(20, 'Spécialité du professionnel', /^[0-9]{2}$/, true);
    const sector = this.choice(21, 'Secteur conventionnel', ['', '1', '2', '3'] as const);
    const optam = this.choice(22, 'OPTAM', ['', 'O', 'N'] as const);
    const finess = this.pattern(23, 'FINESS', FINESS, true);
    const prescriberId = this.pattern(24, 'Identifiant du prescripteur', PROVIDER_ID, true);
    const prescriptionDate = this.date(25, 'Date de prescription', { optional: true });
    const thirdParty = this.choice(26, 'Tiers payant', ['0', 'AMO', 'AMO+AMC'] as const);
    const basketCode = this.field(27) === '' ? null : this.field(27);
    if (act) {
      const allowed = basketCodesFor(act.family);
      if (allowed.length > 0 && (basketCode === null || !allowed.includes(basketCode))) {
        this.fail('INVALID_BASKET', `Panier : ${act.label.toLowerCase()} exige l’un de ${allowed.join(', ')}${basketCode ? `, et non « ${basketCode.slice(0, 10)} »` : ''}.`);
      } else if (allowed.length === 0 && basketCode !== null) {
        this.fail('INVALID_BASKET', `Panier : aucun panier pour ${act.label.toLowerCase()} (champ vide attendu).`);
      }
    }
    if (rate && !this.lineFailed) {
      const expected = applyRateBp(baseCents, amoRateBp);
      if (Math.abs(expected - amoCents) > 1) {
        this.fail('AMO_MISMATCH', `Montant AMO brut ${amoCents} ≠ arrondi(base ${baseCents} × taux ${amoRateBp} / 10000) = ${expected} (tolérance 1 centime).`);
      }
    }
    if (amoCents > chargedCents) this.fail('AMO_EXCEEDS_CHARGED', 'Le montant AMO brut dépasse le montant dépensé.');
    if (flatFeeCents + deductibleCents > amoCents) this.fail('DEDUCTIONS_EXCEED_AMO', 'Participation forfaitaire et franchise dépassent le montant AMO brut de la ligne.');
    if (act?.fees && overrunCents !== Math.max(0, chargedCents - baseCents)) {
      this.fail('OVERRUN_MISMATCH', `Dépassement ${overrunCents} ≠ montant dépensé − base (${Math.max(0, chargedCents - baseCents)}) pour des honoraires.`);
    }
    if (lineNumber) this.currentLineNumbers.add(Number(lineNumber));
    this.countLine(chargedCents, baseCents, amoCents);
    if (this.lineFailed || !act) return;
    statement.lines.push({
      fileLine: this.fileLine,
      lineNumber: Number(lineNumber),
      careDate: careDate!,
      careEndDate: careEndDate!,
      act,
      detailCode,
      quantity: Number(quantity),
      coefficient,
      chargedCents,
      baseCents,
      amoRateBp,
      amoCents,
      flatFeeCents,
      deductibleCents,
      overrunCents,
      exemption,
      pathway: pathway === 'I' ? 'IN' : pathway === 'H' ? 'OUT' : 'NA',
      providerId,
      providerSpecialty,
      sector: sector === '' ? null : sector,
      optam: sector === '1' ? true : optam === 'O' ? true : optam === 'N' ? false : null,
      finess,
      prescriberId,
      prescriptionDate,
      thirdParty: thirdParty === 'AMO' ? 'AMO' : thirdParty === 'AMO+AMC' ? 'AMO_AMC' : 'NONE',
      basketCode,
    });
  }

  /** An L record too broken to check still counts in the trailer totals, so that its defect is the only one reported. */
  private countMalformedLine(): void {
    const amount = (index: number) => (/^[0-9]{1,12}$/.test(this.fields[index] ?? '') ? Number(this.fields[index]) : 0);
    if (this.current && this.fields[1] === this.current.statementId) this.currentLines += 1;
    this.countLine(amount(10), amount(11), amount(13));
  }

  private countLine(chargedCents: number, baseCents: number, amoCents: number): void {
    this.lineCount += 1;
    this.sums.charged += chargedCents;
    this.sums.base += baseCents;
    this.sums.amo += amoCents;
  }

  private readTrailer(): void {
    this.closeStatement();
    this.current = null;
    const number = (index: number, label: string): number => {
      const value = this.field(index);
      if (/^[0-9]{1,15}$/.test(value)) return Number(value);
      this.fail('INVALID_FIELD', `${label} : nombre entier attendu, lu « ${value.slice(0, 20)} ».`);
      return -1;
    };
    this.trailer = {
      batchNumber: this.field(1),
      statements: number(2, 'Nombre de décomptes'),
      lines: number(3, 'Nombre de lignes'),
      chargedCents: number(4, 'Total des montants dépensés'),
      baseCents: number(5, 'Total des bases de remboursement'),
      amoCents: number(6, 'Total des montants AMO bruts'),
    };
    const t = this.trailer;
    if (this.header && !this.headerMissing && t.batchNumber !== this.header.batchNumber) {
      this.fail('TRAILER_BATCH_MISMATCH', `Numéro de lot de la fin de lot « ${t.batchNumber.slice(0, 20)} » ≠ celui de l’en-tête « ${this.header.batchNumber} ».`);
    }
    const statements = this.statementRecords;
    if (t.statements >= 0 && t.statements !== statements) this.fail('TRAILER_COUNT_MISMATCH', `La fin de lot annonce ${t.statements} décomptes, le lot en contient ${statements}.`);
    if (t.lines >= 0 && t.lines !== this.lineCount) this.fail('TRAILER_COUNT_MISMATCH', `La fin de lot annonce ${t.lines} lignes, le lot en contient ${this.lineCount}.`);
    const sums: [number, number, string][] = [
      [t.chargedCents, this.sums.charged, 'montants dépensés'],
      [t.baseCents, this.sums.base, 'bases de remboursement'],
      [t.amoCents, this.sums.amo, 'montants AMO bruts'],
    ];
    for (const [announced, actual, label] of sums) {
      if (announced >= 0 && announced !== actual) this.fail('TRAILER_SUM_MISMATCH', `Total des ${label} : la fin de lot annonce ${announced}, les lignes totalisent ${actual}.`);
    }
  }

  end(): Dcpt1Outcome {
    if (this.lastLine === 0) {
      this.fail('MISSING_HEADER', 'Le fichier est vide : un lot commence par un en-tête H.', 1, '');
    } else if (!this.trailer) {
      this.closeStatement();
      this.fail('MISSING_TRAILER', 'Le lot se termine sans enregistrement de fin de lot T (fichier tronqué ?).', this.lastLine + 1, '');
    }
    if (this.errorCount > this.errors.length) {
      this.errors.push({ line: 0, code: 'TOO_MANY_ERRORS', message: `${this.errorCount - this.errors.length} autres erreurs ne sont pas détaillées.`, record: '' });
    }
    if (this.errorCount > 0 || !this.header || !this.trailer) return { ok: false, errors: this.errors, errorCount: this.errorCount, header: this.header };
    return { ok: true, batch: { header: this.header, trailer: this.trailer, statements: this.statements, lineCount: this.lineCount } };
  }
}

/**
 * Splits a byte stream into lines (`\n`, a trailing `\r` is dropped) and feeds a reader; a line that is not valid
 * UTF-8 is reported as such. Calls `onBytes` with each chunk (for a content hash) and `onLine` every 1 000 lines.
 */
export async function readDcpt1(
  chunks: AsyncIterable<Uint8Array>,
  options: { today: string; maxErrors?: number; onBytes?: (chunk: Uint8Array) => void; onLines?: (lines: number) => void },
): Promise<Dcpt1Outcome> {
  const reader = new Dcpt1Reader(options);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending: Uint8Array = new Uint8Array(0);
  let lineNumber = 0;
  const emit = (bytes: Uint8Array): void => {
    lineNumber += 1;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    let text: string;
    try {
      text = decoder.decode(bytes.subarray(0, end));
    } catch {
      reader.pushUndecodable(lineNumber);
      return;
    }
    reader.push(text.charCodeAt(0) === 0xfeff && lineNumber === 1 ? text.slice(1) : text, lineNumber);
    if (lineNumber % 1_000 === 0) options.onLines?.(lineNumber);
  };
  for await (const chunk of chunks) {
    options.onBytes?.(chunk);
    let start = 0;
    let newline = chunk.indexOf(0x0a, start);
    if (newline >= 0 && pending.length > 0) {
      const joined = new Uint8Array(pending.length + newline);
      joined.set(pending);
      joined.set(chunk.subarray(0, newline), pending.length);
      emit(joined);
      pending = new Uint8Array(0);
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    while (newline >= 0) {
      emit(chunk.subarray(start, newline));
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      const joined = new Uint8Array(pending.length + rest.length);
      joined.set(pending);
      joined.set(rest, pending.length);
      pending = joined;
    }
  }
  if (pending.length > 0) emit(pending);
  options.onLines?.(lineNumber);
  return reader.end();
}
