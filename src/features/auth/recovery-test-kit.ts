/**
 * Test helpers for the recovery flows (used by the route tests and the browser test; not imported by the app):
 * households with or without email, a session starter, the queued emails and letters.
 */
import type { FastifyInstance } from 'fastify';
import { insertHousehold, type NewHousehold } from '../../db/repositories/household.ts';
import type { Queryable } from '../../db/database.ts';
import { computeNirKey } from '../../domain/identity/nir.ts';
import { hashAccessCode } from '../../platform/access-code-hash.ts';
import { decryptField } from '../../platform/crypto.ts';
import type { Feature } from '../../platform/http/server.ts';
import { queuedEmails, type QueuedEmail } from '../../../test/mail-jobs.ts';

let serial = Math.floor(Math.random() * 500);

/** A fresh valid NIR (woman born January 1985 in the Rhône) for each call. */
export function newNir(): string {
  serial += 1;
  const body = `2850169${String(100 + (serial % 900)).padStart(3, '0')}${String(Math.floor(serial / 900) + 100 + Math.floor(Math.random() * 800)).padStart(3, '0')}`;
  return body + computeNirKey(body);
}

let ipSerial = Math.floor(Math.random() * 60_000);
/** A distinct client IP for each call (per-IP limits stay out of the way unless a test wants them). */
export const newIp = () => {
  ipSerial += 1;
  return `10.${(ipSerial >> 16) & 255}.${(ipSerial >> 8) & 255}.${ipSerial & 255}`;
};

/** A valid French IBAN, to prove that none reaches an email. */
export const TEST_IBAN = 'FR7630006000011234567890189';
export const MEMBER_BIRTH_DATE = '1985-01-10';
export const CHILD_BIRTH_DATE = '2012-07-23';

export type TestMember = { memberId: string; nir: string; email: string | null };

export async function createHouseholdMember(
  db: { transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> } & Queryable,
  keys: { dataEncryptionKey: Buffer; blindIndexKey: Buffer },
  options: { organisationId: string; email?: 'verified' | 'unverified' | null; code?: string | null; pepper?: Buffer },
): Promise<TestMember> {
  const nir = newNir();
  serial += 1;
  const email = options.email ? `adherent${serial}-${Date.now()}@demo.example` : null;
  const household: NewHousehold = {
    organisationId: options.organisationId,
    memberNumber: `R${String(serial).padStart(5, '0')}${Math.floor(Math.random() * 1e6).toString(36).toUpperCase()}`.slice(0, 15),
    nir,
    beneficiaries: [
      { relationship: 'SELF', lastName: 'Durand', firstName: 'Claire', sex: 'F', birthDate: MEMBER_BIRTH_DATE, birthRank: 1, insuredNir: nir, ownNir: nir, amoFund: '069', noemie: 'ACTIVE' },
      { relationship: 'CHILD', lastName: 'Durand', firstName: 'Léo', sex: 'M', birthDate: CHILD_BIRTH_DATE, birthRank: 1, insuredNir: nir, ownNir: null, amoFund: '069', noemie: 'ACTIVE' },
    ],
    contracts: [],
    rights: [],
    email: email ? { address: email, verified: options.email === 'verified' } : null,
    phones: [],
    address: { recipient: 'Mme Claire DURAND', streetNumber: '3', street: 'rue des Lilas', complement: null, postalCode: '69003', city: 'Lyon', country: 'FR' },
    bankAccount: { iban: TEST_IBAN, bic: null, holderName: 'Claire Durand' },
    createdAt: new Date('2020-01-01T09:00:00Z'),
  };
  const { memberId } = await db.transaction((tx) => insertHousehold(tx, keys, household));
  if (options.code && options.pepper) {
    await db.query(`INSERT INTO member_credential (member_id, code_hash, code_set_at) VALUES ($1, $2, $3)`, [memberId, await hashAccessCode(options.code, options.pepper), new Date('2026-01-01T00:00:00Z')]);
  }
  return { memberId, nir, email: options.email === 'verified' ? email : null };
}

/** Test-only routes: start a member session (as the login will), and tell which session a cookie carries. */
export const sessionProbe: Feature = (app: FastifyInstance, { sessions, db }) => {
  app.post('/test/session/:memberId', { config: { csrf: false } }, async (request, reply) => {
    const { memberId } = request.params as { memberId: string };
    await db.transaction((tx) => sessions.start(tx, reply, request, 'member', memberId));
    return { ok: true };
  });
  app.get('/test/whoami', async (request) => ({ memberId: request.session?.subjectId ?? null }));
};

export type SentEmail = QueuedEmail;
export { queuedEmails };

/** The link of the newest reset email sent to `to`. */
export async function resetLinkFor(db: Queryable, to: string): Promise<string | null> {
  const mails = (await queuedEmails(db, to)).filter((m) => m.subject.includes('nouveau code'));
  const last = mails.at(-1);
  return last ? (/(https?:\/\/\S+\/code-oublie\/nouveau\?jeton=[A-Za-z0-9_-]+)/.exec(last.text)?.[1] ?? null) : null;
}

export type QueuedLetterRow = { id: string; kind: string; status: string; file_name: string; content_enc: string | null };

export async function lettersOf(db: Queryable, memberId: string): Promise<QueuedLetterRow[]> {
  const { rows } = await db.query<QueuedLetterRow>(`SELECT id, kind, status, file_name, content_enc FROM letter WHERE member_id = $1 ORDER BY created_at, id`, [memberId]);
  return rows;
}

/** The activation code sealed in a queued letter (what the PDF will print). */
export function sealedActivationCode(letter: QueuedLetterRow, dataEncryptionKey: Buffer): string {
  if (!letter.content_enc) throw new Error('letter already generated');
  return (JSON.parse(decryptField(dataEncryptionKey, letter.content_enc)) as { content: { code: string } }).content.code;
}

