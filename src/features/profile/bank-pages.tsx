/**
 * « Coordonnées bancaires » (issue 8): the account in force (IBAN masked), a change in progress (code awaited, in its
 * cooling-off, or with an advisor), the change form (new details, optional RIB, the access code), the confirmation
 * page (the exact new IBAN shown in full, the code) and the public « ce n'est pas moi » page. Plain HTML forms.
 */
import type { AccountRecord } from '../../db/repositories/bank-accounts.ts';
import type { FieldErrors } from '../../platform/errors.ts';
import { Layout, type MemberBar } from '../../platform/views/layout.tsx';
import { megabytes, type UploadLimits } from '../uploads/check-upload.ts';
import { REVIEW_REASON_LABELS, type ChangeView } from './bank-change.ts';
import { Done, ErrorSummary, FieldError, TextField } from './form-parts.tsx';
import { formatParisShortDateTime } from '../../domain/dates.ts';
import { ProfileNav } from './profile-nav.tsx';

type Organisation = { name: string; phone: string };

function AccountFacts({ account }: { account: { maskedIban: string; holderName: string; bic: string | null } }) {
  return (
    <dl class="facts facts-stack">
      <dt>IBAN</dt>
      <dd class="iban">{account.maskedIban}</dd>
      <dt>Titulaire</dt>
      <dd>{account.holderName}</dd>
      <dt>BIC</dt>
      <dd>{account.bic ?? 'non renseigné'}</dd>
    </dl>
  );
}

function CancelForm({ csrfToken, changeId, label }: { csrfToken: string; changeId: string; label: string }) {
  return (
    <form method="post" action="/profil/banque/annuler">
      <input type="hidden" name="_csrf" value={csrfToken} />
      <input type="hidden" name="demande" value={changeId} />
      <p>
        <button type="submit" class="button button-secondary">
          {label}
        </button>
      </p>
    </form>
  );
}

export type BankPageProps = { organisation: Organisation; member: MemberBar; current: AccountRecord | null; change: ChangeView | null; done: string | null };

