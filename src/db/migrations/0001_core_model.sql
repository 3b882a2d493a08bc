-- Core data model: the mutuelle, its products, households, contracts, rights, contacts, bank details.
-- NIR values are never stored in clear nor used as keys: *_nir_hmac is a keyed blind index, *_nir_enc is AES-256-GCM.

CREATE TABLE organisation (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  amc_number text NOT NULL UNIQUE CHECK (amc_number ~ '^[0-9]{1,10}$'),
  address_line1 text NOT NULL,
  address_line2 text,
  postal_code text NOT NULL,
  city text NOT NULL,
  phone text NOT NULL,
  professional_phone text,
  email text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE guarantee_product (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisation(id),
  code text NOT NULL,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('STANDARD', 'CSS', 'ACS')),
  responsable boolean NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organisation_id, code)
);

-- A guarantee table is data (the engine reads it); a new version never rewrites an old one.
CREATE TABLE guarantee_table_version (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  product_id uuid NOT NULL REFERENCES guarantee_product(id),
  version integer NOT NULL CHECK (version > 0),
  valid_from date NOT NULL,
  valid_to date,
  guarantees jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (product_id, version),
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);

CREATE TABLE member (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisation(id),
  member_number text NOT NULL UNIQUE CHECK (member_number ~ '^[A-Z0-9]{1,15}$'),
  nir_hmac text NOT NULL UNIQUE,
  nir_enc text NOT NULL,
  nir_provisional boolean NOT NULL DEFAULT false,
  status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'CLOSED')),
  mailing_address_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Everyone covered by the household: the member (SELF), spouse, children (birth_rank tells twins apart).
CREATE TABLE beneficiary (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  member_id uuid NOT NULL REFERENCES member(id),
  relationship text NOT NULL CHECK (relationship IN ('SELF', 'SPOUSE', 'CHILD', 'OTHER')),
  last_name text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
  first_name text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
  sex text NOT NULL CHECK (sex IN ('F', 'M')),
  birth_date date NOT NULL,
  birth_rank smallint NOT NULL DEFAULT 1 CHECK (birth_rank BETWEEN 1 AND 9),
  -- NIR of the ouvrant droit under which the AMO reimburses this person (a child often has none of their own).
  insured_nir_hmac text NOT NULL,
  insured_nir_enc text NOT NULL,
  own_nir_hmac text,
  own_nir_enc text,
  amo_scheme text NOT NULL DEFAULT '01',
  amo_fund text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX beneficiary_self_once ON beneficiary (member_id) WHERE relationship = 'SELF';
CREATE INDEX beneficiary_amo_match ON beneficiary (insured_nir_hmac, birth_date, birth_rank);
CREATE INDEX beneficiary_member ON beneficiary (member_id);

CREATE TABLE contract (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  member_id uuid NOT NULL REFERENCES member(id),
  contract_number text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('INDIVIDUAL', 'COLLECTIVE')),
  employer_name text,
  employer_siret text CHECK (employer_siret IS NULL OR employer_siret ~ '^[0-9]{14}$'),
  product_id uuid NOT NULL REFERENCES guarantee_product(id),
  responsable boolean NOT NULL,
  start_date date NOT NULL,
  end_date date,
  sepa_mandate_ref text,
  signed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (end_date IS NULL OR end_date >= start_date),
  CHECK ((kind = 'COLLECTIVE') = (employer_name IS NOT NULL))
);
CREATE INDEX contract_member ON contract (member_id);

CREATE TABLE contract_beneficiary (
  contract_id uuid NOT NULL REFERENCES contract(id),
  beneficiary_id uuid NOT NULL REFERENCES beneficiary(id),
  start_date date NOT NULL,
  end_date date,
  PRIMARY KEY (contract_id, beneficiary_id, start_date),
  CHECK (end_date IS NULL OR end_date >= start_date)
);

