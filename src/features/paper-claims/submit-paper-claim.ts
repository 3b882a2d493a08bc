/**
 * A member sends a paper claim (issue 6): feuille de soins, facture acquittée or S3125 for care abroad, with the care
 * it is for. Everything is checked first (fields and files, FILE-01…03); then one transaction writes the statement
 * (source PAPER), its line in status RECEIVED with the AMO and AMC parts still unknown, the paper claim and its
 * files. The back office (issue 9) computes the parts later. The page and POST /api/v1/reimbursements/paper-claims call this.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { families, familyLabel, type Family } from '../../domain/coverage/index.ts';
import { addMonths, formatFrenchDate, isIsoDate, parisDate } from '../../domain/dates.ts';
import type { Database } from '../../db/database.ts';
import { AppError, type ErrorCode, type FieldErrors } from '../../platform/errors.ts';
import { checkUpload, type CheckedFile, type IncomingFile, type UploadLimits, type UploadProblem } from '../uploads/check-upload.ts';
import { storeFiles } from '../uploads/file-store.ts';
import type { Viewer } from '../reimbursements/list-reimbursements.ts';

/** The form's fields, as typed (kept to show the form again when something is wrong). */
export const paperClaimFields = z.object({
  beneficiaire: z.string().max(100).default(''),
  date_soins: z.string().max(30).default(''),
  nature: z.string().max(40).default(''),
  montant: z.string().max(40).default(''),
  professionnel: z.string().max(200).default(''),
  commentaire: z.string().max(2000).default(''),
});
export type PaperClaimFields = z.infer<typeof paperClaimFields>;

export const PAPER_CLAIM_LIMITS = { providerMaxChars: 100, commentMaxChars: 1000, maxAmountCents: 10_000_000 } as const;
/** Claims older than two years are time-barred (prescription biennale, Code de la mutualité L.221-11). */
const CLAIM_WINDOW_MONTHS = 24;
/** The act code of a line entered from paper until the back office codes it: shown by its family's label. */
export const PAPER_ACT_CODE = 'PAPIER';
export const PAPER_PENDING_RULE = 'PAPER_PENDING';

export type SubmittedPaperClaim = { claimId: string; lineId: string; receivedAt: string; files: { id: string; name: string }[] };

/** The refusal of a claim: field by field (French messages), and per refused file its stable code. */
export class PaperClaimRefused extends AppError {
  constructor(code: ErrorCode, fields: FieldErrors, readonly fileProblems: (UploadProblem & { name: string })[]) {
    super(code, fileProblems[0]?.message ?? 'Certaines informations sont incorrectes. Vérifiez les champs signalés.', fields);
  }
}

/** « 1 234,56 », « 1234.5 », « 80 € » → cents; null when it is not an amount. */
export function parseEuroAmount(text: string): number | null {
  const compact = text.replace(/[\s\u00a0\u202f]/g, '').replace(/€$/, '');
  const match = /^(\d{1,9})(?:[,.](\d{1,2}))?$/.exec(compact);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
}

/** AAAA-MM-JJ (date picker) or JJ/MM/AAAA (typed) → ISO; null otherwise. */
export function parseCareDate(text: string): string | null {
  const value = text.trim();
  const french = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  const iso = french ? `${french[3]}-${french[2]!.padStart(2, '0')}-${french[1]!.padStart(2, '0')}` : value;
  return isIsoDate(iso) ? iso : null;
}

type Valid = { beneficiaryId: string; careDate: string; family: Family; chargedCents: number; provider: string | null; comment: string | null };

