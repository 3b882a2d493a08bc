-- Postal letters (courriers): one row per letter in the print queue; the PDF itself lives in DATA_DIR/letters/.
-- No secret is kept in clear: content_enc holds the letter's content sealed with AES-256-GCM (it may carry an
-- activation code) only until the PDF is generated, then it is erased. The code's hash lives with the auth tables.
CREATE TABLE letter (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  member_id uuid NOT NULL REFERENCES member(id),
  kind text NOT NULL CHECK (kind IN ('ACTIVATION_CODE', 'CODE_RESET', 'SECURITY_NOTICE')),
  status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'GENERATED', 'PRINTED', 'CANCELLED')),
  -- 128 random bits in hex + '.pdf': no personal data in the name.
  file_name text NOT NULL UNIQUE CHECK (file_name ~ '^[0-9a-f]{32}\.pdf$'),
  -- The address as printed (lines of the window block), kept when the member moves later.
  recipient_address jsonb NOT NULL,
  content_enc text,
  idempotency_key text NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  generated_at timestamptz,
  printed_at timestamptz,
  cancelled_at timestamptz,
  CHECK (status <> 'QUEUED' OR content_enc IS NOT NULL),
  CHECK (status = 'QUEUED' OR content_enc IS NULL),
  CHECK ((status IN ('GENERATED', 'PRINTED')) = (generated_at IS NOT NULL) OR status = 'CANCELLED'),
  CHECK ((status = 'PRINTED') = (printed_at IS NOT NULL))
);
CREATE INDEX letter_member ON letter (member_id, created_at DESC);
CREATE INDEX letter_queue ON letter (status, created_at);
