/**
 * The pages of « Mon profil » that issue 8 part A owns: /profil (contact details) and /profil/banque (bank details),
 * the email link's page and the public « ce n'est pas moi » page. Every body goes through a strict schema (AC-03:
 * an unknown field is refused, nothing changes); each POST calls one use case, then redirects (POST-redirect-GET), or
 * shows the form again with its errors (400).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import { z } from 'zod';
import { accountInForceAt } from '../../db/repositories/bank-accounts.ts';
import { AppError, type FieldErrors } from '../../platform/errors.ts';
import { sendPage } from '../../platform/http/render.ts';
import type { Feature, RouteContext } from '../../platform/http/server.ts';
import { firstNameOf, requireMember } from '../auth/member-area.ts';
import { memberBar } from '../auth/session-routes.ts';
import { filesOf, registerMultipart, textFieldsOf } from '../uploads/multipart.ts';
import { cancelBankChange, cancelByNotMeCode, changeToConfirm, confirmBankChange, currentChange, requestBankChange, ACCESS_CODE_LOCKED } from './bank-change.ts';
import { BankChangePage, BankConfirmPage, BankPage, NotMePage, type BankChangeValues } from './bank-pages.tsx';
import { chooseMailingAddress, getContactDetails, removeAddress, saveAddress, updatePhones, type AddressFormFields } from './contact-details.ts';
import { AddressPage, BeneficiaryPage, ContactPage, EmailConfirmPage, addressFormOf, emptyAddressForm, type BeneficiaryPageProps, type ContactForms } from './contact-pages.tsx';
import { checkEmailChangeLink, confirmEmailChange, EMAIL_CONFIRM_PATH, removeBeneficiaryEmail, requestEmailChange } from './email-change.ts';
import type { ProfileDeps } from './profile-common.ts';

const csrf = z.string().max(200);
const text = (max: number) => z.string().max(max);
const id = z.uuid();

export const emailForm = z.strictObject({ _csrf: csrf, email: text(300), beneficiaire: id.optional() });
export const phonesForm = z.strictObject({ _csrf: csrf, mobile: text(40), fixe: text(40), beneficiaire: id.optional() });
export const addressForm = z.strictObject({
  _csrf: csrf, libelle: text(80).default(''), destinataire: text(80).default(''), numero: text(20).default(''), voie: text(120), complement: text(80).default(''),
  code_postal: text(20), commune: text(80), pays: text(2).default('FR'),
});
const beneficiaryAddressForm = addressForm.omit({ libelle: true });
const mailingForm = z.strictObject({ _csrf: csrf, adresse: id.optional() });
const csrfOnly = z.strictObject({ _csrf: csrf });
export const bankChangeForm = z.strictObject({ _csrf: csrf, iban: text(60), bic: text(30).default(''), titulaire: text(100), code: text(20) });
export const bankConfirmForm = z.strictObject({ _csrf: csrf, demande: id, iban: text(60), bic: text(30).default(''), titulaire: text(100), code: text(30) });
const bankCancelForm = z.strictObject({ _csrf: csrf, demande: id });
const tokenForm = z.strictObject({ _csrf: csrf, jeton: text(100) });
const notMeForm = z.strictObject({ _csrf: csrf, code: text(40) });
const idParams = z.strictObject({ id: z.uuid() });
const doneQuery = z.object({ fait: z.string().max(30).optional() });
const linkQuery = z.object({ jeton: z.string().max(100).optional(), code: z.string().max(40).optional() });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new AppError('BAD_REQUEST');
  return parsed.data;
}

const seeOther = (reply: FastifyReply, location: string) => reply.code(303).header('location', location).send();

export const addressFieldsOf = (body: z.infer<typeof beneficiaryAddressForm> & { libelle?: string }): AddressFormFields => ({
  label: body.libelle ?? '', recipient: body.destinataire, streetNumber: body.numero, street: body.voie, complement: body.complement,
  postalCode: body.code_postal, city: body.commune, country: body.pays,
});

const DONE: Record<string, string> = {
  telephones: 'Vos numéros de téléphone sont enregistrés.',
  'email-envoye': 'Un lien de confirmation vient d’être envoyé à la nouvelle adresse : ouvrez-le pour qu’elle soit utilisée.',
  adresse: 'L’adresse est enregistrée.',
  'adresse-supprimee': 'L’adresse est supprimée (elle reste dans l’historique de votre dossier).',
  courrier: 'Vos courriers seront envoyés à l’adresse choisie.',
  'email-retire': 'Nous utilisons de nouveau l’adresse email du foyer.',
  demande: 'Votre demande est transmise à un conseiller : il l’examinera et vous contactera. Nous vous avons prévenu par email et par courrier.',
  confirme: 'Votre nouveau compte est confirmé. Il sera utilisé après 72 heures, sans autre démarche ; nous vous avons prévenu par email et par courrier.',
  annule: 'Le changement de compte est annulé : vos remboursements restent versés sur votre compte habituel.',
  annulee: 'La demande est annulée (trop de codes erronés, ou code expiré) : votre compte n’a pas changé. Vous pouvez recommencer.',
};
const doneOf = (request: FastifyRequest) => {
  const fait = doneQuery.safeParse(request.query ?? {});
  return (fait.success && fait.data.fait && DONE[fait.data.fait]) || null;
};

/**
 * A secret in a mailed link (email change token, cancel code) is swapped at once for a page without it in its URL: it
 * rides across the redirect in a 15-minute cookie, then in the form's hidden field (as RST-01 / recovery-routes.ts).
 */