export function BankPage({ organisation, member, current, change, done }: BankPageProps) {
  return (
    <Layout title="Mes coordonnées bancaires" organisationName={organisation.name} currentPath="/profil" member={member}>
      <ProfileNav current="/profil/banque" />
      <Done message={done} />
      <h1>Mes coordonnées bancaires</h1>
      <section class="panel" aria-labelledby="titre-compte">
        <h2 id="titre-compte">Le compte de vos remboursements</h2>
        {current ? <AccountFacts account={current} /> : <p>Aucun compte n’est enregistré : nous ne pouvons pas vous verser vos remboursements.</p>}
      </section>

      {change?.status === 'COOLING_OFF' ? (
        <section class="panel" aria-labelledby="titre-changement">
          <h2 id="titre-changement">Changement de compte en cours</h2>
          <p>
            Votre nouveau compte sera utilisé pour vos remboursements à partir du <strong>{formatParisShortDateTime(change.effectiveAt!)}</strong>.
            {current ? ' D’ici là, par sécurité, nous continuons de verser sur le compte ci-dessus.' : ''}
          </p>
          <AccountFacts account={change} />
          <p>Nous vous l’avons confirmé par email et par courrier. Si ce changement n’est pas de vous, annulez-le :</p>
          <CancelForm csrfToken={member.csrfToken} changeId={change.id} label="Annuler ce changement" />
        </section>
      ) : change?.status === 'REVIEW' ? (
        <section class="panel" aria-labelledby="titre-changement">
          <h2 id="titre-changement">Demande transmise à un conseiller</h2>
          <p>
            Votre demande du {formatParisShortDateTime(change.requestedAt)} (compte {change.maskedIban}) ne peut pas être traitée en ligne, car{' '}
            {change.reasons.map((r) => REVIEW_REASON_LABELS[r]).join(', et ')}. Un conseiller l’examine et vous contactera ; d’ici là, nous continuons de verser sur le
            compte actuel.
          </p>
          <CancelForm csrfToken={member.csrfToken} changeId={change.id} label="Retirer ma demande" />
        </section>
      ) : change?.status === 'AWAITING_CODE' ? (
        <section class="panel" aria-labelledby="titre-changement">
          <h2 id="titre-changement">Confirmation attendue</h2>
          <p>
            Vous avez demandé à changer de compte ({change.maskedIban}). {change.channel === 'LETTER' ? 'Le code de confirmation vous a été envoyé par courrier.' : 'Le code de confirmation vous a été envoyé par email.'}
          </p>
          <p>
            <a class="button" href="/profil/banque/confirmer">
              Saisir le code de confirmation
            </a>
          </p>
        </section>
      ) : null}

      {change ? null : (
        <p>
          <a class="button" href="/profil/banque/modifier">
            {current ? 'Changer de compte' : 'Indiquer un compte'}
          </a>
        </p>
      )}
      <section class="panel" aria-labelledby="titre-securite-banque">
        <h2 id="titre-securite-banque">Comment nous protégeons vos remboursements</h2>
        <ul>
          <li>Un changement demande votre code d’accès, puis un code de confirmation envoyé par email (ou par courrier).</li>
          <li>Nous vous prévenons par email et par courrier ; le nouveau compte n’est utilisé que 72 heures après la confirmation, sauf si vous annulez.</li>
          <li>Nous ne vous demanderons jamais votre code d’accès, ni par email, ni par téléphone.</li>
        </ul>
      </section>
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------------------------

export type BankChangeValues = { iban: string; bic: string; titulaire: string };

export function BankChangePage({ organisation, member, values, errors, limits }: { organisation: Organisation; member: MemberBar; values: BankChangeValues; errors: FieldErrors; limits: UploadLimits }) {
  const failed = Object.keys(errors).length > 0;
  return (
    <Layout title={`${failed ? 'Erreur : ' : ''}Changer de compte bancaire`} organisationName={organisation.name} currentPath="/profil" member={member}>
      <ProfileNav current="/profil/banque" />
      <ErrorSummary errors={errors} order={['iban', 'bic', 'titulaire', 'rib', 'code']} title="La demande n’a pas été enregistrée" />
      <p>
        <a href="/profil/banque">← Mes coordonnées bancaires</a>
      </p>
      <h1>Changer de compte bancaire</h1>
      <p>Recopiez les informations de votre RIB. Nous vous enverrons ensuite un code pour confirmer ce compte.</p>
      <form method="post" action="/profil/banque/modifier" enctype="multipart/form-data" novalidate class="panel">
        <input type="hidden" name="_csrf" value={member.csrfToken} />
        <TextField id="iban" label="IBAN" hint="27 caractères pour un compte en France, commençant par FR76 ; les espaces sont acceptés." value={values.iban} error={errors.iban} autocomplete="off" maxLength={50} spellcheck={false} required />
        <TextField id="bic" label="BIC (facultatif)" hint="8 ou 11 caractères, par exemple AGRIFRPPXXX." value={values.bic} error={errors.bic} autocomplete="off" maxLength={20} spellcheck={false} />
        <TextField id="titulaire" label="Titulaire du compte" hint="Tel qu’il figure sur votre RIB." value={values.titulaire} error={errors.titulaire} autocomplete="name" maxLength={70} required />
        <div class={errors.rib ? 'field field-invalid' : 'field'}>
          <label for="rib">Votre RIB (facultatif)</label>
          <p class="hint" id="rib-aide">
            PDF, photo JPEG ou image PNG, {megabytes(limits.maxFileBytes)} au plus. Il aide un conseiller si votre demande doit être vérifiée.
          </p>
          <FieldError id="rib" error={errors.rib} />
          <input type="file" id="rib" name="rib" accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png" aria-invalid={errors.rib ? 'true' : undefined} aria-describedby={['rib-aide', errors.rib ? 'rib-erreur' : null].filter(Boolean).join(' ')} />
        </div>
        <TextField id="code" type="password" label="Votre code d’accès" hint="Par sécurité, saisissez le code à 6 chiffres qui vous sert à vous connecter." value="" error={errors.code} autocomplete="current-password" inputMode="numeric" maxLength={6} required />
        <div class="button-row">
          <button type="submit" class="button">
            Continuer
          </button>
          <a class="button button-secondary" href="/profil/banque">
            Annuler
          </a>
        </div>
      </form>
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------------------------

export type ConfirmView = ChangeView & { details: { iban: string; bic: string | null; holderName: string }; formattedIban: string };

export function BankConfirmPage({ organisation, member, change, errors }: { organisation: Organisation; member: MemberBar; change: ConfirmView; errors: FieldErrors }) {
  const failed = Object.keys(errors).length > 0;
  const letter = change.channel === 'LETTER';
  return (
    <Layout title={`${failed ? 'Erreur : ' : ''}Confirmer votre nouveau compte`} organisationName={organisation.name} currentPath="/profil" member={member}>
      <ProfileNav current="/profil/banque" />
      <ErrorSummary errors={errors} order={['code']} title="Le compte n’a pas été confirmé" />
      <h1>Confirmer votre nouveau compte</h1>
      <section class="panel" aria-labelledby="titre-compte-nouveau">
        <h2 id="titre-compte-nouveau">Vérifiez le compte que vous confirmez</h2>
        <dl class="facts facts-stack">
          <dt>IBAN</dt>
          <dd class="iban">{change.formattedIban}</dd>
          <dt>Titulaire</dt>
          <dd>{change.details.holderName}</dd>
          <dt>BIC</dt>
          <dd>{change.details.bic ?? 'non renseigné'}</dd>
        </dl>
        <p>Le code ne confirme que ce compte-là. S’il n’est pas le bon, annulez la demande et recommencez.</p>
      </section>
      <form method="post" action="/profil/banque/confirmer" novalidate class="panel">
        <input type="hidden" name="_csrf" value={member.csrfToken} />
        <input type="hidden" name="demande" value={change.id} />
        <input type="hidden" name="iban" value={change.details.iban} />
        <input type="hidden" name="bic" value={change.details.bic ?? ''} />
        <input type="hidden" name="titulaire" value={change.details.holderName} />
        <TextField
          id="code"
          label="Code de confirmation"
          hint={
            letter
              ? `Les 8 caractères reçus par courrier (valable jusqu’au ${change.codeExpiresAt ? formatParisShortDateTime(change.codeExpiresAt) : '—'}).`
              : `Les 6 chiffres reçus par email (valable jusqu’au ${change.codeExpiresAt ? formatParisShortDateTime(change.codeExpiresAt) : '—'}).`
          }
          value=""
          error={errors.code}
          autocomplete="one-time-code"
          inputMode={letter ? 'text' : 'numeric'}
          maxLength={letter ? 12 : 6}
          required
        />
        <p>
          {change.attemptsLeft !== null ? `${change.attemptsLeft} essai${change.attemptsLeft > 1 ? 's' : ''} restant${change.attemptsLeft > 1 ? 's' : ''} : au troisième code erroné, la demande est annulée.` : ''}
        </p>
        <p>
          <button type="submit" class="button">
            Confirmer ce compte
          </button>
        </p>
      </form>
      <CancelForm csrfToken={member.csrfToken} changeId={change.id} label="Annuler la demande" />
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------------------------

/** « Ce n'est pas moi » (public): the code of the notice, typed or from the email's link, cancels the change. */
export function NotMePage({ organisation, csrfToken, code, outcome, maskedIban, error }: {
  organisation: Organisation;
  csrfToken: string;
  code: string;
  outcome: 'ASK' | 'DONE';
  maskedIban: string | null;
  error: string | null;
}) {
  const title = outcome === 'DONE' ? 'Changement de compte annulé' : 'Annuler un changement de coordonnées bancaires';
  return (
    <Layout title={`${error ? 'Erreur : ' : ''}${title}`} organisationName={organisation.name}>
      <ErrorSummary errors={error ? { code: error } : {}} order={['code']} title="L’annulation n’a pas abouti" />
      <section class="panel" aria-labelledby="titre-annulation">
        <h1 id="titre-annulation">{title}</h1>
        {outcome === 'DONE' ? (
          <>
            <p>
              Le changement vers le compte {maskedIban} est annulé : vos remboursements restent versés sur votre compte habituel. Par sécurité, toutes les connexions
              ouvertes à votre espace ont été fermées.
            </p>
            <p>
              Quelqu’un connaît sans doute votre code d’accès : choisissez-en un nouveau sur <a href="/code-oublie">code oublié</a>, et appelez-nous au{' '}
              {organisation.phone}.
            </p>
          </>
        ) : (
          <>
            <p>Vous avez reçu un email ou un courrier vous informant d’un changement de compte que vous n’avez pas demandé ? Saisissez le code d’annulation qu’il indique.</p>
            <form method="post" action="/annulation-banque" novalidate>
              <input type="hidden" name="_csrf" value={csrfToken} />
              <TextField id="code" label="Code d’annulation" hint="16 caractères, par exemple K7PM-2QXA-B3CD-9EFG." value={code} error={error ?? undefined} autocomplete="off" maxLength={30} spellcheck={false} required />
              <p>
                <button type="submit" class="button">
                  Annuler ce changement
                </button>
              </p>
            </form>
          </>
        )}
      </section>
    </Layout>
  );
}
