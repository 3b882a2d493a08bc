/**
 * SEPA credit-transfer initiation, ISO 20022 pain.001.001.03 (the version French banks take for SCT files,
 * EPC implementation guidelines): one group header, one payment information block (the mutuelle's account,
 * one requested execution date) and one transaction per transfer. Pure: the clock, the identifiers and the
 * clear IBANs come in as arguments; the caller writes the file. See docs/formats/pain001.md.
 */
import { create } from 'xmlbuilder2';
import { isIsoDate } from '../dates.ts';
import { parseBic, parseIban } from '../identity/iban.ts';

export const PAIN001_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.03';

/** EPC limits: names 70 characters, unstructured remittance 140, identifiers 35. */
export const SEPA_NAME_MAX = 70;
export const SEPA_REMITTANCE_MAX = 140;
export const SEPA_ID_MAX = 35;
/** Largest amount of one SEPA credit transfer: 999 999 999,99 €. */
export const SEPA_MAX_AMOUNT_CENTS = 99_999_999_999;

export type Party = { name: string; iban: string; bic: string | null };

export type CreditTransfer = {
  /** Unique per transfer, returned by the bank with any reject or return (≤ 35 characters, letters, digits and - only). */
  endToEndId: string;
  amountCents: number;
  creditor: Party;
  /** Unstructured remittance, shown on the member's statement (transliterated, cut at 140). */
  remittance: string;
};

export type CreditTransferFile = {
  /** Unique per file for the bank (≤ 35 characters, letters, digits and - only). */
  messageId: string;
  /** The moment the file is made (CreDtTm, written in UTC). */
  createdAt: Date;
  /** Requested execution date, 'YYYY-MM-DD'. */
  executionDate: string;
  /** The mutuelle: initiating party and debtor; its BIC is required. */
  debtor: Party & { bic: string };
  transfers: readonly CreditTransfer[];
};

export type Pain001 = { xml: string; transactions: number; controlSumCents: number };

export class Pain001Error extends Error {
  readonly code = 'VALIDATION';
  constructor(message: string) {
    super(message);
    this.name = 'Pain001Error';
  }
}

