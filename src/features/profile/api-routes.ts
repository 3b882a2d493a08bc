/**
 * /api/v1/profile (issue 8): the JSON twins of /profil and /profil/banque, over the same use cases. Bodies are parsed
 * by strict schemas (api-schemas.ts): an unknown field is a 400 VALIDATION naming it, and nothing is written (AC-03).
 * Responses are built field by field from the use cases' views: no NIR, IBANs masked except the one the member is
 * confirming.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { accountInForceAt, type AccountRecord } from '../../db/repositories/bank-accounts.ts';
import { AppError } from '../../platform/errors.ts';
import type { Feature } from '../../platform/http/server.ts';
import { apiViewer } from '../auth/member-area.ts';
import { ACCESS_CODE_LOCKED, cancelBankChange, cancelByNotMeCode, changeToConfirm, confirmBankChange, currentChange, requestBankChange, type ChangeView } from './bank-change.ts';
import { chooseMailingAddress, getContactDetails, removeAddress, saveAddress, updatePhones, type AddressFormFields } from './contact-details.ts';
import type { AddressRecord } from '../../db/repositories/contacts.ts';
import { confirmEmailChange, requestEmailChange } from './email-change.ts';
import {
  addressRequest,
  bankChangeRequest,
  bankConfirmRequest,
  beneficiaryRequest,
  emailChangeRequest,
  emailConfirmRequest,
  emptyRequest,
  mailingAddressRequest,
  notMeRequest,
  phonesRequest,
  type bankAccountResponse,
  type bankChange,
  type profileResponse,
} from './api-schemas.ts';
import { profileDepsOf } from './routes.ts';

/** VAL-03 / AC-03: strict schema; a failure names the fields (never echoes the values). */
function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') for (const key of issue.keys) fields[key.slice(0, 50)] = 'Champ inconnu.';
    else fields[String(issue.path.join('.') || '_')] = 'Valeur invalide.';
  }
  throw new AppError('VALIDATION', undefined, fields);
}

function idOf(request: FastifyRequest): string {
  const id = (request.params as { id?: string }).id ?? '';
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new AppError('NOT_FOUND');
  return id;
}

/** The household's member, for the routes a beneficiary's own login does not reach (sessions.ts gives them no session here). */
const householdOf = (request: FastifyRequest) => apiViewer(request).memberId;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const addressJson = (a: AddressRecord) => ({
  id: a.id, label: a.label, recipient: a.recipient, streetNumber: a.streetNumber, street: a.street, complement: a.complement, postalCode: a.postalCode, city: a.city, country: a.country,
});

const accountJson = (a: AccountRecord | null) => (a ? { maskedIban: a.maskedIban, holderName: a.holderName, bic: a.bic, inForceSince: a.effectiveAt.toISOString() } : null);

export const changeJson = (c: ChangeView): z.infer<typeof bankChange> => ({
  id: c.id, status: c.status, maskedIban: c.maskedIban, holderName: c.holderName, bic: c.bic, requestedAt: c.requestedAt.toISOString(), channel: c.channel,
  effectiveAt: iso(c.effectiveAt), codeExpiresAt: iso(c.codeExpiresAt), attemptsLeft: c.attemptsLeft, reviewReasons: c.reasons,
});

const addressFields = (a: z.infer<typeof addressRequest> | Omit<z.infer<typeof addressRequest>, 'label'>): AddressFormFields => ({
  label: 'label' in a ? (a.label ?? '') : '', recipient: a.recipient ?? '', streetNumber: a.streetNumber ?? '', street: a.street, complement: a.complement ?? '',
  postalCode: a.postalCode, city: a.city, country: a.country,
});

/** Use-case errors on address fields carry the page's field names; the API says them in its own. */
const API_ADDRESS_FIELDS: Record<string, string> = {
  libelle: 'label', destinataire: 'recipient', numero: 'streetNumber', voie: 'street', complement: 'complement', code_postal: 'postalCode', commune: 'city', pays: 'country',
  fixe: 'landline', titulaire: 'holderName', code: 'code',
};
async function withApiFields<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError && error.fields) {
      throw new AppError(error.code, error.message, Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [API_ADDRESS_FIELDS[k] ?? k, v])));
    }
    throw error;
  }
}

const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

