/**
 * Test fixtures (export and dump tests): at least one row of the household in every table that refers to it, with
 * realistic sealed values (NIR, IBAN, file bytes) and digests, on top of what the demo seed writes.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import { hashAccessCode } from '../../platform/access-code-hash.ts';
import { blindIndex, encryptField } from '../../platform/crypto.ts';
import { sealBytes } from '../uploads/file-store.ts';

const digest = () => randomBytes(32).toString('base64url');

export async function fillEveryHouseholdTable(db: Database, memberId: string, keys: { dataEncryptionKey: Buffer; blindIndexKey: Buffer; codePepper: Buffer }, now: Date): Promise<void> {
  const later = new Date(now.getTime() + 3_600_000);
  const codeHash = await hashAccessCode('482915', keys.codePepper);
  await db.transaction(async (tx) => {
    const { rows: people } = await tx.query<{ id: string; relationship: string }>(`SELECT id, relationship FROM beneficiary WHERE member_id = $1 ORDER BY relationship = 'SELF' DESC, id`, [memberId]);
    const self = people[0]!.id;
    const other = (people.find((p) => p.relationship !== 'SELF') ?? people[0]!).id;
    const q = (sql: string, params: unknown[]) => tx.query(sql, params);

    await q(`INSERT INTO member_credential (member_id, code_hash, code_set_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [memberId, codeHash, now]);
    await q(`INSERT INTO beneficiary_credential (beneficiary_id, code_hash, code_set_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [other, codeHash, now]);
    const sealedEmail = (address: string) => [encryptField(keys.dataEncryptionKey, address), blindIndex(keys.blindIndexKey, address)];
    await q(`INSERT INTO email_address (member_id, beneficiary_id, address_enc, address_hmac, created_at, replaced_at) VALUES ($1, $2, $3, $4, $5, $5)`, [memberId, other, ...sealedEmail('ancienne@demo.example'), now]);
    await q(`INSERT INTO phone_number (member_id, kind, e164_enc, created_at, replaced_at) VALUES ($1, 'MOBILE', $2, $3, $3)`, [memberId, encryptField(keys.dataEncryptionKey, '+33612345678'), now]);
    await q(
      `INSERT INTO email_change (member_id, address_enc, address_hmac, token_hash, created_at, expires_at, voided_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
      [memberId, ...sealedEmail('nouvelle@demo.example'), digest(), now, later],
    );
    const { rows: [change] } = await tx.query<{ id: string }>(
      `INSERT INTO bank_account_change (member_id, status, iban_enc, iban_hmac, iban_masked, country, holder_name, payload_hash, review_reasons, requested_at)
       VALUES ($1, 'REVIEW', $2, $3, 'FR76 •••• •••• •••• •••• ••89 123', 'FR', 'Mme Test', $4, '{RECENT_CODE_RESET}', $5) RETURNING id`,
      [memberId, encryptField(keys.dataEncryptionKey, 'FR7630006000011234567890189'), blindIndex(keys.blindIndexKey, 'FR7630006000011234567890189'), digest(), now],
    );
    await q(`INSERT INTO advisor_review (member_id, kind, subject_id, reasons, created_at) VALUES ($1, 'BANK_ACCOUNT_CHANGE', $2, '{RECENT_CODE_RESET}', $3)`, [memberId, change!.id, now]);
    await q(`INSERT INTO noemie_link (beneficiary_id, status) VALUES ($1, 'ACTIVE') ON CONFLICT DO NOTHING`, [self]);
    await q(`INSERT INTO login_attempt (ip, nir_hmac, member_id, beneficiary_id, outcome, attempted_at) VALUES ('81.250.1.2', $1, $2, $3, 'FAILURE', $4)`, [digest(), memberId, other, now]);
    await q(`INSERT INTO recovery_attempt (kind, ip, nir_hmac, member_id, outcome, attempted_at) VALUES ('RESET_REQUEST', '81.250.1.2', $1, $2, 'EMAIL', $3)`, [digest(), memberId, now]);
    await q(`INSERT INTO trusted_device (member_id, token_hash, user_agent_label, created_at, expires_at) VALUES ($1, $2, 'Firefox sur Linux', $3, $4)`, [memberId, digest(), now, later]);
    await q(`INSERT INTO one_time_code (purpose, member_id, code_hash, bound_to, created_at, expires_at) VALUES ('NEW_DEVICE', $1, $2, $3, $4, $5)`, [memberId, digest(), randomUUID(), now, later]);
    await q(`INSERT INTO reset_token (member_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)`, [memberId, digest(), now, later]);
    await q(`INSERT INTO activation_code (member_id, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)`, [memberId, codeHash, now, later]);
    await q(`INSERT INTO webauthn_credential (id, member_id, public_key, label, created_at) VALUES ($1, $2, $3, 'Chrome sur Android', $4)`, [digest(), memberId, randomBytes(77), now]);
    await q(`INSERT INTO webauthn_challenge (purpose, challenge, bound_to, member_id, ip, created_at, expires_at) VALUES ('REGISTER', $1, $2, $3, '81.250.1.2', $4, $5)`, [digest(), digest(), memberId, now, later]);
    await q(`INSERT INTO session (id_hash, kind, subject_id, beneficiary_id, created_at, last_seen_at, absolute_expires_at, ip, user_agent) VALUES ($1, 'member', $2, $3, $4, $4, $5, '81.250.1.2', 'Mozilla/5.0')`, [digest(), memberId, other, now, later]);
    await q(`INSERT INTO letter (member_id, kind, status, file_name, recipient_address, idempotency_key, created_at, generated_at) VALUES ($1, 'SECURITY_NOTICE', 'GENERATED', $2, '["Mme Test", "3 rue des Lilas", "69003 LYON"]', $3, $4, $4)`, [memberId, `${randomBytes(16).toString('hex')}.pdf`, `fixture:${randomUUID()}`, now]);
    await q(`INSERT INTO member_event (member_id, kind, subject_type, subject_id, occurred_at) VALUES ($1, 'DOCUMENT_ISSUED', 'member_document', $2, $3)`, [memberId, randomUUID(), now]);
    await q(`INSERT INTO member_document (member_id, kind, version, facts_enc, facts_hash, issued_at) VALUES ($1, 'CARTE_TP', 99, $2, $3, $4)`, [memberId, encryptField(keys.dataEncryptionKey, '{"name":"Test"}'), digest(), now]);
    await q(`INSERT INTO notification_preference (member_id, payments_email, documents_email, requests_email, messages_email, daily_digest, updated_at) VALUES ($1, true, false, true, true, false, $2) ON CONFLICT DO NOTHING`, [memberId, now]);

    // A paper claim with its file, on a statement and a claim line of its own.
    const file = Buffer.from('%PDF-1.4 feuille de soins\n');
    const { rows: [stored] } = await tx.query<{ id: string }>(
      `INSERT INTO stored_file (member_id, original_name, media_type, size_bytes, sha256, sealed, created_at) VALUES ($1, 'feuille.pdf', 'application/pdf', $2, $3, $4, $5) RETURNING id`,
      [memberId, file.length, createHash('sha256').update(file).digest('hex'), sealBytes(keys.dataEncryptionKey, file), now],
    );
    const { rows: [statement] } = await tx.query<{ id: string }>(`INSERT INTO statement (member_id, source, statement_number, liquidation_date) VALUES ($1, 'PAPER', $2, '2026-11-20') RETURNING id`, [memberId, `P${randomBytes(6).toString('hex')}`]);
    const { rows: [line] } = await tx.query<{ id: string }>(
      `INSERT INTO claim_line (statement_id, member_id, beneficiary_id, line_number, care_date, family, act_code, charged_cents, base_cents, amo_rate_bp, amo_cents,
                               flat_fee_cents, deductible_cents, amo_net_cents, amc_cents, remaining_cents, rule, explanation, status)
       VALUES ($1, $2, $3, 1, '2026-11-18', 'CONSULTATION', 'G', 3000, 3000, 7000, 2100, 200, 0, 1900, 900, 200, 'TEST', 'Ligne de test', 'RECEIVED') RETURNING id`,
      [statement!.id, memberId, self],
    );
    await q(`INSERT INTO claim_line_status (claim_line_id, status, changed_at) VALUES ($1, 'RECEIVED', $2)`, [line!.id, now]);
    const { rows: [claim] } = await tx.query<{ id: string }>(
      `INSERT INTO paper_claim (member_id, beneficiary_id, statement_id, claim_line_id, care_date, family, charged_cents, received_at) VALUES ($1, $2, $3, $4, '2026-11-18', 'CONSULTATION', 3000, $5) RETURNING id`,
      [memberId, self, statement!.id, line!.id, now],
    );
    await q(`INSERT INTO paper_claim_file (paper_claim_id, stored_file_id, position) VALUES ($1, $2, 1)`, [claim!.id, stored!.id]);

    // A line that came before its beneficiary was known, matched since (its NIR sealed, with its blind index).
    const { rows: [batch] } = await tx.query<{ id: string }>(
      `INSERT INTO import_batch (sender_id, batch_number, amc_number, created_at_source, content_sha256, file_name, statements, lines, unmatched_lines, charged_cents, base_cents, amo_cents, imported_at)
       VALUES ('TEST', $1, '123456789', $2, $3, 'lot.txt', 1, 1, 1, 3000, 3000, 2100, $2) RETURNING id`,
      [randomBytes(4).toString('hex'), now, createHash('sha256').update(randomBytes(8)).digest('hex')],
    );
    const { rows: [nir] } = await tx.query<{ nir_enc: string }>('SELECT nir_enc FROM member WHERE id = $1', [memberId]);
    await q(
      `INSERT INTO unmatched_claim_line (batch_id, statement_number, line_number, insured_nir_hmac, insured_nir_enc, birth_date, birth_rank, care_date, charged_cents, record, received_at, resolved_at, claim_line_id)
       VALUES ($1, 'S1', 1, $2, $3, '1985-01-10', 1, '2026-11-18', 3000, '{"act":"G"}', $4, $4, $5)`,
      [batch!.id, blindIndex(keys.blindIndexKey, 'x'), nir!.nir_enc, now, line!.id],
    );

    // A transfer to the household's account.
    const { rows: [account] } = await tx.query<{ id: string }>(`SELECT id FROM bank_account WHERE member_id = $1 ORDER BY created_at LIMIT 1`, [memberId]);
    const { rows: [paymentFile] } = await tx.query<{ id: string }>(
      `INSERT INTO payment_file (message_id, execution_date, file_name, transfers, total_cents, created_at) VALUES ($1, '2026-11-21', 'virements.xml', 1, 900, $2) RETURNING id`,
      [`MSG${randomBytes(6).toString('hex')}`, now],
    );
    await q(`INSERT INTO payment (member_id, bank_account_id, payment_file_id, payment_date, amount_cents, end_to_end_id, created_at) VALUES ($1, $2, $3, '2026-11-21', 900, $4, $5) ON CONFLICT DO NOTHING`, [
      memberId, account!.id, paymentFile!.id, `E2E${randomBytes(6).toString('hex')}`, now,
    ]);
  });
}