const LINK_COOKIE_OPTIONS = { path: '/', httpOnly: true, secure: true, sameSite: 'lax', maxAge: 15 * 60 } as const;
const linkReferrerPolicy = {
  onSend: async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!request.url.includes('?')) return payload;
    reply.header('Referrer-Policy', reply.statusCode === 303 ? 'strict-origin' : 'no-referrer');
    return payload;
  },
};

export function profileDepsOf(context: RouteContext): ProfileDeps {
  const { config } = context;
  return {
    db: context.db, jobs: context.jobs, jobDefinitions: context.jobDefinitions, pepper: config.secrets.codePepper, publicUrl: config.publicUrl,
    keys: { dataEncryptionKey: config.secrets.dataEncryptionKey, blindIndexKey: config.secrets.blindIndexKey },
    organisation: { name: context.page.organisation.name, phone: context.page.organisation.phone }, uploads: config.uploads,
  };
}

export const profileRoutes: Feature = async (app, context) => {
  const { db, clock, sessions } = context;
  const organisation = context.page.organisation;
  const deps = profileDepsOf(context);
  const bar = async (request: FastifyRequest, memberId: string) => memberBar(request, await firstNameOf(db, memberId), clock());

  async function showContacts(request: FastifyRequest, reply: FastifyReply, memberId: string, forms: ContactForms, status = 200) {
    const details = await getContactDetails(deps, memberId, clock());
    return sendPage(reply, h(ContactPage, { organisation, member: await bar(request, memberId), details, done: status === 200 ? doneOf(request) : null, forms }), status);
  }

  async function beneficiaryPage(request: FastifyRequest, reply: FastifyReply, memberId: string, beneficiaryId: string, extra: Partial<BeneficiaryPageProps>, status = 200) {
    const details = await getContactDetails(deps, memberId, clock());
    const beneficiary = details.beneficiaries.find((b) => b.id === beneficiaryId);
    if (!beneficiary) throw new AppError('NOT_FOUND');
    return sendPage(
      reply,
      h(BeneficiaryPage, { organisation, member: await bar(request, memberId), beneficiary, form: null, values: {}, errors: {}, done: status === 200 ? doneOf(request) : null, ...extra }),
      status,
    );
  }

  /** A use case's VALIDATION (or CONFLICT) error, as the form's field errors; anything else goes to the error page. */
  const fieldErrorsOf = (error: unknown, fallbackField: string): { errors: FieldErrors; status: number } => {
    if (!(error instanceof AppError) || !['VALIDATION', 'CONFLICT', 'RATE_LIMITED'].includes(error.code)) throw error;
    return { errors: error.fields ?? { [fallbackField]: error.message }, status: error.status };
  };

  // --- /profil --------------------------------------------------------------------------------------------------
  app.get('/profil', async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    return showContacts(request, reply, memberId, { form: null, values: {}, errors: {} });
  });

  app.post('/profil/email', async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const body = parse(emailForm, request.body);
    const beneficiaryId = body.beneficiaire ?? null;
    try {
      await requestEmailChange(deps, { memberId, beneficiaryId, address: body.email, now: clock(), ip: request.ip });
    } catch (error) {
      const { errors, status } = fieldErrorsOf(error, 'email');
      if (beneficiaryId) return beneficiaryPage(request, reply, memberId, beneficiaryId, { form: 'email', values: { email: body.email }, errors }, status);
      return showContacts(request, reply, memberId, { form: 'email', values: { email: body.email }, errors }, status);
    }
    return seeOther(reply, beneficiaryId ? `/profil/beneficiaires/${beneficiaryId}?fait=email-envoye` : '/profil?fait=email-envoye');
  });

  app.post('/profil/telephones', async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const body = parse(phonesForm, request.body);
    const beneficiaryId = body.beneficiaire ?? null;
    try {
      await updatePhones(deps, { memberId, beneficiaryId, mobile: body.mobile, landline: body.fixe, now: clock(), ip: request.ip });
    } catch (error) {
      const { errors, status } = fieldErrorsOf(error, 'mobile');
      const values = { mobile: body.mobile, fixe: body.fixe };
      if (beneficiaryId) return beneficiaryPage(request, reply, memberId, beneficiaryId, { form: 'telephones', values, errors }, status);
      return showContacts(request, reply, memberId, { form: 'telephones', values, errors }, status);
    }
    return seeOther(reply, beneficiaryId ? `/profil/beneficiaires/${beneficiaryId}?fait=telephones` : '/profil?fait=telephones');
  });

  app.post('/profil/courrier', async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const body = parse(mailingForm, request.body);
    if (!body.adresse) return showContacts(request, reply, memberId, { form: 'courrier', values: {}, errors: { adresse: 'Choisissez l’adresse où envoyer vos courriers.' } }, 400);
    await chooseMailingAddress(deps, { memberId, addressId: body.adresse, now: clock(), ip: request.ip });
    return seeOther(reply, '/profil?fait=courrier');
  });

  // --- Addresses --------------------------------------------------------------------------------------------------
  app.get('/profil/adresses/nouvelle', async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    return sendPage(reply, h(AddressPage, { organisation, member: await bar(request, memberId), addressId: null, values: emptyAddressForm, errors: {} }));
  });

  app.get('/profil/adresses/:id', async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const params = idParams.safeParse(request.params);
    if (!params.success) throw new AppError('NOT_FOUND');
    const address = (await getContactDetails(deps, memberId, clock())).addresses.find((a) => a.id === params.data.id);
    if (!address) throw new AppError('NOT_FOUND');
    return sendPage(reply, h(AddressPage, { organisation, member: await bar(request, memberId), addressId: address.id, values: addressFormOf(address), errors: {} }));
  });

  async function postAddress(request: FastifyRequest, reply: FastifyReply, addressId: string | null) {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const fields = addressFieldsOf(parse(addressForm, request.body));
    try {
      await saveAddress(deps, { memberId, addressId, beneficiaryId: null, fields, now: clock(), ip: request.ip });
    } catch (error) {
      const { errors, status } = fieldErrorsOf(error, 'voie');
      return sendPage(reply, h(AddressPage, { organisation, member: await bar(request, memberId), addressId, values: fields, errors }), status);
    }
    return seeOther(reply, '/profil?fait=adresse');
  }

  app.post('/profil/adresses', (request, reply) => postAddress(request, reply, null));
  app.post('/profil/adresses/:id', async (request, reply) => {
    const params = idParams.safeParse(request.params);
    if (!params.success) throw new AppError('NOT_FOUND');
    return postAddress(request, reply, params.data.id);
  });

  app.post('/profil/adresses/:id/suppression', async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    parse(csrfOnly, request.body);
    const params = idParams.safeParse(request.params);
    if (!params.success) throw new AppError('NOT_FOUND');
    const before = await getContactDetails(deps, memberId, clock());
    const owner = before.beneficiaries.find((b) => b.address?.id === params.data.id);
    await removeAddress(deps, { memberId, addressId: params.data.id, now: clock(), ip: request.ip });
    return seeOther(reply, owner ? `/profil/beneficiaires/${owner.id}?fait=adresse-supprimee` : '/profil?fait=adresse-supprimee');
  });

  // --- A beneficiary's own details -------------------------------------------------------------------------------
  app.get('/profil/beneficiaires/:id', async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const params = idParams.safeParse(request.params);
    if (!params.success) throw new AppError('NOT_FOUND');
    return beneficiaryPage(request, reply, memberId, params.data.id, {});
  });

  app.post('/profil/beneficiaires/:id/adresse', async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const params = idParams.safeParse(request.params);
    if (!params.success) throw new AppError('NOT_FOUND');
    const fields = addressFieldsOf(parse(beneficiaryAddressForm, request.body));
    try {
      await saveAddress(deps, { memberId, addressId: null, beneficiaryId: params.data.id, fields, now: clock(), ip: request.ip });
    } catch (error) {
      const { errors, status } = fieldErrorsOf(error, 'voie');
      return beneficiaryPage(request, reply, memberId, params.data.id, { form: 'adresse', values: { address: fields }, errors }, status);
    }
    return seeOther(reply, `/profil/beneficiaires/${params.data.id}?fait=adresse`);
  });

  app.post('/profil/beneficiaires/:id/email/suppression', async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    parse(csrfOnly, request.body);
    const params = idParams.safeParse(request.params);
    if (!params.success) throw new AppError('NOT_FOUND');
    await removeBeneficiaryEmail(deps, { memberId, beneficiaryId: params.data.id, now: clock(), ip: request.ip });
    return seeOther(reply, `/profil/beneficiaires/${params.data.id}?fait=email-retire`);
  });

  // --- The email link (public: the token is the proof) -----------------------------------------------------------
  const EMAIL_COOKIE = '__Host-espace-email';
  app.get(EMAIL_CONFIRM_PATH, linkReferrerPolicy, async (request, reply) => {
    const { jeton } = linkQuery.parse(request.query ?? {});
    const token = jeton ?? request.cookies[EMAIL_COOKIE];
    const link = token ? await checkEmailChangeLink(deps, { token, now: clock(), ip: request.ip }) : null;
    if (!token || !link) {
      reply.clearCookie(EMAIL_COOKIE, LINK_COOKIE_OPTIONS);
      return sendPage(reply, h(EmailConfirmPage, { organisation, csrfToken: request.csrfToken, token: null, maskedAddress: null, outcome: 'INVALID' }), 410);
    }
    if (jeton) {
      reply.setCookie(EMAIL_COOKIE, jeton, LINK_COOKIE_OPTIONS);
      return seeOther(reply, EMAIL_CONFIRM_PATH);
    }
    return sendPage(reply, h(EmailConfirmPage, { organisation, csrfToken: request.csrfToken, token, maskedAddress: link.maskedAddress, outcome: 'ASK' }));
  });

  app.post(EMAIL_CONFIRM_PATH, async (request, reply) => {
    const body = parse(tokenForm, request.body);
    const done = await confirmEmailChange(deps, { token: body.jeton, now: clock(), ip: request.ip });
    reply.clearCookie(EMAIL_COOKIE, LINK_COOKIE_OPTIONS);
    return sendPage(reply, h(EmailConfirmPage, { organisation, csrfToken: request.csrfToken, token: null, maskedAddress: null, outcome: done ? 'DONE' : 'INVALID' }), done ? 200 : 410);
  });

  // --- /profil/banque ---------------------------------------------------------------------------------------------
  app.get('/profil/banque', async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const now = clock();
    const [current, change] = await Promise.all([accountInForceAt(db, deps.keys.dataEncryptionKey, memberId, now), currentChange(deps, memberId, now)]);
    return sendPage(reply, h(BankPage, { organisation, member: await bar(request, memberId), current, change, done: doneOf(request) }));
  });

  const EMPTY_BANK: BankChangeValues = { iban: '', bic: '', titulaire: '' };

  app.get('/profil/banque/modifier', async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    if (await currentChange(deps, memberId, clock())) return seeOther(reply, '/profil/banque');
    return sendPage(reply, h(BankChangePage, { organisation, member: await bar(request, memberId), values: EMPTY_BANK, errors: {}, limits: deps.uploads }));
  });

  // Multipart (the optional RIB) is parsed in this scope only; the member is known before a byte of the body is read.
  await app.register(async (scope) => {
    await registerMultipart(scope, { maxFileBytes: deps.uploads.maxFileBytes, maxFiles: 1 });
    scope.post('/profil/banque/modifier', {
      onRequest: async (request, reply) => {
        if (!requireMember(request, reply)) return reply;
      },
    }, async (request, reply) => {
      const memberId = request.session!.subjectId;
      const body = parse(bankChangeForm, textFieldsOf(request));
      const rib = filesOf(request, 'rib')[0] ?? null;
      const values = { iban: body.iban, bic: body.bic, titulaire: body.titulaire };
      const page = async (errors: FieldErrors, status: number) => sendPage(reply, h(BankChangePage, { organisation, member: await bar(request, memberId), values, errors, limits: deps.uploads }), status);
      try {
        const outcome = await requestBankChange(deps, { memberId, iban: body.iban, bic: body.bic, holderName: body.titulaire, accessCode: body.code, rib, now: clock(), ip: request.ip });
        if (outcome.kind === 'LOCKED') return page({ code: ACCESS_CODE_LOCKED }, 423);
        return seeOther(reply, outcome.kind === 'REVIEW' ? '/profil/banque?fait=demande' : '/profil/banque/confirmer');
      } catch (error) {
        const { errors, status } = fieldErrorsOf(error, 'iban');
        return page(errors, status);
      }
    });
  });

  app.get('/profil/banque/confirmer', async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const change = await changeToConfirm(deps, memberId, clock());
    if (!change) return seeOther(reply, '/profil/banque');
    return sendPage(reply, h(BankConfirmPage, { organisation, member: await bar(request, memberId), change, errors: {} }));
  });

  app.post('/profil/banque/confirmer', async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const body = parse(bankConfirmForm, request.body);
    const outcome = await confirmBankChange(deps, { memberId, changeId: body.demande, iban: body.iban, bic: body.bic, holderName: body.titulaire, code: body.code, now: clock(), ip: request.ip });
    if (outcome.kind === 'CONFIRMED') return seeOther(reply, '/profil/banque?fait=confirme');
    if (outcome.kind === 'VOID') return seeOther(reply, outcome.reason === 'GONE' ? '/profil/banque' : '/profil/banque?fait=annulee');
    const change = await changeToConfirm(deps, memberId, clock());
    if (!change) return seeOther(reply, '/profil/banque');
    const message = `Ce code ne confirme pas ce compte : vérifiez-le. Il vous reste ${outcome.attemptsLeft} essai${outcome.attemptsLeft > 1 ? 's' : ''}.`;
    return sendPage(reply, h(BankConfirmPage, { organisation, member: await bar(request, memberId), change, errors: { code: message } }), 400);
  });

  app.post('/profil/banque/annuler', async (request, reply) => {
    const memberId = requireMember(request, reply);
    if (!memberId) return reply;
    const body = parse(bankCancelForm, request.body);
    await cancelBankChange(deps, { memberId, changeId: body.demande, now: clock(), ip: request.ip });
    return seeOther(reply, '/profil/banque?fait=annule');
  });

  // --- « Ce n'est pas moi » (public: the notice's code is the proof) ---------------------------------------------
  const NOT_ME_COOKIE = '__Host-espace-annulation';
  app.get('/annulation-banque', linkReferrerPolicy, async (request, reply) => {
    const { code } = linkQuery.parse(request.query ?? {});
    if (code) {
      reply.setCookie(NOT_ME_COOKIE, code, LINK_COOKIE_OPTIONS);
      return seeOther(reply, '/annulation-banque');
    }
    const kept = request.cookies[NOT_ME_COOKIE] ?? '';
    return sendPage(reply, h(NotMePage, { organisation, csrfToken: request.csrfToken, code: kept.slice(0, 40), outcome: 'ASK', maskedIban: null, error: null }));
  });

  app.post('/annulation-banque', async (request, reply) => {
    const body = parse(notMeForm, request.body);
    const cancelled = await cancelByNotMeCode(deps, { code: body.code, now: clock(), ip: request.ip }, (tx, memberId) => sessions.endAllFor(tx, 'member', memberId));
    reply.clearCookie(NOT_ME_COOKIE, LINK_COOKIE_OPTIONS);
    if (!cancelled) {
      const error = 'Ce code ne correspond à aucun changement que l’on peut encore annuler : vérifiez-le, ou appelez-nous (le nouveau compte est peut-être déjà en service).';
      return sendPage(reply, h(NotMePage, { organisation, csrfToken: request.csrfToken, code: body.code, outcome: 'ASK', maskedIban: null, error }), 400);
    }
    return sendPage(reply, h(NotMePage, { organisation, csrfToken: request.csrfToken, code: '', outcome: 'DONE', maskedIban: cancelled.maskedIban, error: null }));
  });
};
