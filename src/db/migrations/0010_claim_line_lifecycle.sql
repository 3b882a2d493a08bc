-- Import throughput (issue 5, ADR 010): what happens to a line when it arrives lives on the line itself, and the
-- explanation is stored as the engine's compact steps, rendered in French when read.

-- Received from the AMO; liquidated by the mutuelle (null when rejected or not liquidated yet); settled at once when
-- liquidated: PAID to the professional (tiers payant AMO+AMC) or, with no liquidated_at, REJECTED.
-- claim_line_status keeps only the changes that come later (a transfer, …).
ALTER TABLE claim_line ADD COLUMN received_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE claim_line ADD COLUMN liquidated_at timestamptz;
ALTER TABLE claim_line ADD COLUMN settled_at timestamptz;
UPDATE claim_line c SET received_at = coalesce(h.received_at, c.created_at), liquidated_at = h.liquidated_at
  FROM (SELECT claim_line_id, min(changed_at) FILTER (WHERE status = 'RECEIVED') AS received_at, min(changed_at) FILTER (WHERE status = 'LIQUIDATED') AS liquidated_at
          FROM claim_line_status GROUP BY claim_line_id) h
 WHERE h.claim_line_id = c.id;
DELETE FROM claim_line_status WHERE status IN ('RECEIVED', 'LIQUIDATED');

-- JSON of the steps the French sentence needs (domain/coverage/explanation.ts); the sentence itself is kept only for
-- lines written before (and for lines rejected at import, whose sentence is their reason).
ALTER TABLE claim_line ADD COLUMN explanation_steps text;
ALTER TABLE claim_line ALTER COLUMN explanation DROP NOT NULL;
ALTER TABLE claim_line ADD CONSTRAINT claim_line_explained CHECK (explanation IS NOT NULL OR explanation_steps IS NOT NULL);

-- The statement already ties the line to its member (with a foreign key); this copy is kept for the member's indexes.
ALTER TABLE claim_line DROP CONSTRAINT claim_line_member_id_fkey;
