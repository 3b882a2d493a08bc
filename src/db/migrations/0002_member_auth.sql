-- Member authentication (issue 4): access code, throttling counters, trusted devices, one-time codes,
-- reset links, activation letters, passkeys. Nothing here holds a code, OTP or token in clear: codes are
-- argon2id PHC strings (pepper outside the database), tokens and OTPs are SHA-256/HMAC digests.

-- One access code per member (AUTH-01) and its lock state (THR-01). Failures per rolling 24 h are
-- counted from login_attempt rows, under this row's lock (SELECT … FOR UPDATE, THR-02).
CREATE TABLE member_credential (
  member_id uuid PRIMARY KEY REFERENCES member(id),
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

-- Every login attempt that passed input validation (THR-01 24 h window, THR-03 per-IP windows).
-- nir_hmac is the keyed blind index (also for unknown NIRs), never the NIR. PENDING rows are attempts
-- being evaluated: they count as failures for the per-IP limit so a parallel burst cannot overshoot it.
CREATE TABLE login_attempt (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ip text NOT NULL CHECK (length(ip) BETWEEN 1 AND 64),
  nir_hmac text NOT NULL,
  member_id uuid REFERENCES member(id),
  outcome text NOT NULL CHECK (outcome IN ('PENDING', 'SUCCESS', 'FAILURE', 'LOCKED')),
  attempted_at timestamptz NOT NULL,
  decided_at timestamptz
);
CREATE INDEX login_attempt_ip ON login_attempt (ip, attempted_at);
CREATE INDEX login_attempt_member_failures ON login_attempt (member_id, attempted_at) WHERE outcome = 'FAILURE';
CREATE INDEX login_attempt_purge ON login_attempt (attempted_at);

-- Remembered browsers (AUTH-05): the cookie carries a random token, the table its SHA-256.
CREATE TABLE trusted_device (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  member_id uuid NOT NULL REFERENCES member(id),
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[A-Za-z0-9_-]{43}$'),
  user_agent_label text CHECK (user_agent_label IS NULL OR length(user_agent_label) <= 200),
  created_at timestamptz NOT NULL,
  last_used_at timestamptz,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  CHECK (expires_at > created_at)
);
CREATE INDEX trusted_device_member ON trusted_device (member_id) WHERE revoked_at IS NULL;

-- Short one-time codes (new-device check, IBAN change confirmation…): 10 minutes, single use, bound
-- to one login attempt or one payload (AUTH-05, FRD-*). code_hash is HMAC-SHA-256 keyed by the pepper.
CREATE TABLE one_time_code (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  purpose text NOT NULL CHECK (purpose IN ('NEW_DEVICE', 'IBAN', 'EMAIL', 'CODE_CHANGE')),
  member_id uuid NOT NULL REFERENCES member(id),
  code_hash text NOT NULL CHECK (code_hash ~ '^[A-Za-z0-9_-]{43}$'),
  -- The login attempt id or the SHA-256 of the confirmed payload; a code used for anything else fails.
  bound_to text NOT NULL CHECK (length(bound_to) BETWEEN 1 AND 100),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts > 0),
  used_at timestamptz,
  CHECK (expires_at > created_at)
);
CREATE INDEX one_time_code_lookup ON one_time_code (member_id, purpose, bound_to) WHERE used_at IS NULL;

-- Emailed reset links (RST-01): SHA-256 of a 256-bit token, 30 minutes, single use, newest only.
CREATE TABLE reset_token (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  member_id uuid NOT NULL REFERENCES member(id),
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[A-Za-z0-9_-]{43}$'),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  voided_at timestamptz,
  CHECK (expires_at > created_at)
);
CREATE INDEX reset_token_member ON reset_token (member_id, created_at);

-- Postal activation codes (RST-04): 8 characters, 30 days, voided after 5 wrong tries; argon2id hash.
-- The newest letter's code also confirms a new device for a member without email (issue 4).
CREATE TABLE activation_code (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  member_id uuid NOT NULL REFERENCES member(id),
  code_hash text NOT NULL CHECK (code_hash ~ '^\$argon2id\$'),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  wrong_attempts integer NOT NULL DEFAULT 0 CHECK (wrong_attempts >= 0),
  used_at timestamptz,
  voided_at timestamptz,
  CHECK (expires_at > created_at)
);
CREATE INDEX activation_code_member ON activation_code (member_id, created_at);

-- Passkeys (WebAuthn): the credential id and COSE public key are public data by design.
CREATE TABLE webauthn_credential (
  id text PRIMARY KEY CHECK (length(id) BETWEEN 16 AND 1400),
  member_id uuid NOT NULL REFERENCES member(id),
  public_key bytea NOT NULL,
  counter bigint NOT NULL DEFAULT 0 CHECK (counter >= 0),
  transports text[] NOT NULL DEFAULT '{}',
  label text CHECK (label IS NULL OR length(label) <= 100),
  created_at timestamptz NOT NULL,
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX webauthn_credential_member ON webauthn_credential (member_id) WHERE revoked_at IS NULL;
