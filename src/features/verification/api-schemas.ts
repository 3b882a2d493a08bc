/**
 * The public verification API (issue 7): GET /api/v1/verify and the JWKS, their schemas (the handlers return exactly
 * these fields, the tests parse the answers with them) and the entry of /api/v1/verify in the OpenAPI route table.
 */
import { z } from 'zod';
import { errorResponse } from '../auth/api-schemas.ts';

/** Longest input accepted from the query string: a code is about 300 characters, its /verifier URL a few dozen more. */
export const MAX_INPUT_LENGTH = 4096;

export const verifyQuery = z.strictObject({
  code: z.string().min(1).max(MAX_INPUT_LENGTH).describe('The code printed under the QR code (EA1:…), or the whole /verifier URL the QR code holds'),
});

export const VERIFICATION_REASONS = ['VALID', 'EXPIRED', 'MALFORMED', 'UNSUPPORTED_ALGORITHM', 'UNKNOWN_KEY', 'REVOKED_KEY', 'BAD_SIGNATURE'] as const;

const isoDate = z.iso.date();
export const verifyResponseSchema = z.strictObject({
  status: z.enum(['authentic', 'expired', 'not_authentic']),
  reason: z.enum(VERIFICATION_REASONS).describe('VALID and EXPIRED: the signature is good; any other: not authentic, and why'),
  message: z.string().describe('The answer in French, as /verifier shows it'),
  fields: z
    .strictObject({
      issuer: z.string().describe('The issuing portal (its public URL)'),
      keyId: z.string().describe('kid of the signing key, in /.well-known/jwks.json'),
      documentType: z.enum(['CARTE_TP', 'ATTESTATION_DROITS']),
      documentLabel: z.string().describe('The document type in French'),
      memberNumber: z.string(),
      beneficiaries: z.array(z.strictObject({ initials: z.string(), birthDate: isoDate })),
      validFrom: isoDate,
      validUntil: isoDate,
      issuedAt: z.iso.datetime().describe('To the second'),
      documentHash: z.string().describe('base64url SHA-256 of the document’s facts'),
    })
    .nullable()
    .describe('The signed facts, only when the signature is good (status authentic or expired)'),
});

export const jwksResponseSchema = z.strictObject({
  keys: z.array(z.strictObject({ kty: z.literal('EC'), crv: z.literal('P-256'), kid: z.string(), x: z.string(), y: z.string(), alg: z.literal('ES256'), use: z.literal('sig') })),
});

/** For the OpenAPI route table. */
export const VERIFICATION_API_ROUTE = {
  method: 'GET', path: '/api/v1/verify', operationId: 'verifyDocumentCode', tag: 'verification', public: true,
  summary: 'Public, no session: checks the signed code of a tiers-payant card or an attestation de droits (authentic, expired or not authentic) and returns its facts',
  query: verifyQuery,
  responses: {
    200: { description: 'The answer, whatever the code (a wrong code is « not_authentic », not an error)', schema: verifyResponseSchema },
    400: { description: 'VALIDATION: code missing, repeated, or longer than 4 096 characters', schema: errorResponse },
  },
} as const;
