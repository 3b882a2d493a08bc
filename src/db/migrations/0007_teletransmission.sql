-- Télétransmission (issue 5): DCPT1 lots, the « à rapprocher » queue, payments (SEPA credit transfers) and the
-- member events that notifications (issue 11) fan out.

-- Claim statuses follow the import: RECEIVED (reçu de l'AMO) → LIQUIDATED (part mutuelle calculée) → PAID | REJECTED.
ALTER TABLE claim_line DROP CONSTRAINT claim_line_status_check;
ALTER TABLE claim_line_status DROP CONSTRAINT claim_line_status_status_check;
UPDATE claim_line SET status = 'LIQUIDATED' WHERE status = 'IN_PROGRESS';
UPDATE claim_line_status SET status = 'LIQUIDATED' WHERE status = 'IN_PROGRESS';
ALTER TABLE claim_line ADD CONSTRAINT claim_line_status_check CHECK (status IN ('RECEIVED', 'LIQUIDATED', 'PAID', 'REJECTED'));
ALTER TABLE claim_line_status ADD CONSTRAINT claim_line_status_status_check CHECK (status IN ('RECEIVED', 'LIQUIDATED', 'PAID', 'REJECTED'));

-- One imported DCPT1 file; (sender, batch number) makes a re-import a no-op and a different file with the same number a reject.
CREATE TABLE import_batch (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  sender_id text NOT NULL,
  batch_number text NOT NULL,
  amc_number text NOT NULL,
  created_at_source timestamptz NOT NULL,
  content_sha256 text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
  file_name text NOT NULL,
  statements integer NOT NULL CHECK (statements >= 0),
  lines integer NOT NULL CHECK (lines >= 0),
  unmatched_lines integer NOT NULL CHECK (unmatched_lines >= 0),
  charged_cents bigint NOT NULL,
  base_cents bigint NOT NULL,
  amo_cents bigint NOT NULL,
  imported_at timestamptz NOT NULL,
  UNIQUE (sender_id, batch_number)
);

ALTER TABLE statement ADD COLUMN batch_id uuid REFERENCES import_batch(id);
-- Who the AMO paid: the member (A) or the professional (P, tiers payant AMO).
ALTER TABLE statement ADD COLUMN amo_payee text CHECK (amo_payee IN ('MEMBER', 'PROVIDER'));
ALTER TABLE statement ADD COLUMN amo_paid_on date;
CREATE INDEX statement_batch ON statement (batch_id);

ALTER TABLE claim_line ADD COLUMN care_end_date date;
ALTER TABLE claim_line ADD COLUMN provider_id text;
ALTER TABLE claim_line ADD COLUMN rejection_reason text;

-- Décompte lines whose beneficiary is not (yet) known: kept whole, never dropped, until matched or resolved by hand.
CREATE TABLE unmatched_claim_line (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  batch_id uuid NOT NULL REFERENCES import_batch(id),
  statement_number text NOT NULL,
  line_number integer NOT NULL CHECK (line_number > 0),
  insured_nir_hmac text NOT NULL,
  insured_nir_enc text NOT NULL,
  birth_date date NOT NULL,
  birth_rank smallint NOT NULL CHECK (birth_rank BETWEEN 1 AND 9),
  care_date date NOT NULL,
  charged_cents integer NOT NULL,
  -- The parsed D, B and L records without any NIR (those are in the encrypted columns above).
  record jsonb NOT NULL,
  received_at timestamptz NOT NULL,
  resolved_at timestamptz,
  claim_line_id uuid REFERENCES claim_line(id),
  UNIQUE (batch_id, statement_number, line_number)
);
CREATE INDEX unmatched_claim_line_pending ON unmatched_claim_line (insured_nir_hmac, birth_date, birth_rank) WHERE resolved_at IS NULL;

-- One SEPA credit-transfer file (pain.001) handed to the bank, grouping the day's payments.
CREATE TABLE payment_file (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  message_id text NOT NULL UNIQUE,
  execution_date date NOT NULL,
  file_name text NOT NULL,
  transfers integer NOT NULL CHECK (transfers > 0),
  total_cents bigint NOT NULL CHECK (total_cents > 0),
  created_at timestamptz NOT NULL
);

-- One transfer per member and day, to the account active when it was made.
CREATE TABLE payment (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  member_id uuid NOT NULL REFERENCES member(id),
  bank_account_id uuid NOT NULL REFERENCES bank_account(id),
  payment_file_id uuid NOT NULL REFERENCES payment_file(id),
  payment_date date NOT NULL,
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  end_to_end_id text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  UNIQUE (member_id, payment_date)
);
ALTER TABLE claim_line ADD COLUMN payment_id uuid REFERENCES payment(id);
CREATE INDEX claim_line_payable ON claim_line (member_id) WHERE status = 'LIQUIDATED';

-- What happened to a member that they may be told about (outbox, written in the transaction of the change).
CREATE TABLE member_event (
  id bigserial PRIMARY KEY,
  member_id uuid NOT NULL REFERENCES member(id),
  kind text NOT NULL,
  subject_type text NOT NULL,
  subject_id text NOT NULL,
  occurred_at timestamptz NOT NULL,
  UNIQUE (kind, subject_type, subject_id)
);
CREATE INDEX member_event_member ON member_event (member_id, occurred_at DESC);
