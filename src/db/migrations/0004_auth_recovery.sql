-- Access-code recovery (issue 4, RST-01…05): forgot-code requests and activation attempts, counted per account
-- (keyed NIR blind index, also for unknown NIRs) and per client IP for throttling. Never a NIR, code or token here.
CREATE TABLE recovery_attempt (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('RESET_REQUEST', 'ACTIVATION')),
  ip text NOT NULL CHECK (length(ip) BETWEEN 1 AND 64),
  nir_hmac text NOT NULL,
  member_id uuid REFERENCES member(id),
  -- RESET_REQUEST: what was sent (EMAIL, LETTER), NOTHING (unknown NIR, letter already on its way, no address) or
  -- THROTTLED. ACTIVATION: SUCCESS or FAILURE.
  outcome text NOT NULL CHECK (outcome IN ('EMAIL', 'LETTER', 'NOTHING', 'THROTTLED', 'SUCCESS', 'FAILURE')),
  attempted_at timestamptz NOT NULL
);
CREATE INDEX recovery_attempt_ip ON recovery_attempt (kind, ip, attempted_at);
CREATE INDEX recovery_attempt_nir ON recovery_attempt (kind, nir_hmac, attempted_at);
CREATE INDEX recovery_attempt_purge ON recovery_attempt (attempted_at);
