-- Beneficiaries with a login of their own (issue 6, AC-02 scope): an adult covered by a household (spouse, grown-up
-- child with their own NIR) logs in with that NIR and an access code of their own, and sees only their own lines.

-- The session of such a login: subject_id stays the household's member, beneficiary_id narrows what it may see.
ALTER TABLE session ADD COLUMN beneficiary_id uuid REFERENCES beneficiary(id);

-- Their access code and lock state, as member_credential for the ouvrant droit (AUTH-01, THR-01/02).
CREATE TABLE beneficiary_credential (
  beneficiary_id uuid PRIMARY KEY REFERENCES beneficiary(id),
  code_hash text NOT NULL CHECK (code_hash ~ '^\$argon2id\$v=19\$m=[0-9]+,t=[0-9]+,p=[0-9]+\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{22,}$'),
  code_set_at timestamptz NOT NULL,
  consecutive_failures integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
  last_failure_at timestamptz,
  last_success_at timestamptz,
  locked_until timestamptz,
  locked_until_reset boolean NOT NULL DEFAULT false,
  locked_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- Found by their own NIR at login (the ouvrant droit is found by member.nir_hmac).
CREATE INDEX beneficiary_own_nir ON beneficiary (own_nir_hmac) WHERE own_nir_hmac IS NOT NULL;

-- Whose attempt it was: a beneficiary's failures count towards their own lock, not the ouvrant droit's.
ALTER TABLE login_attempt ADD COLUMN beneficiary_id uuid REFERENCES beneficiary(id);
