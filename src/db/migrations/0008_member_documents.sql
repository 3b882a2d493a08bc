-- Documents (issue 7): the tiers-payant card's routing data, cotisations (échéancier, attestation fiscale), the
-- Madelin flag, and the register of issued document versions (docs/decisions/008-member-documents.md).

-- Pavé normalisé (domain.md §5.1): type de convention (2 characters) and critère secondaire de routage (≤ 3, may be
-- empty); the tiers-payant operator printed for professionals; the SEPA creditor identifier (ICS) of the échéancier.
ALTER TABLE organisation ADD COLUMN tp_convention_type text NOT NULL DEFAULT 'TP' CHECK (tp_convention_type ~ '^[A-Z0-9]{2}$');
ALTER TABLE organisation ADD COLUMN tp_routing_criterion text NOT NULL DEFAULT '' CHECK (tp_routing_criterion ~ '^[A-Z0-9]{0,3}$');
ALTER TABLE organisation ADD COLUMN tp_operator text;
ALTER TABLE organisation ADD COLUMN sepa_creditor_id text CHECK (sepa_creditor_id IS NULL OR sepa_creditor_id ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{3}[A-Z0-9]{1,28}$');

-- A contract subscribed by a travailleur non salarié under the loi Madelin (its cotisations are tax-deductible).
ALTER TABLE contract ADD COLUMN madelin boolean NOT NULL DEFAULT false;

-- One cotisation instalment of a contract: the échéancier is the list of them, the attestation fiscale sums those paid.
CREATE TABLE contribution (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  contract_id uuid NOT NULL REFERENCES contract(id),
  period_start date NOT NULL,
  period_end date NOT NULL,
  -- Taxes included (TSA); integer cents.
  amount_cents integer NOT NULL CHECK (amount_cents >= 0),
  due_date date NOT NULL,
  status text NOT NULL CHECK (status IN ('SCHEDULED', 'PAID', 'UNPAID')),
  paid_on date,
  UNIQUE (contract_id, period_start),
  CHECK (period_end >= period_start),
  CHECK ((status = 'PAID') = (paid_on IS NOT NULL))
);
CREATE INDEX contribution_paid ON contribution (contract_id, paid_on);

-- Issued versions of the member's documents. The facts (what the document says) are sealed with AES-256-GCM
-- (names, birth dates, CSS status, maybe NIRs); the PDF is rendered again from them on each download.
-- A new version is issued when the SHA-256 of the canonical facts differs from the latest one's.
CREATE TABLE member_document (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  member_id uuid NOT NULL REFERENCES member(id),
  kind text NOT NULL CHECK (kind IN ('CARTE_TP', 'ATTESTATION_DROITS', 'ATTESTATION_FISCALE', 'BULLETIN_ADHESION', 'ECHEANCIER')),
  -- What the document is about beyond its kind: the year of an attestation fiscale or échéancier, the contract of a bulletin.
  scope text NOT NULL DEFAULT '' CHECK (length(scope) <= 40),
  version integer NOT NULL CHECK (version > 0),
  facts_enc text NOT NULL,
  facts_hash text NOT NULL CHECK (facts_hash ~ '^[A-Za-z0-9_-]{43}$'),
  -- The signed verification code printed as a QR (card and attestation de droits), fixed at issue.
  verification_code text,
  issued_at timestamptz NOT NULL,
  UNIQUE (member_id, kind, scope, version)
);
CREATE INDEX member_document_member ON member_document (member_id, issued_at DESC);
