import { createHash } from 'node:crypto';
import type { VerificationClaims } from './verification-code.ts';

/** A card's claims for three beneficiaries, valid through 2026. */
export const CLAIMS: VerificationClaims = {
  documentType: 'CARTE_TP',
  memberNumber: '0012345678',
  beneficiaries: [
    { initials: 'J. D.', birthDate: '1985-03-12' },
    { initials: 'M. D.', birthDate: '1958-07-01' },
    { initials: 'L. D.', birthDate: '2015-01-20' },
  ],
  validFrom: '2026-01-01',
  validUntil: '2026-12-31',
  issuedAt: '2026-03-12T10:00:00Z',
  documentHash: createHash('sha256').update('faits canoniques').digest('base64url'),
};
