-- Uploaded files (issue 6, reused by messages and requests in issues 9 and 10) and paper claims.

-- One checked upload: PDF, or an image re-encoded without metadata (FILE-01…03). The bytes are AES-256-GCM sealed
-- (DATA-02) and live here rather than on a disk, so that a claim and its files are written in one transaction.
CREATE TABLE stored_file (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  member_id uuid NOT NULL REFERENCES member(id),
  -- Sanitised for display and Content-Disposition only; never used as a path (FILE-05).
  original_name text NOT NULL CHECK (length(original_name) BETWEEN 1 AND 120),
  media_type text NOT NULL CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png')),
  size_bytes integer NOT NULL CHECK (size_bytes > 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  sealed bytea NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX stored_file_member ON stored_file (member_id);

-- A feuille de soins or invoice sent by the member: the claim line it created (status RECEIVED) and what they typed.
CREATE TABLE paper_claim (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  member_id uuid NOT NULL REFERENCES member(id),
  beneficiary_id uuid NOT NULL REFERENCES beneficiary(id),
  statement_id uuid NOT NULL REFERENCES statement(id),
  claim_line_id uuid NOT NULL UNIQUE REFERENCES claim_line(id),
  care_date date NOT NULL,
  family text NOT NULL,
  charged_cents integer NOT NULL CHECK (charged_cents > 0),
  provider_name text,
  comment text CHECK (comment IS NULL OR length(comment) <= 1000),
  received_at timestamptz NOT NULL
);
CREATE INDEX paper_claim_member ON paper_claim (member_id, received_at DESC);

CREATE TABLE paper_claim_file (
  paper_claim_id uuid NOT NULL REFERENCES paper_claim(id),
  stored_file_id uuid NOT NULL UNIQUE REFERENCES stored_file(id),
  position smallint NOT NULL CHECK (position > 0),
  PRIMARY KEY (paper_claim_id, position)
);