async function checkFields(db: Database, viewer: Viewer, input: PaperClaimFields, today: string): Promise<{ errors: FieldErrors; valid: Valid | null }> {
  const errors: FieldErrors = {};
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM beneficiary WHERE id::text = $1 AND member_id = $2 AND ($3::uuid IS NULL OR id = $3)',
    [input.beneficiaire, viewer.memberId, viewer.beneficiaryId],
  );
  if (!rows[0]) errors.beneficiaire = 'Choisissez la personne qui a reçu les soins.';
  const careDate = parseCareDate(input.date_soins);
  const oldest = addMonths(today, -CLAIM_WINDOW_MONTHS);
  if (!careDate) errors.date_soins = 'Indiquez la date des soins au format JJ/MM/AAAA, par exemple 12/03/2026.';
  else if (careDate > today) errors.date_soins = 'La date des soins ne peut pas être dans le futur.';
  else if (careDate < oldest) errors.date_soins = `Les soins antérieurs au ${formatFrenchDate(oldest)} ne peuvent plus être remboursés (délai de deux ans).`;
  const family = (families as readonly string[]).includes(input.nature) ? (input.nature as Family) : null;
  if (!family) errors.nature = 'Choisissez le type de soins dans la liste.';
  const cents = parseEuroAmount(input.montant);
  if (cents === null) errors.montant = 'Indiquez le montant payé en euros, par exemple 1 234,56.';
  else if (cents <= 0) errors.montant = 'Le montant payé doit être supérieur à 0 €.';
  else if (cents > PAPER_CLAIM_LIMITS.maxAmountCents) errors.montant = 'Le montant dépasse 100 000 € : appelez-nous pour ce remboursement.';
  const provider = input.professionnel.trim();
  if (provider.length > PAPER_CLAIM_LIMITS.providerMaxChars) errors.professionnel = `${PAPER_CLAIM_LIMITS.providerMaxChars} caractères au plus.`;
  const comment = input.commentaire.trim();
  if (comment.length > PAPER_CLAIM_LIMITS.commentMaxChars) errors.commentaire = `${PAPER_CLAIM_LIMITS.commentMaxChars} caractères au plus (vous en avez saisi ${comment.length}).`;
  const ok = Object.keys(errors).length === 0;
  return { errors, valid: ok ? { beneficiaryId: rows[0]!.id, careDate: careDate!, family: family!, chargedCents: cents!, provider: provider || null, comment: comment || null } : null };
}

async function checkFiles(files: readonly IncomingFile[], limits: UploadLimits): Promise<{ checked: CheckedFile[]; problems: (UploadProblem & { name: string })[]; error: string | null; code: ErrorCode }> {
  if (files.length === 0) return { checked: [], problems: [], error: 'Joignez au moins un document : la feuille de soins, la facture ou le formulaire (PDF, JPEG ou PNG).', code: 'VALIDATION' };
  if (files.length > limits.maxFiles) return { checked: [], problems: [], error: `Joignez ${limits.maxFiles} documents au plus par envoi (vous en avez choisi davantage).`, code: 'VALIDATION' };
  const checked: CheckedFile[] = [];
  const problems: (UploadProblem & { name: string })[] = [];
  for (const file of files) {
    const result = await checkUpload(file, limits);
    if (result.ok) checked.push(result.file);
    else problems.push({ ...result.problem, name: file.name });
  }
  const code: ErrorCode = problems.some((p) => p.code === 'FILE_TOO_LARGE') ? 'PAYLOAD_TOO_LARGE' : problems.some((p) => p.code.startsWith('FILE_TYPE')) ? 'UNSUPPORTED_MEDIA_TYPE' : 'VALIDATION';
  return { checked, problems, error: problems.length ? problems.map((p) => p.message).join(' ') : null, code };
}

