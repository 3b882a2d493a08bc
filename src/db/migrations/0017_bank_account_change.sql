-- Changing the IBAN (issue 8, FRD-01…06, docs/decisions/014-iban-change.md): the request and its states, the advisor
-- queue for requests the member cannot complete alone, and the masked IBAN pages show without opening the sealed one.

-- FR76 •••• •••• •••• •••• ••89 123 (domain maskIban), written with the account; rows from before are filled at start-up
-- (src/db/seal-clear-columns.ts), which has the key this needs.
ALTER TABLE bank_account ADD COLUMN iban_masked text;
-- The account in force at a time T is the newest ACTIVE or PENDING row whose effective_at ≤ T (db/repositories/bank-accounts.ts).
CREATE INDEX bank_account_member ON bank_account (member_id, effective_at);

-- One request to change the account. AWAITING_CODE (confirmation code sent) → CONFIRMED (a PENDING bank_account in its
-- 72-hour cooling-off, then in force) or VOIDED (3 wrong codes, expired, replaced by a newer request); REVIEW (the
-- advisor queue decides); CANCELLED (« ce n'est pas moi », or by the member, before the account is in force).
CREATE TABLE bank_account_change (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  member_id uuid NOT NULL REFERENCES member(id),
  status text NOT NULL CHECK (status IN ('AWAITING_CODE', 'CONFIRMED', 'REVIEW', 'CANCELLED', 'VOIDED')),
  iban_enc text NOT NULL,
  iban_hmac text NOT NULL,
  iban_masked text NOT NULL,
  country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  bic text CHECK (bic IS NULL OR bic ~ '^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$'),
  holder_name text NOT NULL CHECK (length(holder_name) BETWEEN 1 AND 70),
  -- SHA-256 of the exact details shown to the member (IBAN, BIC, holder): the confirmation code is bound to it (FRD-01).
  payload_hash text NOT NULL CHECK (payload_hash ~ '^[A-Za-z0-9_-]{43}$'),
  -- Where the confirmation code went; null when the request went to the advisor queue instead.
  code_channel text CHECK (code_channel IN ('EMAIL', 'LETTER')),
  -- The RIB the member sent as proof (optional), checked like every upload (FILE-01…03).
  rib_file_id uuid REFERENCES stored_file(id),
  previous_account_id uuid REFERENCES bank_account(id),
  -- The PENDING account created by the confirmation.
  bank_account_id uuid UNIQUE REFERENCES bank_account(id),
  -- HMAC (pepper) of the « ce n'est pas moi » code of the notices: it cancels until the new account is in force (FRD-02).
  cancel_code_hash text UNIQUE CHECK (cancel_code_hash ~ '^[A-Za-z0-9_-]{43}$'),
  review_reasons text[] NOT NULL DEFAULT '{}',
  requested_at timestamptz NOT NULL,
  confirmed_at timestamptz,
  effective_at timestamptz,
  ended_at timestamptz,
  end_reason text CHECK (end_reason IN ('NOT_ME', 'MEMBER', 'WRONG_CODES', 'EXPIRED', 'SUPERSEDED', 'ADVISOR')),
  CHECK (status <> 'CONFIRMED' OR (confirmed_at IS NOT NULL AND effective_at IS NOT NULL AND bank_account_id IS NOT NULL)),
  CHECK ((status IN ('CANCELLED', 'VOIDED')) = (ended_at IS NOT NULL AND end_reason IS NOT NULL)),
  CHECK (status <> 'REVIEW' OR cardinality(review_reasons) > 0)
);
-- One request in progress per member (a new one replaces one awaiting its code; one in review must be decided first).
CREATE UNIQUE INDEX bank_account_change_open ON bank_account_change (member_id) WHERE status IN ('AWAITING_CODE', 'REVIEW');
CREATE INDEX bank_account_change_member ON bank_account_change (member_id, requested_at DESC);
CREATE INDEX bank_account_change_iban ON bank_account_change (iban_hmac);

-- What the back office (issue 9) lists for an advisor to decide: here, IBAN changes the member could not complete alone
-- (FRD-04 chained-takeover guard, FRD-06 frequency, FRD-05 IBAN shared by other households).
CREATE TABLE advisor_review (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  member_id uuid NOT NULL REFERENCES member(id),
  kind text NOT NULL CHECK (kind IN ('BANK_ACCOUNT_CHANGE')),
  subject_id uuid NOT NULL,
  reasons text[] NOT NULL CHECK (cardinality(reasons) > 0),
  status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'APPROVED', 'REJECTED', 'WITHDRAWN')),
  created_at timestamptz NOT NULL,
  decided_at timestamptz,
  decided_by text,
  UNIQUE (kind, subject_id),
  CHECK ((status = 'OPEN') = (decided_at IS NULL))
);
CREATE INDEX advisor_review_open ON advisor_review (created_at) WHERE status = 'OPEN';
CREATE INDEX advisor_review_member ON advisor_review (member_id, created_at DESC);
