/**
 * /api/v1/profile (issue 8): request and response schemas (zod, VAL-03 / AC-03: unknown keys such as `memberId`,
 * `verified` or `status` are refused with 400 and change nothing; lengths capped) and the OpenAPI route table. The
 * handlers (api-routes.ts) return exactly these fields: never a NIR, never a full IBAN (masked as on every page).
 */
import { z } from 'zod';
import type { ApiRoute } from '../../platform/http/openapi.ts';

const text = (max: number) => z.string().max(max);

// --- Requests -----------------------------------------------------------------------------------------------------
export const phonesRequest = z.strictObject({
  mobile: text(40).nullable().describe('Mobile phone as typed (06 12 34 56 78, +33 6…, 0033 6…, or +<country code> abroad); null or "" removes it'),
  landline: text(40).nullable().describe('Landline, same forms; null or "" removes it'),
});
export const emailChangeRequest = z.strictObject({
  address: text(300).describe('The new address: a single-use link valid 24 h is sent there; it becomes the address in use only once confirmed'),
  beneficiaryId: z.uuid().optional().describe('A beneficiary’s own address instead of the household’s'),
});
export const emailConfirmRequest = z.strictObject({ token: text(100).describe('The token of the emailed link (?jeton=…)') });
export const addressRequest = z.strictObject({
  label: text(80).optional().describe('« Domicile », « Résidence d’été »… (household addresses only)'),
  recipient: text(80).optional().describe('Name on the envelope; empty: the member’s name'),
  streetNumber: text(20).optional(),
  street: text(120),
  complement: text(80).optional(),
  postalCode: text(20).describe('5 digits in France'),
  city: text(80),
  country: z.string().regex(/^[A-Z]{2}$/).default('FR').describe('ISO 3166-1 alpha-2'),
});
export const mailingAddressRequest = z.strictObject({ addressId: z.uuid().describe('One of the household’s current addresses') });
export const beneficiaryRequest = z.strictObject({
  phones: phonesRequest.optional(),
  address: addressRequest.omit({ label: true }).nullable().optional().describe('Their own address; null: the household’s again'),
});
export const bankChangeRequest = z.strictObject({
  iban: text(60),
  bic: text(30).optional(),
  holderName: text(100),
  accessCode: text(20).describe('The member’s 6-digit access code (step-up, FRD-01; a wrong one counts towards the lock as at login)'),
});
export const bankConfirmRequest = z.strictObject({
  iban: text(60).describe('The IBAN exactly as shown with the request (GET /api/v1/profile/bank-account/changes/current): the code is bound to it'),
  bic: text(30).optional(),
  holderName: text(100),
  code: text(30).describe('6 digits (email) or 8 characters (letter)'),
});
export const notMeRequest = z.strictObject({ code: text(40).describe('The 16-character cancel code of the notice') });
export const emptyRequest = z.strictObject({});

// --- Responses ----------------------------------------------------------------------------------------------------
const phones = z.strictObject({ mobile: z.string().nullable().describe('E.164, e.g. +33612345678'), landline: z.string().nullable() });
const address = z.strictObject({
  id: z.uuid(), label: z.string().nullable(), recipient: z.string(), streetNumber: z.string().nullable(), street: z.string(), complement: z.string().nullable(),
  postalCode: z.string(), city: z.string(), country: z.string(),
});
const email = z.strictObject({ address: z.string(), verified: z.boolean() }).nullable();
const pendingEmail = z.strictObject({ address: z.string(), expiresAt: z.iso.datetime() }).nullable().describe('A change waiting for its link');
const account = z.strictObject({
  maskedIban: z.string().describe('FR76 •••• •••• •••• •••• ••89 123'), holderName: z.string(), bic: z.string().nullable(), inForceSince: z.iso.datetime(),
});
export const bankChange = z.strictObject({
  id: z.uuid(),
  status: z.enum(['AWAITING_CODE', 'COOLING_OFF', 'REVIEW']).describe('AWAITING_CODE: confirm with the code; COOLING_OFF: confirmed, used from effectiveAt; REVIEW: an advisor decides'),
  maskedIban: z.string(),
  holderName: z.string(),
  bic: z.string().nullable(),
  requestedAt: z.iso.datetime(),
  channel: z.enum(['EMAIL', 'LETTER']).nullable().describe('Where the confirmation code went'),
  effectiveAt: z.iso.datetime().nullable(),
  codeExpiresAt: z.iso.datetime().nullable(),
  attemptsLeft: z.number().int().nullable(),
  reviewReasons: z.array(z.enum(['RECENT_CODE_RESET', 'RECENT_EMAIL_CHANGE', 'RECENT_NEW_DEVICE', 'SECOND_CHANGE_IN_30_DAYS', 'SHARED_IBAN'])),
});
export const bankAccountResponse = z.strictObject({ account: account.nullable().describe('The account payments go to now'), change: bankChange.nullable() });
export const changeToConfirmResponse = z.strictObject({
  id: z.uuid(), iban: z.string().describe('In full, grouped by 4: the member typed it and must check what the code confirms'), bic: z.string().nullable(), holderName: z.string(),
  channel: z.enum(['EMAIL', 'LETTER']), codeExpiresAt: z.iso.datetime().nullable(), attemptsLeft: z.number().int().nullable(),
});