export async function submitPaperClaim(
  db: Database,
  deps: { key: Buffer; limits: UploadLimits; now: Date },
  viewer: Viewer,
  input: PaperClaimFields,
  files: readonly IncomingFile[],
): Promise<SubmittedPaperClaim> {
  const today = parisDate(deps.now);
  const fields = await checkFields(db, viewer, input, today);
  const attached = await checkFiles(files, deps.limits);
  if (!fields.valid || attached.error) {
    const errors = { ...fields.errors, ...(attached.error ? { fichiers: attached.error } : {}) };
    throw new PaperClaimRefused(attached.error ? attached.code : 'VALIDATION', errors, attached.problems);
  }
  const claim = fields.valid;
  return db.transaction(async (tx) => {
    const number = `PAPIER-${today.replace(/-/g, '')}-${randomBytes(5).toString('hex')}`;
    const { rows: [statement] } = await tx.query<{ id: string }>(
      `INSERT INTO statement (member_id, source, statement_number, liquidation_date, received_at) VALUES ($1, 'PAPER', $2, $3, $4) RETURNING id`,
      [viewer.memberId, number, today, deps.now],
    );
    const explanation = `Document reçu le ${formatFrenchDate(today)}, en attente de traitement : nos services calculent la part de la Sécurité sociale et celle de la mutuelle.`;
    // The parts are unknown until the back office processes the claim: nothing paid yet, so all of it is still the member's.
    // Its arrival is the line's received_at (ADR 010), not a claim_line_status row.
    const { rows: [line] } = await tx.query<{ id: string }>(
      `INSERT INTO claim_line (statement_id, member_id, beneficiary_id, line_number, care_date, family, act_code, provider_name, charged_cents, base_cents,
                               amo_rate_bp, amo_cents, flat_fee_cents, deductible_cents, amo_net_cents, amc_cents, remaining_cents, rule, explanation, status,
                               created_at, received_at, source)
       VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8, 0, 0, 0, 0, 0, 0, 0, $8, $9, $10, 'RECEIVED', $11, $11, 'PAPER') RETURNING id`,
      [statement!.id, viewer.memberId, claim.beneficiaryId, claim.careDate, claim.family, PAPER_ACT_CODE, claim.provider, claim.chargedCents, PAPER_PENDING_RULE, explanation, deps.now],
    );
    const { rows: [paper] } = await tx.query<{ id: string }>(
      `INSERT INTO paper_claim (member_id, beneficiary_id, statement_id, claim_line_id, care_date, family, charged_cents, provider_name, comment, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [viewer.memberId, claim.beneficiaryId, statement!.id, line!.id, claim.careDate, claim.family, claim.chargedCents, claim.provider, claim.comment, deps.now],
    );
    const fileIds = await storeFiles(tx, deps.key, viewer.memberId, attached.checked, deps.now);
    for (const [index, id] of fileIds.entries()) {
      await tx.query('INSERT INTO paper_claim_file (paper_claim_id, stored_file_id, position) VALUES ($1, $2, $3)', [paper!.id, id, index + 1]);
    }
    return { claimId: paper!.id, lineId: line!.id, receivedAt: deps.now.toISOString(), files: fileIds.map((id, i) => ({ id, name: attached.checked[i]!.name })) };
  });
}

/** The paper claim behind a line, with its files (for the line's detail page): null for other lines. */
export async function paperClaimOfLine(db: Database, viewer: Viewer, lineId: string): Promise<{ comment: string | null; files: { id: string; name: string; sizeBytes: number }[] } | null> {
  const { rows } = await db.query<{ comment: string | null; file_id: string | null; original_name: string | null; size_bytes: number | null }>(
    `SELECT p.comment, f.id AS file_id, f.original_name, f.size_bytes
       FROM paper_claim p LEFT JOIN paper_claim_file pf ON pf.paper_claim_id = p.id LEFT JOIN stored_file f ON f.id = pf.stored_file_id
      WHERE p.claim_line_id = $1 AND p.member_id = $2 AND ($3::uuid IS NULL OR p.beneficiary_id = $3) ORDER BY pf.position`,
    [lineId, viewer.memberId, viewer.beneficiaryId],
    { prepare: true },
  );
  if (!rows[0]) return null;
  return { comment: rows[0].comment, files: rows.filter((r) => r.file_id).map((r) => ({ id: r.file_id!, name: r.original_name!, sizeBytes: r.size_bytes! })) };
}

export const familyOptions = families.map((family) => ({ value: family, label: familyLabel(family) }));
