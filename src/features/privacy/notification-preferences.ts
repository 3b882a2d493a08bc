/**
 * Which alerts the household receives by email (issue 8), read by the notifications of issue 11 through
 * `notificationPreferences`. Security notices (new device, code change, lock, bank details…) are always sent: they
 * are not a preference. An alert email never carries health data: it says that something new is in the space and
 * links to it (domain.md §11.5, FRD-07).
 */
import { z } from 'zod';
import type { Database, Queryable } from '../../db/database.ts';
import { writeAudit } from '../auth/new-device.ts';

export const ALERT_KINDS = ['payments', 'documents', 'requests', 'messages'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export type NotificationPreferences = {
  /** true: an email for this kind of alert (grouped in the daily digest when that is chosen). */
  email: Record<AlertKind, boolean>;
  /** One email a day grouping the alerts, instead of one per event. */
  dailyDigest: boolean;
  /** Security notices: always sent, immediately, whatever the rest says. */
  security: 'ALWAYS';
};

/** No row yet: every alert by email, one message per event. */
export const DEFAULT_PREFERENCES: NotificationPreferences = {
  email: { payments: true, documents: true, requests: true, messages: true },
  dailyDigest: false,
  security: 'ALWAYS',
};

/** What the page and the API send: every switch, no other key (VAL-03, AC-03). */
export const preferencesInput = z.strictObject({
  payments: z.boolean(),
  documents: z.boolean(),
  requests: z.boolean(),
  messages: z.boolean(),
  dailyDigest: z.boolean(),
});
export type PreferencesInput = z.infer<typeof preferencesInput>;

type Row = { payments_email: boolean; documents_email: boolean; requests_email: boolean; messages_email: boolean; daily_digest: boolean };

/** The household's preferences (issue 11 calls this before sending an alert). */
export async function notificationPreferences(q: Queryable, memberId: string): Promise<NotificationPreferences> {
  const { rows } = await q.query<Row>(
    'SELECT payments_email, documents_email, requests_email, messages_email, daily_digest FROM notification_preference WHERE member_id = $1',
    [memberId],
  );
  const row = rows[0];
  if (!row) return DEFAULT_PREFERENCES;
  return {
    email: { payments: row.payments_email, documents: row.documents_email, requests: row.requests_email, messages: row.messages_email },
    dailyDigest: row.daily_digest,
    security: 'ALWAYS',
  };
}

/** Saves the switches of the ouvrant droit (the caller checked the session), with an audit row of what changed. */
export async function saveNotificationPreferences(
  db: Database,
  who: { memberId: string; ip: string; now: Date; channel: 'PAGE' | 'API' },
  input: PreferencesInput,
): Promise<NotificationPreferences> {
  const { memberId, ip, now } = who;
  return db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO notification_preference (member_id, payments_email, documents_email, requests_email, messages_email, daily_digest, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (member_id) DO UPDATE SET payments_email = EXCLUDED.payments_email, documents_email = EXCLUDED.documents_email,
         requests_email = EXCLUDED.requests_email, messages_email = EXCLUDED.messages_email, daily_digest = EXCLUDED.daily_digest, updated_at = EXCLUDED.updated_at`,
      [memberId, input.payments, input.documents, input.requests, input.messages, input.dailyDigest, now],
    );
    await writeAudit(tx, {
      now, ip, actorType: 'member', actorId: memberId, action: 'member.notifications.updated', memberId,
      details: { ...input, ...(who.channel === 'API' ? { channel: 'API' } : {}) },
    });
    return notificationPreferences(tx, memberId);
  });
}
