-- Notification preferences (issue 8), read by the notifications (issue 11): which alerts go out by email. Security
-- notices (new device, code change, lock, IBAN change…) are always sent and have no column here. No row means the
-- defaults: every alert by email, one message per event (daily_digest false).
CREATE TABLE notification_preference (
  member_id uuid PRIMARY KEY REFERENCES member(id),
  payments_email boolean NOT NULL,
  documents_email boolean NOT NULL,
  requests_email boolean NOT NULL,
  messages_email boolean NOT NULL,
  -- One email a day grouping the alerts above, instead of one email per event.
  daily_digest boolean NOT NULL,
  updated_at timestamptz NOT NULL
);