/** 1230 → "12.30": the ISO 20022 decimal of an amount in integer cents. */
export function formatSepaAmount(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new Pain001Error(`amount in cents must be a non-negative safe integer, got ${cents}`);
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

// EPC basic Latin character set: a-z A-Z 0-9 / - ? : ( ) . , ' + and space.
const SEPA_CHARACTER = /^[A-Za-z0-9/\-?:().,'+ ]$/;

// Letters that Unicode does not decompose into a base letter and an accent, and common typography.
const TRANSLITERATIONS: Readonly<Record<string, string>> = {
  Œ: 'OE', œ: 'oe', Æ: 'AE', æ: 'ae', ß: 'ss', ẞ: 'SS', Ø: 'O', ø: 'o', Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ð: 'D', ð: 'd', Þ: 'TH', þ: 'th', ı: 'i',
  '’': "'", '‘': "'", 'ʼ': "'", '`': "'", '´': "'", '–': '-', '—': '-', '‐': '-', '‑': '-', _: '-', '&': '+', '[': '(', ']': ')', '{': '(', '}': ')',
};

/**
 * Text in the SEPA character set: accents dropped (é → e, Ç → C), ligatures spelt out (œ → oe), typographic
 * apostrophes and dashes made plain, & → +, anything else (<, >, ", @, emoji…) → a space; spaces collapsed,
 * then cut at `maxLength`. May return '' (a name written only in another script).
 */
export function sepaText(input: string, maxLength: number): string {
  let out = '';
  for (const char of input.normalize('NFC')) {
    const mapped = TRANSLITERATIONS[char] ?? char.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    for (const c of mapped) out += SEPA_CHARACTER.test(c) ? c : ' ';
  }
  return out.replace(/ {2,}/g, ' ').trim().slice(0, maxLength).trimEnd();
}

/** « Remboursement mutuelle A0000001 du 26/11/2026 » (the member number and the payment date). */
export function remittanceText(memberNumber: string, paymentDate: string): string {
  const [year, month, day] = paymentDate.split('-');
  return sepaText(`Remboursement mutuelle ${memberNumber} du ${day}/${month}/${year}`, SEPA_REMITTANCE_MAX);
}

// Identifiers: EPC allows the basic set without a leading or trailing '/' nor '//'; ours use letters, digits and '-'.
const IDENTIFIER = /^[A-Za-z0-9-]{1,35}$/;

function identifier(value: string, what: string): string {
  if (!IDENTIFIER.test(value)) throw new Pain001Error(`${what} must be 1 to ${SEPA_ID_MAX} letters, digits or '-', got '${value}'`);
  return value;
}

function iban(value: string, what: string): string {
  const parsed = parseIban(value);
  // The IBAN itself never goes into the message: it would end up in logs.
  if (!parsed.ok) throw new Pain001Error(`${what}: invalid IBAN (${parsed.error.code})`);
  return parsed.value.value;
}

// pain.001.001.03 BICIdentifier: [A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?
const XSD_BIC = /^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$/;

/** A BIC the pain.001.001.03 schema accepts (ISO 9362, location code without 0/1 in first place nor O in second). */
export function isSepaBic(value: string): boolean {
  const parsed = parseBic(value);
  return parsed.ok && XSD_BIC.test(parsed.value.value);
}

function bic(value: string, what: string): string {
  if (!isSepaBic(value)) throw new Pain001Error(`${what}: invalid BIC '${value}'`);
  return value.replace(/\s/g, '').toUpperCase();
}

function name(value: string, what: string): string {
  const text = sepaText(value, SEPA_NAME_MAX);
  if (text === '') throw new Pain001Error(`${what}: the name has no character of the SEPA set`);
  return text;
}

/** Builds the pain.001.001.03 document; throws Pain001Error on any input the bank would reject. */
export function buildPain001(file: CreditTransferFile): Pain001 {
  if (file.transfers.length === 0) throw new Pain001Error('a credit-transfer file needs at least one transfer');
  if (!isIsoDate(file.executionDate)) throw new Pain001Error(`execution date must be YYYY-MM-DD, got '${file.executionDate}'`);
  if (Number.isNaN(file.createdAt.getTime())) throw new Pain001Error('creation time is not a valid date');
  const messageId = identifier(file.messageId, 'message id');
  const debtorName = name(file.debtor.name, 'debtor');
  const endToEndIds = new Set<string>();
  let controlSumCents = 0;
  const transactions = file.transfers.map((t, index) => {
    const what = `transfer ${index + 1}`;
    if (!Number.isSafeInteger(t.amountCents) || t.amountCents <= 0 || t.amountCents > SEPA_MAX_AMOUNT_CENTS) {
      throw new Pain001Error(`${what}: amount must be between 1 and ${SEPA_MAX_AMOUNT_CENTS} cents, got ${t.amountCents}`);
    }
    const endToEndId = identifier(t.endToEndId, `${what} end-to-end id`);
    if (endToEndIds.has(endToEndId)) throw new Pain001Error(`${what}: end-to-end id '${endToEndId}' used twice`);
    endToEndIds.add(endToEndId);
    controlSumCents += t.amountCents;
    const remittance = sepaText(t.remittance, SEPA_REMITTANCE_MAX);
    return {
      PmtId: { EndToEndId: endToEndId },
      Amt: { InstdAmt: { '@Ccy': 'EUR', '#': formatSepaAmount(t.amountCents) } },
      ...(t.creditor.bic ? { CdtrAgt: { FinInstnId: { BIC: bic(t.creditor.bic, `${what} creditor`) } } } : {}),
      Cdtr: { Nm: name(t.creditor.name, `${what} creditor`) },
      CdtrAcct: { Id: { IBAN: iban(t.creditor.iban, `${what} creditor`) } },
      ...(remittance ? { RmtInf: { Ustrd: remittance } } : {}),
    };
  });
  if (!Number.isSafeInteger(controlSumCents)) throw new Pain001Error('control sum is too large');
  const count = String(transactions.length);
  const controlSum = formatSepaAmount(controlSumCents);
  const document = {
    Document: {
      '@xmlns': PAIN001_NAMESPACE,
      CstmrCdtTrfInitn: {
        GrpHdr: {
          MsgId: messageId,
          CreDtTm: file.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
          NbOfTxs: count,
          CtrlSum: controlSum,
          InitgPty: { Nm: debtorName },
        },
        PmtInf: {
          PmtInfId: messageId,
          PmtMtd: 'TRF',
          BtchBookg: 'true',
          NbOfTxs: count,
          CtrlSum: controlSum,
          PmtTpInf: { SvcLvl: { Cd: 'SEPA' } },
          ReqdExctnDt: file.executionDate,
          Dbtr: { Nm: debtorName },
          DbtrAcct: { Id: { IBAN: iban(file.debtor.iban, 'debtor') } },
          DbtrAgt: { FinInstnId: { BIC: bic(file.debtor.bic, 'debtor') } },
          ChrgBr: 'SLEV',
          CdtTrfTxInf: transactions,
        },
      },
    },
  };
  const xml = create({ version: '1.0', encoding: 'UTF-8' }, document).end({ prettyPrint: true });
  return { xml: `${xml}\n`, transactions: transactions.length, controlSumCents };
}