export const profileApiRoutes: Feature = (app, context) => {
  const { clock, sessions } = context;
  const deps = profileDepsOf(context);
  const key = deps.keys.dataEncryptionKey;

  async function bankJson(memberId: string): Promise<z.infer<typeof bankAccountResponse>> {
    const now = clock();
    const [account, change] = await Promise.all([accountInForceAt(deps.db, key, memberId, now), currentChange(deps, memberId, now)]);
    return { account: accountJson(account), change: change ? changeJson(change) : null };
  }

  app.get('/api/v1/profile', async (request, reply): Promise<z.infer<typeof profileResponse>> => {
    const memberId = householdOf(request);
    const d = await getContactDetails(deps, memberId, clock());
    noStore(reply);
    const pending = (p: { address: string; expiresAt: Date } | null) => (p ? { address: p.address, expiresAt: p.expiresAt.toISOString() } : null);
    return {
      member: { firstName: d.member.firstName, lastName: d.member.lastName, memberNumber: d.member.memberNumber },
      email: d.email ? { address: d.email.address, verified: d.email.verified } : null,
      pendingEmail: pending(d.pendingEmail),
      phones: { mobile: d.phones.mobile, landline: d.phones.landline },
      addresses: d.addresses.map((a) => ({ ...addressJson(a), mailing: a.mailing })),
      beneficiaries: d.beneficiaries.map((b) => ({
        id: b.id, firstName: b.firstName, lastName: b.lastName, relationship: b.relationship, email: b.email ? { address: b.email.address, verified: b.email.verified } : null,
        pendingEmail: pending(b.pendingEmail), phones: { mobile: b.phones.mobile, landline: b.phones.landline }, address: b.address ? addressJson(b.address) : null,
      })),
      bank: await bankJson(memberId),
    };
  });

  app.put('/api/v1/profile/phones', async (request, reply) => {
    const memberId = householdOf(request);
    const body = parseBody(phonesRequest, request.body);
    await withApiFields(() => updatePhones(deps, { memberId, beneficiaryId: null, mobile: body.mobile ?? '', landline: body.landline ?? '', now: clock(), ip: request.ip }));
    const d = await getContactDetails(deps, memberId, clock());
    return noStore(reply).send({ mobile: d.phones.mobile, landline: d.phones.landline });
  });

  app.post('/api/v1/profile/email-change', async (request, reply) => {
    const memberId = householdOf(request);
    const body = parseBody(emailChangeRequest, request.body);
    const change = await requestEmailChange(deps, { memberId, beneficiaryId: body.beneficiaryId ?? null, address: body.address, now: clock(), ip: request.ip });
    return noStore(reply).status(202).send({ pendingEmail: { address: body.address.trim(), expiresAt: change.expiresAt.toISOString() } });
  });

  app.post('/api/v1/profile/email-change/confirm', async (request, reply) => {
    const body = parseBody(emailConfirmRequest, request.body);
    const done = await confirmEmailChange(deps, { token: body.token, now: clock(), ip: request.ip });
    if (!done) return reply.status(410).send({ error: { code: 'INVALID_LINK', message: 'Ce lien a déjà servi, a expiré ou a été remplacé par un lien plus récent.' } });
    return noStore(reply).send({ status: 'OK' });
  });

  app.post('/api/v1/profile/addresses', async (request, reply) => {
    const memberId = householdOf(request);
    const body = parseBody(addressRequest, request.body);
    const saved = await withApiFields(() => saveAddress(deps, { memberId, addressId: null, beneficiaryId: null, fields: addressFields(body), now: clock(), ip: request.ip }));
    return noStore(reply).status(201).send({ id: saved.addressId });
  });

  app.put('/api/v1/profile/addresses/:id', async (request, reply) => {
    const memberId = householdOf(request);
    const addressId = idOf(request);
    const body = parseBody(addressRequest, request.body);
    const saved = await withApiFields(() => saveAddress(deps, { memberId, addressId, beneficiaryId: null, fields: addressFields(body), now: clock(), ip: request.ip }));
    return noStore(reply).send({ id: saved.addressId });
  });

  app.delete('/api/v1/profile/addresses/:id', async (request, reply) => {
    const memberId = householdOf(request);
    await removeAddress(deps, { memberId, addressId: idOf(request), now: clock(), ip: request.ip });
    return noStore(reply).send({ status: 'OK' });
  });

  app.put('/api/v1/profile/mailing-address', async (request, reply) => {
    const memberId = householdOf(request);
    const body = parseBody(mailingAddressRequest, request.body);
    await chooseMailingAddress(deps, { memberId, addressId: body.addressId, now: clock(), ip: request.ip });
    return noStore(reply).send({ status: 'OK' });
  });

  app.put('/api/v1/profile/beneficiaries/:id', async (request, reply) => {
    const memberId = householdOf(request);
    const beneficiaryId = idOf(request);
    const body = parseBody(beneficiaryRequest, request.body);
    const now = clock();
    // Checked before anything is written: a foreign beneficiary is NOT_FOUND whatever the body.
    const details = await getContactDetails(deps, memberId, now);
    const beneficiary = details.beneficiaries.find((b) => b.id === beneficiaryId);
    if (!beneficiary) throw new AppError('NOT_FOUND');
    if (body.phones) {
      const phones = body.phones;
      await withApiFields(() => updatePhones(deps, { memberId, beneficiaryId, mobile: phones.mobile ?? '', landline: phones.landline ?? '', now, ip: request.ip }));
    }
    if (body.address) {
      const address = body.address;
      await withApiFields(() => saveAddress(deps, { memberId, addressId: null, beneficiaryId, fields: addressFields(address), now, ip: request.ip }));
    } else if (body.address === null && beneficiary.address) {
      await removeAddress(deps, { memberId, addressId: beneficiary.address.id, now, ip: request.ip });
    }
    return noStore(reply).send({ status: 'OK' });
  });

  // --- Bank account -------------------------------------------------------------------------------------------------
  app.get('/api/v1/profile/bank-account', async (request, reply) => {
    const body = await bankJson(householdOf(request));
    return noStore(reply).send(body);
  });

  app.post('/api/v1/profile/bank-account/changes', async (request, reply) => {
    const memberId = householdOf(request);
    const body = parseBody(bankChangeRequest, request.body);
    const now = clock();
    const outcome = await withApiFields(() =>
      requestBankChange(deps, { memberId, iban: body.iban, bic: body.bic ?? '', holderName: body.holderName, accessCode: body.accessCode, rib: null, now, ip: request.ip }),
    );
    if (outcome.kind === 'LOCKED') throw new AppError('LOCKED', ACCESS_CODE_LOCKED);
    const change = await currentChange(deps, memberId, now);
    return noStore(reply).status(202).send({ change: changeJson(change!) });
  });

  app.get('/api/v1/profile/bank-account/changes/current', async (request, reply) => {
    const change = await changeToConfirm(deps, householdOf(request), clock());
    if (!change || !change.channel) throw new AppError('NOT_FOUND');
    return noStore(reply).send({
      id: change.id, iban: change.formattedIban, bic: change.details.bic, holderName: change.details.holderName, channel: change.channel,
      codeExpiresAt: iso(change.codeExpiresAt), attemptsLeft: change.attemptsLeft,
    });
  });

  app.post('/api/v1/profile/bank-account/changes/:id/confirm', async (request, reply) => {
    const memberId = householdOf(request);
    const changeId = idOf(request);
    const body = parseBody(bankConfirmRequest, request.body);
    const outcome = await confirmBankChange(deps, { memberId, changeId, iban: body.iban, bic: body.bic ?? '', holderName: body.holderName, code: body.code, now: clock(), ip: request.ip });
    noStore(reply);
    if (outcome.kind === 'WRONG') return reply.status(422).send({ error: { code: 'BAD_CODE', message: 'Ce code ne confirme pas ce compte.', attemptsLeft: outcome.attemptsLeft } });
    if (outcome.kind === 'VOID') return reply.status(410).send({ error: { code: 'CHANGE_VOIDED', message: 'Cette demande est annulée (trois codes erronés, code expiré, ou demande terminée) : votre compte n’a pas changé.' } });
    return { status: 'COOLING_OFF', effectiveAt: outcome.effectiveAt.toISOString(), noticeEmails: outcome.notices.emails, noticeLetter: outcome.notices.letter };
  });

  app.post('/api/v1/profile/bank-account/changes/:id/cancel', async (request, reply) => {
    const memberId = householdOf(request);
    const changeId = idOf(request);
    parseBody(emptyRequest, request.body);
    await cancelBankChange(deps, { memberId, changeId, now: clock(), ip: request.ip });
    return noStore(reply).send({ status: 'OK' });
  });

  app.post('/api/v1/profile/bank-account/not-me', async (request, reply) => {
    const body = parseBody(notMeRequest, request.body);
    const cancelled = await cancelByNotMeCode(deps, { code: body.code, now: clock(), ip: request.ip }, (tx, memberId) => sessions.endAllFor(tx, 'member', memberId));
    if (!cancelled) return reply.status(410).send({ error: { code: 'INVALID_LINK', message: 'Ce code ne correspond à aucun changement que l’on peut encore annuler.' } });
    return noStore(reply).send({ status: 'OK' });
  });
};
