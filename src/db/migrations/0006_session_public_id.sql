-- Sessions list (issue 4, SES-06): the session table keeps only the SHA-256 of the cookie's id, so each row gets a
-- separate random public id that the member's page may show and post back (ending one session). It reveals nothing
-- about the cookie. email_check_skipped_at records « Plus tard » on the email check page for this session only.
ALTER TABLE session ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX session_public_id ON session (public_id);
ALTER TABLE session ADD COLUMN email_check_skipped_at timestamptz;