export const profileResponse = z.strictObject({
  member: z.strictObject({ firstName: z.string(), lastName: z.string(), memberNumber: z.string() }),
  email,
  pendingEmail,
  phones,
  addresses: z.array(address.extend({ mailing: z.boolean().describe('Letters go to this one') })),
  beneficiaries: z.array(
    z.strictObject({
      id: z.uuid(), firstName: z.string(), lastName: z.string(), relationship: z.enum(['SPOUSE', 'CHILD', 'OTHER']),
      email: email.describe('Their own; null: the household’s'), pendingEmail, phones, address: address.nullable().describe('Their own; null: the household’s'),
    }),
  ),
  bank: bankAccountResponse,
});
export const emailChangeResponse = z.strictObject({ pendingEmail: z.strictObject({ address: z.string(), expiresAt: z.iso.datetime() }) });
export const addressResponse = z.strictObject({ id: z.uuid() });
export const bankChangeResponse = z.strictObject({ change: bankChange });
export const confirmResponse = z.strictObject({ status: z.literal('COOLING_OFF'), effectiveAt: z.iso.datetime(), noticeEmails: z.number().int(), noticeLetter: z.boolean() });
export const okResponse = z.strictObject({ status: z.literal('OK') });

export const profileError = z.strictObject({
  error: z.strictObject({
    code: z.string().describe('VALIDATION, NOT_FOUND, CONFLICT, RATE_LIMITED, LOCKED, UNAUTHENTICATED, CSRF, BAD_CODE, CHANGE_VOIDED, INVALID_LINK'),
    message: z.string().describe('French message for people'),
    fields: z.record(z.string(), z.string()).optional().describe('VALIDATION: message per field (unknown fields: « Champ inconnu. »)'),
    attemptsLeft: z.number().int().optional().describe('BAD_CODE: tries left before the request is voided'),
  }),
});

// --- The route table ----------------------------------------------------------------------------------------------
const error = (description: string) => ({ description, schema: profileError });
const common = { 400: error('VALIDATION: a field refused, or an unknown one (AC-03)'), 401: error('UNAUTHENTICATED'), 403: error('CSRF') };
const P = '/api/v1/profile';
const tag = 'profile';