-- Rights per beneficiary over time: the contract itself, ex-ACS (A/B/C) and CSS (with or without participation).
CREATE TABLE rights_period (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  beneficiary_id uuid NOT NULL REFERENCES beneficiary(id),
  contract_id uuid REFERENCES contract(id),
  kind text NOT NULL CHECK (kind IN ('CONTRACT', 'ACS_A', 'ACS_B', 'ACS_C', 'CSS', 'CSS_PARTICIPATION')),
  start_date date NOT NULL,
  end_date date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (end_date >= start_date),
  CHECK (kind NOT IN ('ACS_A', 'ACS_B', 'ACS_C') OR start_date < DATE '2019-11-01')
);
CREATE INDEX rights_period_beneficiary ON rights_period (beneficiary_id, start_date);

-- Contact details keep their history: the current row has replaced_at NULL.
CREATE TABLE email_address (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  member_id uuid NOT NULL REFERENCES member(id),
  beneficiary_id uuid REFERENCES beneficiary(id),
  address text NOT NULL CHECK (length(address) BETWEEN 3 AND 254 AND address LIKE '%_@_%'),
  verified_at timestamptz,
  last_confirmed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  replaced_at timestamptz
);
CREATE UNIQUE INDEX email_address_current ON email_address (member_id, coalesce(beneficiary_id, '00000000-0000-0000-0000-000000000000'::uuid)) WHERE replaced_at IS NULL;

CREATE TABLE phone_number (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  member_id uuid NOT NULL REFERENCES member(id),
  beneficiary_id uuid REFERENCES beneficiary(id),
  kind text NOT NULL CHECK (kind IN ('MOBILE', 'LANDLINE')),
  e164 text NOT NULL CHECK (e164 ~ '^\+[1-9][0-9]{6,14}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  replaced_at timestamptz
);
CREATE UNIQUE INDEX phone_number_current ON phone_number (member_id, coalesce(beneficiary_id, '00000000-0000-0000-0000-000000000000'::uuid), kind) WHERE replaced_at IS NULL;

CREATE TABLE postal_address (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  member_id uuid NOT NULL REFERENCES member(id),
  beneficiary_id uuid REFERENCES beneficiary(id),
  recipient text NOT NULL,
  street_number text,
  street text NOT NULL,
  complement text,
  postal_code text NOT NULL,
  city text NOT NULL,
  country text NOT NULL DEFAULT 'FR' CHECK (country ~ '^[A-Z]{2}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  replaced_at timestamptz,
  CHECK (country <> 'FR' OR postal_code ~ '^[0-9]{5}$')
);
CREATE INDEX postal_address_member ON postal_address (member_id);
ALTER TABLE member ADD CONSTRAINT member_mailing_address FOREIGN KEY (mailing_address_id) REFERENCES postal_address(id);

-- IBAN history: a new account becomes ACTIVE only after its cooling-off period (see the profile feature).
CREATE TABLE bank_account (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  member_id uuid NOT NULL REFERENCES member(id),
  iban_enc text NOT NULL,
  iban_hmac text NOT NULL,
  iban_last4 text NOT NULL CHECK (iban_last4 ~ '^[0-9A-Z]{4}$'),
  country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  bic text CHECK (bic IS NULL OR bic ~ '^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$'),
  holder_name text NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'ACTIVE', 'REPLACED', 'CANCELLED', 'REVIEW')),
  effective_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  replaced_at timestamptz
);
CREATE UNIQUE INDEX bank_account_active ON bank_account (member_id) WHERE status = 'ACTIVE';
CREATE INDEX bank_account_iban ON bank_account (iban_hmac);

