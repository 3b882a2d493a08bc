/**
 * What the recovery use cases share (issue 4: forgot code, activation, code change): the throttling figures, the
 * audit rows, the member's context for the code policy, the new-code checks and the effects of setting a code
 * (RST-03, SES-06, AUTH-06). No HTTP here.
 */
import { createHash, randomInt } from 'node:crypto';
import type { Database, Queryable } from '../../db/database.ts';
import { checkAccessCode, type AccessCodeContext } from '../../domain/auth/access-code-policy.ts';
import { formatParisDateTime } from '../../domain/dates.ts';
import { currentEmail } from '../../db/repositories/contacts.ts';
import { decryptField, type DataKey } from '../../platform/crypto.ts';
import type { AppDependencies } from '../../platform/http/server.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { queueLetter } from '../letters/queue-letter.ts';
import { codeChangedEmail } from './recovery-emails.tsx';

/**
 * Throttling and validity figures of the recovery flows (RST-01, RST-04, RST-05; proposed figures, see
 * docs/decisions/006-code-recovery.md). Every limit answers with the same generic sentence.
 */
export const RECOVERY_LIMITS = {
  /** RST-01: an emailed link is valid 30 minutes, once; a new request voids the older links. */
  resetLinkTtlMs: 30 * 60_000,
  /** RST-05: per account, at most 3 reset emails in a rolling hour… */
  resetEmailsPerHour: 3,
  /** …and 10 in a rolling 24 h. */
  resetEmailsPerDay: 10,
  /** A letter is promised « sous 8 jours »: no second letter (which would void the first one's code) within 8 days. */
  resetLetterIntervalMs: 8 * 24 * 3_600_000,
  /** RST-05: per client IP, at most 20 forgot-code requests in a rolling hour (any NIR, known or not). */
  ipResetRequestsPerHour: 20,
  /** RST-04: an activation code is valid 30 days… */
  activationCodeTtlMs: 30 * 24 * 3_600_000,
  /** …and voided after 5 wrong tries. */
  activationMaxWrongAttempts: 5,
  /** Per client IP, at most 10 failed activations in a rolling 15 minutes (spraying codes across NIRs). */
  ipActivationFailuresPerWindow: 10,
  ipActivationFailureWindowMs: 15 * 60_000,
} as const;

export type RecoveryLimits = { readonly [K in keyof typeof RECOVERY_LIMITS]: number };

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** What the use cases need from the application, passed explicitly (the routes build it from RouteContext). */
export type RecoveryDeps = {
  db: Database;
  jobs: Jobs;
  jobDefinitions: AppDependencies['jobDefinitions'];
  /** config.publicUrl: every mailed or printed link starts with it, never with the request's Host (RST-02). */
  publicUrl: string;
  keys: { dataEncryptionKey: DataKey; blindIndexKey: Buffer };
  /** config.secrets.codePepper. */
  pepper: Buffer;
  limits?: RecoveryLimits;
};

export type AuditEntry = {
  at: Date;
  ip: string | null;
  actorType: 'member' | 'anonymous' | 'system' | 'advisor';
  actorId: string | null;
  action: string;
  subjectId: string | null;
  details?: Record<string, unknown>;
};