export const PROFILE_API_ROUTES = [
  { method: 'GET', path: P, operationId: 'getProfile', tag, summary: 'The member’s profile: contact details, addresses, beneficiaries’ own details, bank account (IBAN masked)', responses: { 200: { description: 'The profile', schema: profileResponse }, 401: common[401] } },
  { method: 'PUT', path: `${P}/phones`, operationId: 'setPhones', tag, summary: 'Sets the household’s mobile and landline (E.164 normalisation)', body: phonesRequest, responses: { 200: { description: 'Saved', schema: phones }, ...common } },
  {
    method: 'POST', path: `${P}/email-change`, operationId: 'requestEmailChange', tag, summary: 'Sends a confirmation link to the new address (the current one stays in use until the link is opened)',
    body: emailChangeRequest, responses: { 202: { description: 'Link sent', schema: emailChangeResponse }, ...common, 429: error('RATE_LIMITED: 5 links a day at most') },
  },
  {
    method: 'POST', path: `${P}/email-change/confirm`, operationId: 'confirmEmailChange', tag, summary: 'Confirms a change with the emailed token (no session needed: the token is the proof); the old address gets a notice',
    body: emailConfirmRequest, public: true, responses: { 200: { description: 'The new address is in use', schema: okResponse }, 400: common[400], 403: common[403], 410: error('INVALID_LINK: used, expired or replaced') },
  },
  { method: 'POST', path: `${P}/addresses`, operationId: 'addAddress', tag, summary: 'Adds a household address (3 at most; the first becomes the mailing address)', body: addressRequest, responses: { 201: { description: 'Added', schema: addressResponse }, ...common, 409: error('CONFLICT: already 3 addresses') } },
  {
    method: 'PUT', path: `${P}/addresses/:id`, operationId: 'changeAddress', tag, summary: 'Changes an address: a new row replaces it (history kept); its id changes, the mailing choice follows',
    body: addressRequest, responses: { 200: { description: 'Changed', schema: addressResponse }, ...common, 404: error('NOT_FOUND (another household’s, or replaced)') },
  },
  {
    method: 'DELETE', path: `${P}/addresses/:id`, operationId: 'removeAddress', tag, summary: 'Removes an address (not the mailing one, never the last)',
    responses: { 200: { description: 'Removed', schema: okResponse }, 401: common[401], 403: common[403], 404: error('NOT_FOUND'), 409: error('CONFLICT: the mailing address, or the last one') },
  },
  { method: 'PUT', path: `${P}/mailing-address`, operationId: 'chooseMailingAddress', tag, summary: 'Chooses the address letters go to', body: mailingAddressRequest, responses: { 200: { description: 'Chosen', schema: okResponse }, ...common, 404: error('NOT_FOUND') } },
  {
    method: 'PUT', path: `${P}/beneficiaries/:id`, operationId: 'setBeneficiaryDetails', tag, summary: 'A beneficiary’s own phones and address where they differ (their own email: POST email-change with beneficiaryId)',
    body: beneficiaryRequest, responses: { 200: { description: 'Saved', schema: okResponse }, ...common, 404: error('NOT_FOUND') },
  },
  { method: 'GET', path: `${P}/bank-account`, operationId: 'getBankAccount', tag, summary: 'The account in force (masked) and the change in progress', responses: { 200: { description: 'Bank details', schema: bankAccountResponse }, 401: common[401] } },
  {
    method: 'POST', path: `${P}/bank-account/changes`, operationId: 'requestBankChange', tag,
    summary: 'Asks for a new account (access code re-entered): a code goes by email (letter without email), or the request goes to an advisor (FRD-04…06)',
    body: bankChangeRequest,
    responses: { 202: { description: 'AWAITING_CODE, or REVIEW', schema: bankChangeResponse }, ...common, 409: error('CONFLICT: a change already in review or cooling-off'), 423: error('LOCKED: too many wrong access codes') },
  },
  {
    method: 'GET', path: `${P}/bank-account/changes/current`, operationId: 'getChangeToConfirm', tag, summary: 'The request awaiting its code, with the IBAN in full (what the code confirms)',
    responses: { 200: { description: 'The request', schema: changeToConfirmResponse }, 401: common[401], 404: error('NOT_FOUND: nothing awaits a code') },
  },
  {
    method: 'POST', path: `${P}/bank-account/changes/:id/confirm`, operationId: 'confirmBankChange', tag,
    summary: 'The code, with the exact details it was issued for (a code for IBAN X never confirms Y; 3 wrong codes void the request); starts the 72 h cooling-off',
    body: bankConfirmRequest,
    responses: { 200: { description: 'Confirmed', schema: confirmResponse }, ...common, 404: error('NOT_FOUND'), 410: error('CHANGE_VOIDED: voided (3rd wrong code, expired) or no longer awaiting'), 422: error('BAD_CODE: wrong code or details; attemptsLeft') },
  },
  {
    method: 'POST', path: `${P}/bank-account/changes/:id/cancel`, operationId: 'cancelBankChange', tag, summary: 'The member cancels their change in progress (awaiting, in review or cooling-off)',
    body: emptyRequest, responses: { 200: { description: 'Cancelled', schema: okResponse }, ...common, 404: error('NOT_FOUND') },
  },
  {
    method: 'POST', path: `${P}/bank-account/not-me`, operationId: 'notMe', tag, public: true,
    summary: '« Ce n’est pas moi »: the notice’s code cancels the change until the new account is in force, and ends every session of the member',
    body: notMeRequest, responses: { 200: { description: 'Cancelled', schema: okResponse }, 400: common[400], 403: common[403], 410: error('INVALID_LINK: no change that can still be cancelled') },
  },
] as const satisfies readonly ApiRoute[];
