-- Member pages (issue 6, ADR 015): the channel of a line (télétransmission, feuille papier, tiers payant) is read with
-- every row of the member's list; a copy of the statement's source on the line spares the list a join per row.
-- A constant default adds the column without rewriting the table; only the lines of PAPER and THIRD_PARTY statements
-- are updated (NOEMIE, the default, is the import's own source).
ALTER TABLE claim_line ADD COLUMN source text NOT NULL DEFAULT 'NOEMIE' CHECK (source IN ('NOEMIE', 'PAPER', 'THIRD_PARTY'));
UPDATE claim_line c SET source = s.source FROM statement s WHERE s.id = c.statement_id AND s.source <> 'NOEMIE';