/** One audit_log row (LOG-01): never a NIR, a code or a token in `details` (LOG-02). */
export async function audit(q: Queryable, a: AuditEntry): Promise<void> {
  await q.query(
    `INSERT INTO audit_log (occurred_at, actor_type, actor_id, action, subject_type, subject_id, ip, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [a.at, a.actorType, a.actorId, a.action, a.subjectId ? 'member' : null, a.subjectId, a.ip, JSON.stringify(a.details ?? {})],
  );
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64url');

// ---------------------------------------------------------------------------------------------------------------
// Activation codes (RST-04): 8 characters of Crockford's base32 (32 symbols: 40 bits), printed in two groups of four.
// Typing is forgiving: spaces and dashes are ignored, lower case is accepted, O reads as 0, I and L as 1.

export const ACTIVATION_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newActivationCode(): string {
  return Array.from({ length: 8 }, () => ACTIVATION_ALPHABET[randomInt(ACTIVATION_ALPHABET.length)]).join('');
}

/** The canonical 8 characters, or null when what was typed cannot be an activation code. */
export function normaliseActivationCode(typed: string): string | null {
  const code = typed.replace(/[\s\-\u00A0\u202F]/g, '').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
  return code.length === 8 && [...code].every((c) => ACTIVATION_ALPHABET.includes(c)) ? code : null;
}

// ---------------------------------------------------------------------------------------------------------------
// The member, as the code policy and the notices need them.

export type MemberContext = {
  memberId: string;
  firstName: string;
  lastName: string;
  /** The current verified email of the member, if any (where links and notices go). */
  verifiedEmail: string | null;
  hasCredential: boolean;
  policy: AccessCodeContext;
};

export async function loadMemberContext(q: Queryable, memberId: string, keys: RecoveryDeps['keys']): Promise<MemberContext | null> {
  const { rows } = await q.query<{ nir_enc: string; first_name: string; last_name: string; has_credential: boolean }>(
    `SELECT m.nir_enc, b.first_name, b.last_name,
            EXISTS (SELECT 1 FROM member_credential c WHERE c.member_id = m.id) AS has_credential
       FROM member m JOIN beneficiary b ON b.member_id = m.id AND b.relationship = 'SELF'
      WHERE m.id = $1`,
    [memberId],
  );
  const row = rows[0];
  if (!row) return null;
  const { rows: dates } = await q.query<{ d: string }>(`SELECT to_char(birth_date, 'YYYY-MM-DD') AS d FROM beneficiary WHERE member_id = $1`, [memberId]);
  return {
    memberId,
    firstName: row.first_name,
    lastName: row.last_name,
    verifiedEmail: (await currentEmail(q, keys.dataEncryptionKey, memberId, { verified: true }))?.address ?? null,
    hasCredential: row.has_credential,
    policy: { birthDates: dates.map((r) => r.d), nir: decryptField(keys.dataEncryptionKey, row.nir_enc) },
  };
}

export const CODE_MISMATCH_MESSAGE = 'Les deux codes saisis sont différents : saisissez le même code dans les deux champs.';

export type NewCodeErrors = { code?: string; confirmation?: string };

/**
 * The new code and its confirmation against the policy (AUTH-02). Without a context only the rules that need no
 * personal data run (format, same digit, sequences, patterns, top PINs): callers use that before they know who
 * is asking, so that a refusal never tells a stranger a birth date.
 */
export function checkNewCode(code: string, confirmation: string, context: AccessCodeContext | null): NewCodeErrors | null {
  const checked = checkAccessCode(code, context ?? { birthDates: [], nir: '' });
  if (!checked.ok) return { code: checked.error.message };
  if (code !== confirmation) return { confirmation: CODE_MISMATCH_MESSAGE };
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Setting a code: the common end of a reset, an activation and a change.

export type CodeSetVia = 'RESET_LINK' | 'ACTIVATION' | 'CHANGE';

export type ApplyNewCode = {
  member: MemberContext;
  codeHash: string;
  at: Date;
  ip: string;
  via: CodeSetVia;
  /** Ends the member's sessions (all of them, or all but the current one for a change): SES-06, RST-03. */
  endSessions: (tx: Queryable) => Promise<number>;
};

/**
 * In the caller's transaction: stores the hash, clears the lock state (THR-04: a reset unlocks), voids every pending
 * reset link and activation code, ends the sessions, queues the notice (email, or letter without email: AUTH-06,
 * RST-03) and writes the audit row.
 */
export async function applyNewCode(tx: Queryable, deps: RecoveryDeps, input: ApplyNewCode): Promise<{ sessionsEnded: number }> {
  const { member, at } = input;
  await tx.query(
    `INSERT INTO member_credential (member_id, code_hash, code_set_at, updated_at) VALUES ($1, $2, $3, $3)
     ON CONFLICT (member_id) DO UPDATE
        SET code_hash = EXCLUDED.code_hash, code_set_at = EXCLUDED.code_set_at, updated_at = EXCLUDED.updated_at,
            consecutive_failures = 0, locked_until = NULL, locked_until_reset = false, locked_at = NULL`,
    [member.memberId, input.codeHash, at],
  );
  await tx.query(`UPDATE reset_token SET voided_at = $2 WHERE member_id = $1 AND used_at IS NULL AND voided_at IS NULL`, [member.memberId, at]);
  await tx.query(`UPDATE activation_code SET voided_at = $2 WHERE member_id = $1 AND used_at IS NULL AND voided_at IS NULL`, [member.memberId, at]);
  const sessionsEnded = await input.endSessions(tx);
  await sendCodeChangedNotice(tx, deps, member, at, input.via);
  await audit(tx, {
    at, ip: input.ip, actorType: 'member', actorId: member.memberId, subjectId: member.memberId,
    action: input.via === 'CHANGE' ? 'auth.code.changed' : input.via === 'ACTIVATION' ? 'auth.activation.completed' : 'auth.reset.completed',
    details: { via: input.via, sessionsEnded, firstCode: !member.hasCredential, notice: member.verifiedEmail ? 'EMAIL' : 'LETTER' },
  });
  return { sessionsEnded };
}


async function sendCodeChangedNotice(tx: Queryable, deps: RecoveryDeps, member: MemberContext, at: Date, via: CodeSetVia): Promise<void> {
  const when = formatParisDateTime(at);
  if (member.verifiedEmail) {
    const mail = codeChangedEmail({ firstName: member.firstName, lastName: member.lastName, when, forgotUrl: `${deps.publicUrl}/code-oublie` });
    await deps.jobs.enqueue(tx, deps.jobDefinitions.sendEmail, { to: member.verifiedEmail, ...mail });
    return;
  }
  await queueLetter(tx, deps.jobs, deps.jobDefinitions.generateLetter, {
    memberId: member.memberId,
    kind: 'SECURITY_NOTICE',
    content: {
      subject: 'Votre code d’accès a été modifié',
      paragraphs: [
        `Le code d’accès à votre espace adhérent a été ${via === 'CHANGE' ? 'modifié' : 'choisi'} le ${when}.`,
        'Si vous êtes à l’origine de ce changement, vous n’avez rien à faire.',
        `Sinon, appelez-nous au plus vite, ou demandez un nouveau code sur ${deps.publicUrl}/code-oublie. Nous ne vous demanderons jamais votre code d’accès.`,
      ],
    },
    idempotencyKey: `code-changed:${member.memberId}:${at.toISOString()}`,
    at,
  }).catch((error: unknown) => {
    // No postal address on file: nothing can be posted; the audit row still records the change.
    if ((error as { code?: string }).code !== 'CONFLICT') throw error;
  });
}
