-- THR-03 (issue 4): the login challenge and the global failure-rate alarm.
-- A challenge travels signed in the login form (question, expiry, HMAC of the answer); only its spent nonce is stored
-- here, so that a solved challenge serves once. Rows go with the purge-auth-data job a day after expiry.
CREATE TABLE login_challenge (
  nonce text PRIMARY KEY CHECK (nonce ~ '^[A-Za-z0-9_-]{22}$'),
  ip text NOT NULL CHECK (length(ip) BETWEEN 1 AND 64),
  used_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX login_challenge_purge ON login_challenge (expires_at);

-- Raised by the watch-login-failures job when failed logins run at 3× their baseline; while one is active every login
-- answers the challenge. One row per episode (active_until is pushed back while the rate stays high).
CREATE TABLE auth_alarm (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('LOGIN_FAILURE_RATE')),
  raised_at timestamptz NOT NULL,
  active_until timestamptz NOT NULL,
  failures integer NOT NULL CHECK (failures >= 0),
  baseline double precision NOT NULL CHECK (baseline >= 0),
  CHECK (active_until > raised_at)
);
CREATE INDEX auth_alarm_active ON auth_alarm (kind, active_until);
