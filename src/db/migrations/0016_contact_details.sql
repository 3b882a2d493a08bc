-- Contact details (issue 8, DATA-02/03): emails and phone numbers are sealed per field (AES-256-GCM, key outside the
-- database) like NIRs and IBANs, with a keyed blind index for email lookups. SQL cannot seal (it has no key): the clear
-- columns stay for rows written before this migration, and the portal seals and empties them at start-up
-- (src/db/seal-clear-columns.ts); a later migration drops them once every deployment has started once.
ALTER TABLE email_address ADD COLUMN address_enc text;
ALTER TABLE email_address ADD COLUMN address_hmac text;
ALTER TABLE email_address ALTER COLUMN address DROP NOT NULL;
ALTER TABLE email_address ADD CONSTRAINT email_address_sealed CHECK (address IS NOT NULL OR (address_enc IS NOT NULL AND address_hmac IS NOT NULL));
CREATE INDEX email_address_lookup ON email_address (address_hmac) WHERE replaced_at IS NULL;

ALTER TABLE phone_number ADD COLUMN e164_enc text;
ALTER TABLE phone_number ALTER COLUMN e164 DROP NOT NULL;
ALTER TABLE phone_number ADD CONSTRAINT phone_number_sealed CHECK (e164 IS NOT NULL OR e164_enc IS NOT NULL);
CREATE INDEX phone_number_member ON phone_number (member_id) WHERE replaced_at IS NULL;

-- A household may keep a second address (résidence secondaire, boîte postale…): a label tells them apart, and
-- member.mailing_address_id says which one letters go to. A changed address is a new row (the old one gets replaced_at).
ALTER TABLE postal_address ADD COLUMN label text CHECK (label IS NULL OR length(label) BETWEEN 1 AND 40);
CREATE INDEX postal_address_current ON postal_address (member_id) WHERE replaced_at IS NULL;

-- A change of email waits for the single-use link sent to the new address (SHA-256 of a 256-bit token, 24 hours, only
-- the newest valid); the new address becomes the current email_address row only then.
CREATE TABLE email_change (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  member_id uuid NOT NULL REFERENCES member(id),
  -- A beneficiary's own address (null: the household's, where the portal writes).
  beneficiary_id uuid REFERENCES beneficiary(id),
  address_enc text NOT NULL,
  address_hmac text NOT NULL,
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[A-Za-z0-9_-]{43}$'),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  confirmed_at timestamptz,
  voided_at timestamptz,
  -- The email_address row the confirmation created.
  email_address_id uuid REFERENCES email_address(id),
  CHECK (expires_at > created_at),
  CHECK (confirmed_at IS NULL OR voided_at IS NULL)
);
CREATE INDEX email_change_member ON email_change (member_id, created_at);
