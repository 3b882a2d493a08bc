/** The one answer /verifier and GET /api/v1/verify give for a code: status, reason, French message, facts. */
import type { z } from 'zod';
import { formatFrenchDate, parisDate } from '../../domain/dates.ts';
import type { Config } from '../../platform/config.ts';
import type { verifyResponseSchema } from './api-schemas.ts';
import { verifyDocumentCode, type VerificationDocumentType, type VerificationOutcome } from './verification-code.ts';

export type VerificationAnswer = z.infer<typeof verifyResponseSchema>;

export const DOCUMENT_LABELS: Record<VerificationDocumentType, string> = { CARTE_TP: 'Carte de tiers payant', ATTESTATION_DROITS: 'Attestation de droits' };

function messageOf(outcome: VerificationOutcome, organisationName: string): string {
  switch (outcome.reason) {
    case 'VALID':
      return `La signature est valide : ce document a été émis par ${organisationName} et n’a pas été modifié. Vérifiez que les informations ci-dessous correspondent au document présenté.`;
    case 'EXPIRED':
      return `La signature est valide, mais la période de validité de ce document s’est terminée le ${formatFrenchDate(outcome.fields.validUntil)}.`;
    case 'MALFORMED':
      return 'Ce code n’est pas un code de vérification reconnu : il est incomplet, a été modifié ou vient d’un autre système.';
    case 'UNSUPPORTED_ALGORITHM':
      return 'Ce code utilise un procédé de signature que nous n’employons pas.';
    case 'UNKNOWN_KEY':
      return `Ce code n’est pas signé par une clé de ${organisationName}.`;
    case 'REVOKED_KEY':
      return `La clé qui a signé ce code a été révoquée par ${organisationName} : le document n’est plus reconnu. L’adhérent peut en télécharger un nouveau dans son espace.`;
    case 'BAD_SIGNATURE':
      return 'La signature ne correspond pas au contenu du code : le code a été modifié ou mal recopié.';
  }
}

/** Checks `input` (a code or a /verifier URL) on the mutuelle's calendar date; never throws. */
export function verificationAnswer(config: Pick<Config, 'documentSigning'>, input: string, now: Date, organisationName: string): VerificationAnswer {
  const outcome = verifyDocumentCode(config, input, parisDate(now));
  const f = outcome.fields;
  return {
    status: outcome.status,
    reason: outcome.reason,
    message: messageOf(outcome, organisationName),
    fields: f
      ? {
          issuer: f.issuer, keyId: f.keyId, documentType: f.documentType, documentLabel: DOCUMENT_LABELS[f.documentType], memberNumber: f.memberNumber,
          beneficiaries: f.beneficiaries.map((b) => ({ initials: b.initials, birthDate: b.birthDate })), validFrom: f.validFrom, validUntil: f.validUntil,
          issuedAt: f.issuedAt, documentHash: f.documentHash,
        }
      : null,
  };
}
