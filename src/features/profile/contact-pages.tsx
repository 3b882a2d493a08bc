/**
 * « Mes coordonnées » (issue 8): /profil (email, phones, postal addresses, where letters go, each beneficiary's own
 * details), the address form, a beneficiary's page and the email link's page. Plain HTML forms (POST, then a redirect
 * back here with a notice); an error comes back with a summary at the top and the message on its field.
 */
import { COUNTRIES, type PostalAddressValue } from '../../domain/identity/contact.ts';
import type { FieldErrors } from '../../platform/errors.ts';
import { Layout, type MemberBar } from '../../platform/views/layout.tsx';
import { recipientLines } from '../letters/letter-model.ts';
import { formatPhoneOrNull, type AddressFormFields, type BeneficiaryContacts, type ContactDetails, type PendingEmailView } from './contact-details.ts';
import { Done, ErrorSummary, FieldError, TextField } from './form-parts.tsx';
import { formatParisShortDateTime } from '../../domain/dates.ts';
import { ProfileNav } from './profile-nav.tsx';

type Organisation = { name: string; phone: string };

const RELATIONSHIPS: Record<BeneficiaryContacts['relationship'], string> = { SPOUSE: 'Conjoint', CHILD: 'Enfant', OTHER: 'Autre bénéficiaire' };

export function AddressLines({ address }: { address: { recipient: string; streetNumber: string | null; street: string; complement: string | null; postalCode: string; city: string; country: string } }) {
  const lines = recipientLines(address);
  return (
    <p class="address-lines">
      {lines.map((line, i) => (
        <span key={i}>
          {line}
          {i < lines.length - 1 ? <br /> : null}
        </span>
      ))}
    </p>
  );
}

function PendingEmail({ pending }: { pending: PendingEmailView | null }) {
  return pending ? (
    <p>
      <strong>En attente de confirmation :</strong> {pending.address}. Ouvrez le lien envoyé à cette adresse avant le {formatParisShortDateTime(pending.expiresAt)} ; d’ici là, nous
      continuons d’écrire à l’adresse actuelle.
    </p>
  ) : null;
}

export type ContactForms = {
  /** What was typed in the form that failed, and its errors (which form: `form`). */
  form: 'email' | 'telephones' | 'courrier' | null;
  values: { email?: string; mobile?: string; fixe?: string };
  errors: FieldErrors;
};

export type ContactPageProps = { organisation: Organisation; member: MemberBar; details: ContactDetails; done: string | null; forms: ContactForms };

