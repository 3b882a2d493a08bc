/**
 * The audit row the back office (issue 9) writes each time an advisor opens a member's file (ADV-02, LOG-01), and that
 * the member reads in « Historique des accès » (/profil/acces). Shape (docs/api/profile-privacy.md):
 *   actor_type 'advisor', actor_id = the advisor's id, action 'member.file.opened',
 *   subject_type 'member', subject_id = the household's member id, ip = the advisor's client IP,
 *   details = { role, reason, beneficiaryId?, record? } — a role and a reason code from the lists below, the
 *   beneficiary whose record was opened (their own login then sees it too), and which record ({ type, id }).
 * Never free text: the member is shown the French labels below, and nothing an advisor typed.
 */
import { z } from 'zod';
import type { Queryable } from '../../db/database.ts';

export const MEMBER_FILE_OPENED = 'member.file.opened';

/** The back-office profiles (domain.md §11.5), as the member reads them. */
export const ADVISOR_ROLES = {
  conseiller: 'Conseiller de la mutuelle',
  gestionnaire_prestations: 'Gestionnaire des remboursements',
  medecin_conseil: 'Médecin-conseil',
  admin: 'Administrateur du service',
} as const;
export type AdvisorRole = keyof typeof ADVISOR_ROLES;

/** Why the file was opened: a code the advisor picks, shown in plain French and never with health details. */
export const FILE_OPENING_REASONS = {
  MEMBER_REQUEST: 'Réponse à votre demande (appel, message ou courrier)',
  CLAIM_PROCESSING: 'Traitement d’un remboursement',
  PAPER_CLAIM: 'Traitement d’une feuille de soins envoyée',
  CARE_REQUEST: 'Traitement d’une demande de prise en charge',
  CONTRACT: 'Gestion de votre contrat ou de vos cotisations',
  BANK_DETAILS: 'Vérification de coordonnées bancaires',
  COMPLAINT: 'Traitement d’une réclamation',
  SECURITY_REVIEW: 'Contrôle de sécurité de votre compte',
  LEGAL_OBLIGATION: 'Obligation légale ou demande d’une autorité',
} as const;
export type FileOpeningReason = keyof typeof FILE_OPENING_REASONS;

const roles = Object.keys(ADVISOR_ROLES) as [AdvisorRole, ...AdvisorRole[]];
const reasons = Object.keys(FILE_OPENING_REASONS) as [FileOpeningReason, ...FileOpeningReason[]];

export const fileOpenedDetails = z.strictObject({
  role: z.enum(roles),
  reason: z.enum(reasons),
  beneficiaryId: z.uuid().optional(),
  record: z.strictObject({ type: z.enum(['reimbursement', 'document', 'request', 'paper_claim', 'message', 'bank_account', 'contract', 'profile']), id: z.string().min(1).max(64) }).optional(),
});
export type FileOpenedDetails = z.infer<typeof fileOpenedDetails>;

export type FileOpened = FileOpenedDetails & { advisorId: string; memberId: string; ip: string; at: Date };

/**
 * Writes the row, in the caller's transaction (the read it records and its trace commit together). Throws on a role
 * or reason outside the lists: a back-office bug must fail loudly rather than record an access the member cannot read.
 */
export async function recordMemberFileOpened(q: Queryable, opened: FileOpened): Promise<void> {
  const { advisorId, memberId, ip, at, ...rest } = opened;
  const details = fileOpenedDetails.parse(rest);
  await q.query(
    `INSERT INTO audit_log (occurred_at, actor_type, actor_id, action, subject_type, subject_id, ip, details)
     VALUES ($1, 'advisor', $2, $3, 'member', $4, $5, $6)`,
    [at, advisorId, MEMBER_FILE_OPENED, memberId, ip, JSON.stringify(details)],
  );
}