-- Télétransmission (NOEMIE) link per beneficiary with the AMO.
CREATE TABLE noemie_link (
  beneficiary_id uuid PRIMARY KEY REFERENCES beneficiary(id),
  status text NOT NULL CHECK (status IN ('ACTIVE', 'PENDING', 'REJECTED', 'NONE')),
  amo_fund text,
  since date,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Reimbursements: a statement (décompte) groups care lines; every amount comes from the coverage engine.
CREATE TABLE statement (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  member_id uuid NOT NULL REFERENCES member(id),
  source text NOT NULL CHECK (source IN ('NOEMIE', 'PAPER', 'THIRD_PARTY')),
  statement_number text NOT NULL,
  liquidation_date date NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, statement_number)
);
CREATE INDEX statement_member ON statement (member_id, liquidation_date DESC);

CREATE TABLE claim_line (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  statement_id uuid NOT NULL REFERENCES statement(id),
  member_id uuid NOT NULL REFERENCES member(id),
  beneficiary_id uuid NOT NULL REFERENCES beneficiary(id),
  line_number integer NOT NULL CHECK (line_number > 0),
  care_date date NOT NULL,
  family text NOT NULL,
  act_code text NOT NULL,
  basket text CHECK (basket IS NULL OR basket IN ('100S', 'MODERATE', 'FREE')),
  provider_name text,
  quantity integer NOT NULL DEFAULT 1 CHECK (quantity > 0),
  pathway text NOT NULL DEFAULT 'IN' CHECK (pathway IN ('IN', 'OUT', 'NA')),
  optam boolean,
  price_cap_cents integer CHECK (price_cap_cents IS NULL OR price_cap_cents >= 0),
  charged_cents integer NOT NULL CHECK (charged_cents >= 0),
  base_cents integer NOT NULL CHECK (base_cents >= 0),
  amo_rate_bp integer NOT NULL CHECK (amo_rate_bp BETWEEN 0 AND 10000),
  amo_cents integer NOT NULL CHECK (amo_cents >= 0),
  flat_fee_cents integer NOT NULL CHECK (flat_fee_cents >= 0),
  deductible_cents integer NOT NULL CHECK (deductible_cents >= 0),
  amo_net_cents integer NOT NULL CHECK (amo_net_cents >= 0),
  amc_cents integer NOT NULL CHECK (amc_cents >= 0),
  remaining_cents integer NOT NULL CHECK (remaining_cents >= 0),
  third_party_payment boolean NOT NULL DEFAULT false,
  rule text NOT NULL,
  explanation text NOT NULL,
  status text NOT NULL CHECK (status IN ('RECEIVED', 'IN_PROGRESS', 'PAID', 'REJECTED')),
  paid_at date,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (statement_id, line_number),
  CHECK (amo_net_cents + amc_cents + remaining_cents = charged_cents)
);
CREATE INDEX claim_line_member_date ON claim_line (member_id, care_date DESC, id DESC);
CREATE INDEX claim_line_beneficiary ON claim_line (beneficiary_id, care_date);

CREATE TABLE claim_line_status (
  id bigserial PRIMARY KEY,
  claim_line_id uuid NOT NULL REFERENCES claim_line(id),
  status text NOT NULL CHECK (status IN ('RECEIVED', 'IN_PROGRESS', 'PAID', 'REJECTED')),
  changed_at timestamptz NOT NULL,
  reason text
);
CREATE INDEX claim_line_status_line ON claim_line_status (claim_line_id, changed_at);

-- Server-side sessions: the cookie carries a random id, the table only its SHA-256.
CREATE TABLE session (
  id_hash text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('member', 'advisor')),
  subject_id uuid NOT NULL,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  absolute_expires_at timestamptz NOT NULL,
  ip text,
  user_agent text
);
CREATE INDEX session_subject ON session (kind, subject_id);
CREATE INDEX session_expiry ON session (absolute_expires_at);

-- Append-only audit trail (who, what, when, where); never a code, token or clear NIR/IBAN.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  actor_type text NOT NULL CHECK (actor_type IN ('member', 'advisor', 'system', 'anonymous')),
  actor_id text,
  action text NOT NULL,
  subject_type text,
  subject_id text,
  ip text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id, occurred_at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