export function ContactPage({ organisation, member, details, done, forms }: ContactPageProps) {
  const errorsOf = (form: ContactForms['form']) => (forms.form === form ? forms.errors : {});
  const emailErrors = errorsOf('email');
  const phoneErrors = errorsOf('telephones');
  const mailingErrors = errorsOf('courrier');
  const failed = Object.keys(forms.errors).length > 0;
  return (
    <Layout title={`${failed ? 'Erreur : ' : ''}Mes coordonnées`} organisationName={organisation.name} currentPath="/profil" member={member}>
      <ProfileNav current="/profil" />
      <ErrorSummary errors={forms.errors} order={['email', 'mobile', 'fixe', 'adresse']} title="La modification n’a pas été enregistrée" />
      <Done message={done} />
      <h1>Mes coordonnées</h1>
      <p>
        Gardez-les à jour : nous les utilisons pour vous prévenir d’un remboursement, vous envoyer vos courriers et protéger votre compte. Adhérent n°{' '}
        {details.member.memberNumber}.
      </p>

      <section class="panel" aria-labelledby="titre-email">
        <h2 id="titre-email">Adresse email</h2>
        {details.email ? (
          <p>
            Adresse actuelle : <strong>{details.email.address}</strong>
            {details.email.verified ? '' : ' (pas encore vérifiée)'}
          </p>
        ) : (
          <p>Aucune adresse email : nous vous écrivons par courrier.</p>
        )}
        <PendingEmail pending={details.pendingEmail} />
        <form method="post" action="/profil/email" novalidate>
          <input type="hidden" name="_csrf" value={member.csrfToken} />
          <TextField
            id="email"
            type="email"
            label={details.email ? 'Nouvelle adresse email' : 'Adresse email'}
            hint="Nous y enverrons un lien de confirmation, valable 24 heures : la nouvelle adresse ne sera utilisée qu’une fois ce lien ouvert."
            value={forms.values.email ?? ''}
            error={emailErrors.email}
            autocomplete="email"
            maxLength={254}
            spellcheck={false}
          />
          <p>
            <button type="submit" class="button">
              Recevoir le lien de confirmation
            </button>
          </p>
        </form>
      </section>

      <section class="panel" aria-labelledby="titre-telephones">
        <h2 id="titre-telephones">Téléphones</h2>
        <form method="post" action="/profil/telephones" novalidate>
          <input type="hidden" name="_csrf" value={member.csrfToken} />
          <TextField
            id="mobile"
            type="tel"
            label="Téléphone portable (facultatif)"
            hint="Par exemple 06 12 34 56 78, ou +44 7700 900123 pour un numéro à l’étranger. Laissez vide pour le retirer."
            value={forms.form === 'telephones' ? (forms.values.mobile ?? '') : (formatPhoneOrNull(details.phones.mobile) ?? '')}
            error={phoneErrors.mobile}
            autocomplete="tel"
            maxLength={30}
          />
          <TextField
            id="fixe"
            type="tel"
            label="Téléphone fixe (facultatif)"
            hint="Par exemple 04 72 00 00 00."
            value={forms.form === 'telephones' ? (forms.values.fixe ?? '') : (formatPhoneOrNull(details.phones.landline) ?? '')}
            error={phoneErrors.fixe}
            autocomplete="off"
            maxLength={30}
          />
          <p>
            <button type="submit" class="button">
              Enregistrer les téléphones
            </button>
          </p>
        </form>
      </section>

      <section class="panel" aria-labelledby="titre-adresses">
        <h2 id="titre-adresses">Adresses postales</h2>
        <ul class="address-list">
          {details.addresses.map((a) => (
            <li key={a.id}>
              <h3>
                {a.label ?? 'Adresse'}
                {a.mailing ? <span class="badge badge-paid"> Reçoit vos courriers</span> : null}
              </h3>
              <AddressLines address={a} />
              <div class="button-row">
                <a class="button button-secondary button-small" href={`/profil/adresses/${a.id}`}>
                  Modifier<span class="visually-hidden"> l’adresse {a.label ?? `${a.street}, ${a.city}`}</span>
                </a>
                {!a.mailing && details.addresses.length > 1 ? (
                  <form method="post" action={`/profil/adresses/${a.id}/suppression`} class="inline-form">
                    <input type="hidden" name="_csrf" value={member.csrfToken} />
                    <button type="submit" class="button button-secondary button-small">
                      Supprimer<span class="visually-hidden"> l’adresse {a.label ?? `${a.street}, ${a.city}`}</span>
                    </button>
                  </form>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
        {details.addresses.length < 3 ? (
          <p>
            <a href="/profil/adresses/nouvelle">Ajouter une adresse</a> (résidence secondaire, adresse à l’étranger…)
          </p>
        ) : null}
        {details.addresses.length > 1 ? (
          <form method="post" action="/profil/courrier" novalidate>
            <input type="hidden" name="_csrf" value={member.csrfToken} />
            <fieldset class={mailingErrors.adresse ? 'field field-invalid' : 'field'} aria-describedby={mailingErrors.adresse ? 'adresse-erreur' : undefined}>
              <legend>Adresse où nous envoyons vos courriers</legend>
              <FieldError id="adresse" error={mailingErrors.adresse} />
              {details.addresses.map((a, i) => (
                <div class="choice" key={a.id}>
                  <input type="radio" id={i === 0 ? 'adresse' : `adresse-${a.id}`} name="adresse" value={a.id} checked={a.mailing} />
                  <label for={i === 0 ? 'adresse' : `adresse-${a.id}`}>
                    {a.label ? `${a.label} : ` : ''}
                    {[a.streetNumber, a.street].filter(Boolean).join(' ')}, {a.postalCode} {a.city}
                  </label>
                </div>
              ))}
            </fieldset>
            <p>
              <button type="submit" class="button">
                Envoyer mes courriers à cette adresse
              </button>
            </p>
          </form>
        ) : (
          <p class="muted">Vos courriers sont envoyés à cette adresse.</p>
        )}
      </section>

      {details.beneficiaries.length > 0 ? (
        <section class="panel" aria-labelledby="titre-beneficiaires">
          <h2 id="titre-beneficiaires">Les personnes couvertes</h2>
          <p>Par défaut, nous utilisons les coordonnées du foyer. Indiquez celles d’une personne seulement si elles sont différentes.</p>
          <ul class="address-list">
            {details.beneficiaries.map((b) => (
              <li key={b.id}>
                <h3>
                  {b.firstName} {b.lastName} <span class="muted">{RELATIONSHIPS[b.relationship]}</span>
                </h3>
                <ul>
                  <li>Email : {b.email ? b.email.address : 'celui du foyer'}</li>
                  <li>
                    Téléphone : {[formatPhoneOrNull(b.phones.mobile), formatPhoneOrNull(b.phones.landline)].filter(Boolean).join(', ') || 'ceux du foyer'}
                  </li>
                  <li>Adresse : {b.address ? `${[b.address.streetNumber, b.address.street].filter(Boolean).join(' ')}, ${b.address.postalCode} ${b.address.city}` : 'celle du foyer'}</li>
                </ul>
                <p>
                  <a href={`/profil/beneficiaires/${b.id}`}>
                    Modifier les coordonnées de {b.firstName}
                  </a>
                </p>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <p class="muted">Une question ? Appelez-nous au {organisation.phone} (appel non surtaxé).</p>
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------------------------

const ADDRESS_ORDER = ['libelle', 'destinataire', 'numero', 'voie', 'complement', 'code_postal', 'commune', 'pays'];

export const emptyAddressForm: AddressFormFields = { label: '', recipient: '', streetNumber: '', street: '', complement: '', postalCode: '', city: '', country: 'FR' };

/** The fields of an address, shared by the household's address page and a beneficiary's page. */
export function AddressFields({ values, errors, withLabel }: { values: AddressFormFields; errors: FieldErrors; withLabel: boolean }) {
  return (
    <>
      {withLabel ? (
        <TextField id="libelle" label="Nom de cette adresse (facultatif)" hint="Par exemple « Domicile » ou « Résidence d’été »." value={values.label} error={errors.libelle} maxLength={40} />
      ) : null}
      <TextField id="destinataire" label="Destinataire (facultatif)" hint="Le nom écrit sur l’enveloppe ; laissez vide pour votre nom." value={values.recipient} error={errors.destinataire} autocomplete="name" maxLength={38} />
      <TextField id="numero" label="Numéro (facultatif)" hint="Par exemple 12 ou 12 bis." value={values.streetNumber} error={errors.numero} maxLength={10} autocomplete="off" />
      <TextField id="voie" label="Voie" hint="Par exemple rue des Lilas, avenue Jean Jaurès, lieu-dit Les Granges." value={values.street} error={errors.voie} autocomplete="address-line1" maxLength={38} required />
      <TextField id="complement" label="Complément (facultatif)" hint="Bâtiment, escalier, étage, appartement, boîte postale…" value={values.complement} error={errors.complement} autocomplete="address-line2" maxLength={38} />
      <TextField id="code_postal" label="Code postal" hint="5 chiffres en France, par exemple 69003." value={values.postalCode} error={errors.code_postal} autocomplete="postal-code" inputMode="text" maxLength={12} required />
      <TextField id="commune" label="Commune" value={values.city} error={errors.commune} autocomplete="address-level2" maxLength={38} required />
      <div class={errors.pays ? 'field field-invalid' : 'field'}>
        <label for="pays">Pays</label>
        <FieldError id="pays" error={errors.pays} />
        <select id="pays" name="pays" autocomplete="country" aria-invalid={errors.pays ? 'true' : undefined} aria-describedby={errors.pays ? 'pays-erreur' : undefined}>
          {COUNTRIES.map((c) => (
            <option key={c.code} value={c.code} selected={c.code === (values.country || 'FR')}>
              {c.name}
            </option>
          ))}
        </select>
      </div>
    </>
  );
}

export const addressFormOf = (a: Omit<PostalAddressValue, 'recipient'> & { recipient: string; label?: string | null }): AddressFormFields => ({
  label: a.label ?? '', recipient: a.recipient, streetNumber: a.streetNumber ?? '', street: a.street, complement: a.complement ?? '', postalCode: a.postalCode, city: a.city, country: a.country,
});

export function AddressPage({ organisation, member, addressId, values, errors }: { organisation: Organisation; member: MemberBar; addressId: string | null; values: AddressFormFields; errors: FieldErrors }) {
  const title = addressId ? 'Modifier une adresse' : 'Ajouter une adresse';
  const failed = Object.keys(errors).length > 0;
  return (
    <Layout title={`${failed ? 'Erreur : ' : ''}${title}`} organisationName={organisation.name} currentPath="/profil" member={member}>
      <ProfileNav current="/profil" />
      <ErrorSummary errors={errors} order={ADDRESS_ORDER} title="L’adresse n’a pas été enregistrée" />
      <h1>{title}</h1>
      <p>
        Une adresse en France s’écrit sur des lignes de 38 caractères au plus (norme postale). {addressId ? 'L’ancienne adresse reste dans l’historique de votre dossier.' : ''}
      </p>
      <form method="post" action={addressId ? `/profil/adresses/${addressId}` : '/profil/adresses'} novalidate class="panel">
        <input type="hidden" name="_csrf" value={member.csrfToken} />
        <AddressFields values={values} errors={errors} withLabel />
        <div class="button-row">
          <button type="submit" class="button">
            Enregistrer l’adresse
          </button>
          <a class="button button-secondary" href="/profil">
            Annuler
          </a>
        </div>
      </form>
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------------------------

export type BeneficiaryPageProps = {
  organisation: Organisation;
  member: MemberBar;
  beneficiary: BeneficiaryContacts;
  form: 'email' | 'telephones' | 'adresse' | null;
  values: { email?: string; mobile?: string; fixe?: string; address?: AddressFormFields };
  errors: FieldErrors;
  done: string | null;
};

export function BeneficiaryPage({ organisation, member, beneficiary: b, form, values, errors, done }: BeneficiaryPageProps) {
  const failed = Object.keys(errors).length > 0;
  const own = (f: BeneficiaryPageProps['form']) => (form === f ? errors : {});
  const addressValues = values.address ?? (b.address ? addressFormOf(b.address) : emptyAddressForm);
  const base = `/profil/beneficiaires/${b.id}`;
  return (
    <Layout title={`${failed ? 'Erreur : ' : ''}Coordonnées de ${b.firstName}`} organisationName={organisation.name} currentPath="/profil" member={member}>
      <ProfileNav current="/profil" />
      <ErrorSummary errors={errors} order={['email', 'mobile', 'fixe', ...ADDRESS_ORDER]} title="La modification n’a pas été enregistrée" />
      <Done message={done} />
      <p>
        <a href="/profil">← Mes coordonnées</a>
      </p>
      <h1>
        Coordonnées de {b.firstName} {b.lastName}
      </h1>
      <p>À indiquer seulement si elles diffèrent de celles du foyer.</p>

      <section class="panel" aria-labelledby="titre-email">
        <h2 id="titre-email">Adresse email</h2>
        <p>{b.email ? <>Adresse de {b.firstName} : <strong>{b.email.address}</strong></> : 'Nous utilisons l’adresse du foyer.'}</p>
        <PendingEmail pending={b.pendingEmail} />
        <form method="post" action="/profil/email" novalidate>
          <input type="hidden" name="_csrf" value={member.csrfToken} />
          <input type="hidden" name="beneficiaire" value={b.id} />
          <TextField id="email" type="email" label={`Adresse email de ${b.firstName}`} hint="Un lien de confirmation y sera envoyé." value={values.email ?? ''} error={own('email').email} autocomplete="off" maxLength={254} spellcheck={false} />
          <p>
            <button type="submit" class="button">
              Recevoir le lien de confirmation
            </button>
          </p>
        </form>
        {b.email ? (
          <form method="post" action={`${base}/email/suppression`}>
            <input type="hidden" name="_csrf" value={member.csrfToken} />
            <p>
              <button type="submit" class="button button-secondary">
                Utiliser l’adresse du foyer
              </button>
            </p>
          </form>
        ) : null}
      </section>

      <section class="panel" aria-labelledby="titre-telephones">
        <h2 id="titre-telephones">Téléphones</h2>
        <form method="post" action="/profil/telephones" novalidate>
          <input type="hidden" name="_csrf" value={member.csrfToken} />
          <input type="hidden" name="beneficiaire" value={b.id} />
          <TextField id="mobile" type="tel" label="Téléphone portable (facultatif)" value={form === 'telephones' ? (values.mobile ?? '') : (formatPhoneOrNull(b.phones.mobile) ?? '')} error={own('telephones').mobile} autocomplete="off" maxLength={30} />
          <TextField id="fixe" type="tel" label="Téléphone fixe (facultatif)" value={form === 'telephones' ? (values.fixe ?? '') : (formatPhoneOrNull(b.phones.landline) ?? '')} error={own('telephones').fixe} autocomplete="off" maxLength={30} />
          <p>
            <button type="submit" class="button">
              Enregistrer les téléphones
            </button>
          </p>
        </form>
      </section>

      <section class="panel" aria-labelledby="titre-adresse">
        <h2 id="titre-adresse">Adresse postale</h2>
        <p>{b.address ? 'Adresse propre :' : 'Nous utilisons l’adresse du foyer.'}</p>
        {b.address ? <AddressLines address={b.address} /> : null}
        <form method="post" action={`${base}/adresse`} novalidate>
          <input type="hidden" name="_csrf" value={member.csrfToken} />
          <AddressFields values={addressValues} errors={own('adresse')} withLabel={false} />
          <p>
            <button type="submit" class="button">
              Enregistrer l’adresse de {b.firstName}
            </button>
          </p>
        </form>
        {b.address ? (
          <form method="post" action={`/profil/adresses/${b.address.id}/suppression`}>
            <input type="hidden" name="_csrf" value={member.csrfToken} />
            <p>
              <button type="submit" class="button button-secondary">
                Utiliser l’adresse du foyer
              </button>
            </p>
          </form>
        ) : null}
      </section>
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------------------------

/** The email link's page (public): a button that confirms, the token in the form and no longer in the address bar. */
export function EmailConfirmPage({ organisation, csrfToken, token, maskedAddress, outcome }: {
  organisation: Organisation;
  csrfToken: string;
  token: string | null;
  maskedAddress: string | null;
  outcome: 'ASK' | 'DONE' | 'INVALID';
}) {
  const title = outcome === 'DONE' ? 'Adresse email confirmée' : outcome === 'INVALID' ? 'Lien invalide ou expiré' : 'Confirmer votre nouvelle adresse email';
  return (
    <Layout title={title} organisationName={organisation.name}>
      <section class="panel" aria-labelledby="titre-confirmation">
        <h1 id="titre-confirmation">{title}</h1>
        {outcome === 'ASK' ? (
          <>
            <p>Vous allez utiliser l’adresse {maskedAddress} pour votre espace adhérent. Nous n’écrirons plus à l’ancienne adresse, qui recevra un message l’indiquant.</p>
            <form method="post" action="/profil/email/confirmer">
              <input type="hidden" name="_csrf" value={csrfToken} />
              <input type="hidden" name="jeton" value={token ?? ''} />
              <p>
                <button type="submit" class="button">
                  Confirmer cette adresse
                </button>
              </p>
            </form>
          </>
        ) : outcome === 'DONE' ? (
          <>
            <p>C’est fait : nous vous écrirons désormais à cette adresse.</p>
            <p>
              <a href="/profil">Voir mes coordonnées</a>
            </p>
          </>
        ) : (
          <>
            <p>Ce lien a déjà servi, a expiré (24 heures) ou a été remplacé par un lien plus récent. Votre adresse n’a pas changé.</p>
            <p>
              Pour recommencer, connectez-vous et ouvrez <a href="/profil">Mes coordonnées</a>.
            </p>
          </>
        )}
      </section>
    </Layout>
  );
}
