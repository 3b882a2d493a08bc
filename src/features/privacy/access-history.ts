/**
 * « Historique des accès » (issue 8): every access to the member's file, read from the audit trail (audit_log) —
 * their own logins, failed attempts and locks, code changes, the exports of their data, and each opening of their
 * file by the mutuelle's staff (advisor-access.ts). Newest first, keyset pagination on (occurred_at, id).
 *
 * Scope (AC-04, ADR 011): the ouvrant droit sees the household's rows that are not a beneficiary's own login, plus
 * every opening of the household's file; a beneficiary with a login of their own sees only the rows marked with their
 * id. The place is the class of the IP (approximate-place.ts), never the address; the device a label such as
 * « Firefox sur Windows ».
 */
import type { Queryable } from '../../db/database.ts';
import { approximatePlace } from '../../domain/access/approximate-place.ts';
import type { Viewer } from '../auth/member-area.ts';
import { ADVISOR_ROLES, FILE_OPENING_REASONS, MEMBER_FILE_OPENED } from './advisor-access.ts';

export const ACCESS_HISTORY_PAGE_SIZE = 20;
export const DATA_EXPORTED = 'member.data.exported';

/** The audit actions the history shows. */
const ACTIONS = [
  'auth.session.start', 'auth.login.failure', 'auth.lock', 'auth.code.changed', 'auth.reset.completed', 'auth.activation.completed',
  'auth.code.change_failed', 'auth.device.challenge.failure', 'auth.device.challenge.voided', 'auth.passkey.failure', MEMBER_FILE_OPENED, DATA_EXPORTED,
];

export type AccessKind = 'LOGIN' | 'FAILURE' | 'LOCK' | 'CODE' | 'FILE_OPENED' | 'EXPORT';

export type AccessEvent = {
  /** The audit row's id: the cursor of the next page. */
  id: string;
  at: Date;
  kind: AccessKind;
  /** What happened, in French. */
  title: string;
  /** Who: « Votre compte » for the account's own events, the staff role for an opening of the file. */
  by: string;
  /** « Firefox sur Windows »; null when unknown or not told (staff). */
  device: string | null;
  /** « Réseau 81.250.x.x »; null for the staff's openings. */
  place: string | null;
  /** The reason of a staff opening, in French; null otherwise. */
  reason: string | null;
};

export type AccessHistoryPage = { events: AccessEvent[]; nextCursor: string | null };

type Row = { id: string; occurred_at: Date; actor_type: string; action: string; ip: string | null; details: Record<string, unknown> | string; device_label: string | null };

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function describe(action: string, d: Record<string, unknown>): { kind: AccessKind; title: string } {
  switch (action) {
    case 'auth.session.start':
      return { kind: 'LOGIN', title: d.via === 'PASSKEY' ? 'Connexion avec une clé d’accès' : d.via === 'NEW_DEVICE' ? 'Connexion depuis un nouvel appareil, confirmé par un code' : 'Connexion' };
    case 'auth.login.failure':
      return { kind: 'FAILURE', title: d.reason === 'LOCKED' ? 'Tentative de connexion pendant un blocage' : d.reason === 'NO_CREDENTIAL' ? 'Tentative de connexion sans code d’accès actif' : 'Tentative de connexion : code d’accès erroné' };
    case 'auth.lock':
      return { kind: 'LOCK', title: d.lock === 'UNTIL_RESET' ? 'Compte bloqué jusqu’au choix d’un nouveau code, après des codes erronés' : 'Compte bloqué temporairement après 3 codes erronés' };
    case 'auth.code.changed':
      return { kind: 'CODE', title: 'Code d’accès modifié' };
    case 'auth.reset.completed':
      return { kind: 'CODE', title: 'Nouveau code d’accès choisi avec le lien reçu par email' };
    case 'auth.activation.completed':
      return { kind: 'CODE', title: 'Code d’accès choisi avec le courrier d’activation' };
    case 'auth.code.change_failed':
      return { kind: 'FAILURE', title: 'Modification du code refusée : code actuel erroné' };
    case 'auth.device.challenge.failure':
      return { kind: 'FAILURE', title: 'Confirmation d’un nouvel appareil : code erroné' };
    case 'auth.device.challenge.voided':
      return { kind: 'FAILURE', title: 'Confirmation d’un nouvel appareil annulée après trop de codes erronés' };
    case 'auth.passkey.failure':
      return { kind: 'FAILURE', title: 'Connexion avec une clé d’accès refusée' };
    case MEMBER_FILE_OPENED:
      return { kind: 'FILE_OPENED', title: 'Dossier consulté par la mutuelle' };
    default:
      return { kind: 'EXPORT', title: 'Export de vos données personnelles' };
  }
}

/** The viewer's accesses older than the `before` cursor (an audit row id of their own history), newest first. */
export async function accessHistory(q: Queryable, viewer: Viewer, page: { before?: string | null; limit?: number } = {}): Promise<AccessHistoryPage> {
  const limit = Math.min(Math.max(page.limit ?? ACCESS_HISTORY_PAGE_SIZE, 1), 100);
  const before = page.before ?? null;
  // A cursor that is not a row of this history finds no row to compare with, hence an empty page.
  const { rows } = await q.query<Row>(
    `SELECT a.id::text AS id, a.occurred_at, a.actor_type, a.action, a.ip, a.details, d.user_agent_label AS device_label
       FROM audit_log a
       LEFT JOIN trusted_device d ON a.action = 'auth.session.start' AND d.id::text = a.details->>'deviceId' AND d.member_id::text = a.subject_id
      WHERE a.subject_type = 'member' AND a.subject_id = $1 AND a.action = ANY($2::text[])
        AND (CASE WHEN $3::text IS NULL THEN a.actor_type = 'advisor' OR NOT (a.details ? 'beneficiaryId') ELSE a.details->>'beneficiaryId' = $3::text END)
        AND ($4::bigint IS NULL OR (a.occurred_at, a.id) < (SELECT c.occurred_at, c.id FROM audit_log c WHERE c.id = $4::bigint AND c.subject_type = 'member' AND c.subject_id = $1))
      ORDER BY a.occurred_at DESC, a.id DESC
      LIMIT $5`,
    [viewer.memberId, ACTIONS, viewer.beneficiaryId, before, limit + 1],
  );
  const events = rows.slice(0, limit).map((r): AccessEvent => {
    const d = typeof r.details === 'string' ? (JSON.parse(r.details) as Record<string, unknown>) : r.details;
    const { kind, title } = describe(r.action, d);
    if (r.actor_type === 'advisor') {
      const role = str(d.role);
      const reason = str(d.reason);
      return {
        id: r.id, at: new Date(r.occurred_at), kind, title, device: null, place: null,
        by: role && role in ADVISOR_ROLES ? ADVISOR_ROLES[role as keyof typeof ADVISOR_ROLES] : 'Personnel de la mutuelle',
        reason: reason && reason in FILE_OPENING_REASONS ? FILE_OPENING_REASONS[reason as keyof typeof FILE_OPENING_REASONS] : 'Motif non précisé',
      };
    }
    return { id: r.id, at: new Date(r.occurred_at), kind, title, by: 'Votre compte', device: str(d.device) ?? r.device_label, place: approximatePlace(r.ip), reason: null };
  });
  return { events, nextCursor: rows.length > limit ? events[events.length - 1]!.id : null };
}
