-- Passkeys (issue 4): WebAuthn challenges, single use, 5 minutes. A registration challenge is bound to the member's
-- session (SHA-256 of the session cookie), a login challenge to a short-lived opaque cookie (its SHA-256). The
-- challenge itself is random public data; it is consumed (used_at) by the first answer, right or wrong.
CREATE TABLE webauthn_challenge (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  purpose text NOT NULL CHECK (purpose IN ('REGISTER', 'LOGIN')),
  challenge text NOT NULL UNIQUE CHECK (challenge ~ '^[A-Za-z0-9_-]{43}$'),
  bound_to text NOT NULL CHECK (bound_to ~ '^[A-Za-z0-9_-]{43}$'),
  member_id uuid REFERENCES member(id),
  ip text NOT NULL CHECK (length(ip) BETWEEN 1 AND 64),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  CHECK (expires_at > created_at),
  CHECK ((purpose = 'REGISTER') = (member_id IS NOT NULL))
);
CREATE INDEX webauthn_challenge_ip ON webauthn_challenge (ip, created_at);
CREATE INDEX webauthn_challenge_purge ON webauthn_challenge (expires_at);

-- What the authenticator told at registration (shown to the member, useful for support).
ALTER TABLE webauthn_credential ADD COLUMN backed_up boolean NOT NULL DEFAULT false;
ALTER TABLE webauthn_credential ADD COLUMN device_type text CHECK (device_type IS NULL OR device_type IN ('singleDevice', 'multiDevice'));
