/**
 * Login pages (issue 4): plain HTML forms, no script. Errors follow the usual pattern: « Erreur : » in the title, a
 * summary first in <main> that takes the focus on load (autofocus, no script) with links to the fields, and each
 * field marked aria-invalid with its message tied by aria-describedby.
 */
import type { ComponentChildren } from 'preact';
import { Layout, type MemberBar } from '../../platform/views/layout.tsx';
import type { LoginChallenge } from './login-challenge.ts';
import type { TrustedDevice } from './new-device.ts';
import { PasskeyAction } from './passkey-page.tsx';
import { SECURITY_PATHS } from './security-paths.ts';

type Organisation = { name: string; phone: string };
type FieldError = { field: string; message: string };

const tel = (phone: string) => `tel:${phone.replace(/\s/g, '')}`;

function ErrorSummary({ title, errors, message }: { title: string; errors: FieldError[]; message?: string | null }) {
  return (
    <div class="error-summary" role="alert" aria-labelledby="titre-erreurs" tabIndex={-1} autoFocus>
      <h2 id="titre-erreurs">{title}</h2>
      {message ? <p>{message}</p> : null}
      {errors.length > 0 ? (
        <ul>
          {errors.map((e) => (
            <li key={e.field}>
              <a href={`#${e.field}`}>{e.message}</a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function Notice({ children }: { children: ComponentChildren }) {
  return (
    <div class="notice" role="status">
      {children}
    </div>
  );
}

type FieldProps = {
  id: string;
  label: string;
  hint: string;
  error?: string | undefined;
  input: Record<string, string | number | boolean | undefined>;
};

function Field({ id, label, hint, error, input }: FieldProps) {
  const describedBy = [`${id}-aide`, error ? `${id}-erreur` : null].filter(Boolean).join(' ');
  return (
    <div class={error ? 'field field-invalid' : 'field'}>
      <label for={id}>{label}</label>
      <p class="hint" id={`${id}-aide`}>
        {hint}
      </p>
      {error ? (
        <p class="field-error" id={`${id}-erreur`}>
          <span class="visually-hidden">Erreur : </span>
          {error}
        </p>
      ) : null}
      <input id={id} name={id} aria-describedby={describedBy} aria-invalid={error ? 'true' : undefined} {...input} />
    </div>
  );
}

export type LoginPageProps = {
  organisation: Organisation;
  csrfToken: string;
  /** What the member typed in the NIR field (WCAG 3.3.7: not asked twice); the code is never sent back. */
  nir: string;
  next: string | null;
  fieldErrors: Partial<Record<'nir' | 'code' | 'challengeAnswer', string>>;
  /** A message that belongs to no field: the generic failure, too many attempts. */
  formError: string | null;
  /** An information after a redirect (expired confirmation…). */
  notice: string | null;
  /** THR-03: the question to answer with this attempt, when this network must prove it is not a robot. */
  challenge?: LoginChallenge | null;
};

export function LoginPage({ organisation, csrfToken, nir, next, fieldErrors, formError, notice, challenge = null }: LoginPageProps) {
  const errors: FieldError[] = (['nir', 'code', 'challengeAnswer'] as const).flatMap((field) => (fieldErrors[field] ? [{ field, message: fieldErrors[field] }] : []));
  const hasErrors = errors.length > 0 || formError !== null;
  return (
    <Layout title={`${hasErrors ? 'Erreur : ' : ''}Connexion`} organisationName={organisation.name} currentPath="/connexion">
      {hasErrors ? <ErrorSummary title="La connexion n’a pas abouti" errors={errors} message={formError} /> : null}
      {notice && !hasErrors ? <Notice>{notice}</Notice> : null}
      <section class="panel" aria-labelledby="titre-connexion">
        <h1 id="titre-connexion">Connexion à votre espace</h1>
        <p>Les champs sont obligatoires.</p>
        <form method="post" action="/connexion" novalidate>
          <input type="hidden" name="_csrf" value={csrfToken} />
          {next ? <input type="hidden" name="next" value={next} /> : null}
          <Field
            id="nir"
            label="Numéro de Sécurité sociale"
            hint="Les 15 caractères de votre carte Vitale, clé comprise ; les espaces sont acceptés. Exemple : 2 85 01 75 056 123 24"
            error={fieldErrors.nir}
            input={{ type: 'text', value: nir, autocomplete: 'username', spellcheck: false, autocapitalize: 'characters', maxLength: 30, pattern: '[0-9ABab\\s]{15,30}', required: true }}
          />
          <Field
            id="code"
            label="Code d’accès"
            hint="Votre code personnel à 6 chiffres."
            error={fieldErrors.code}
            input={{ type: 'password', inputMode: 'numeric', autocomplete: 'current-password', maxLength: 6, pattern: '[0-9]{6}', required: true }}
          />
          {challenge ? (
            <>
              <input type="hidden" name="challengeToken" value={challenge.token} />
              <Field
                id="challengeAnswer"
                label={`Question de sécurité : ${challenge.question}`}
                hint="Répondez en chiffres, par exemple 12. Cette question nous aide à arrêter les robots qui essaient des codes."
                error={fieldErrors.challengeAnswer}
                input={{ type: 'text', inputMode: 'numeric', autocomplete: 'off', maxLength: 3, pattern: '[0-9]{1,2}', required: true }}
              />
            </>
          ) : null}
          <p>
            <button type="submit" class="button">
              Se connecter
            </button>
          </p>
        </form>
        <PasskeyAction kind="login" csrfToken={csrfToken} label="Se connecter avec une clé d’accès" />
        <p>
          <a href="/code-oublie">Code d'accès oublié ?</a>
        </p>
        <p class="muted">
          Besoin d’aide ? Appelez-nous au <a href={tel(organisation.phone)}>{organisation.phone}</a> (appel non surtaxé).
        </p>
      </section>
    </Layout>
  );
}

export type DeviceCheckPageProps = {
  organisation: Organisation;
  csrfToken: string;
  method: 'EMAIL' | 'LETTER' | 'NONE' | 'LIMIT';
  /** c•••@exemple.fr, for the emailed code. */
  maskedEmail: string | null;
  error: string | null;
};

export function DeviceCheckPage({ organisation, csrfToken, method, maskedEmail, error }: DeviceCheckPageProps) {
  const canAnswer = method === 'EMAIL' || method === 'LETTER';
  return (
    <Layout title={`${error ? 'Erreur : ' : ''}Confirmer ce nouvel appareil`} organisationName={organisation.name} currentPath="/connexion">
      {error ? <ErrorSummary title="Le code n’a pas été accepté" errors={[{ field: 'code', message: error }]} /> : null}
      <section class="panel" aria-labelledby="titre-appareil">
        <h1 id="titre-appareil">Confirmer ce nouvel appareil</h1>
        <p>Vous vous connectez depuis un appareil ou un navigateur que nous ne connaissons pas encore. Pour protéger votre compte, nous vérifions que c’est bien vous.</p>
        {method === 'EMAIL' ? (
          <p>
            Nous venons d’envoyer un code à 6 chiffres à votre adresse email <strong>{maskedEmail}</strong>. Il est valable 10 minutes.
          </p>
        ) : null}
        {method === 'LETTER' ? <p>Aucune adresse email vérifiée n’est enregistrée : saisissez le code d’activation à 8 caractères de votre dernier courrier.</p> : null}
        {method === 'NONE' ? (
          <p>
            Aucune adresse email vérifiée ni courrier d’activation en cours ne permet de confirmer cet appareil en ligne. Demandez un courrier avec «{' '}
            <a href="/code-oublie">Code d'accès oublié ?</a> », ou appelez-nous au <a href={tel(organisation.phone)}>{organisation.phone}</a> (appel non surtaxé).
          </p>
        ) : null}
        {method === 'LIMIT' ? (
          <p>
            Trop de codes de confirmation ont été demandés pour ce compte. Réessayez dans une heure, ou appelez-nous au{' '}
            <a href={tel(organisation.phone)}>{organisation.phone}</a>.
          </p>
        ) : null}
        {canAnswer ? (
          <form method="post" action="/connexion/appareil" novalidate>
            <input type="hidden" name="_csrf" value={csrfToken} />
            {method === 'EMAIL' ? (
              <Field
                id="code"
                label="Code reçu par email"
                hint="6 chiffres."
                error={error ?? undefined}
                input={{ type: 'text', inputMode: 'numeric', autocomplete: 'one-time-code', maxLength: 6, pattern: '[0-9]{6}', required: true, spellcheck: false }}
              />
            ) : (
              <Field
                id="code"
                label="Code d’activation du courrier"
                hint="8 lettres et chiffres, par exemple ABCD 2345 ; les espaces sont acceptés."
                error={error ?? undefined}
                input={{ type: 'text', autocomplete: 'off', autocapitalize: 'characters', maxLength: 12, required: true, spellcheck: false }}
              />
            )}
            <p>Cet appareil sera ensuite reconnu pendant 90 jours ; vous pourrez le retirer à tout moment dans « Mes appareils ».</p>
            <p>
              <button type="submit" class="button">
                Confirmer
              </button>
            </p>
          </form>
        ) : null}
        <p>
          <a href="/connexion">Recommencer la connexion</a>
        </p>
      </section>
    </Layout>
  );
}

function LogoutForm({ csrfToken }: { csrfToken: string }) {
  return (
    <form method="post" action="/deconnexion" class="inline-form">
      <input type="hidden" name="_csrf" value={csrfToken} />
      <button type="submit" class="button">
        Se déconnecter
      </button>
    </form>
  );
}

const when = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' });

/** The trusted devices with a « Retirer » button each: on this page and on the security overview. */
export function DevicesList({ devices, csrfToken }: { devices: TrustedDevice[]; csrfToken: string }) {
  return (
    <>
    {devices.length === 0 ? (
      <p>Aucun appareil n’est enregistré.</p>
    ) : (
      <table class="line-cards">
        <caption class="visually-hidden">Appareils de confiance</caption>
        <thead>
          <tr>
            <th scope="col">Appareil</th>
            <th scope="col">Ajouté le</th>
            <th scope="col">Dernière utilisation</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {devices.map((d) => (
            <tr key={d.id}>
              <th scope="row">
                {d.label}
                {d.current ? ' (cet appareil)' : ''}
              </th>
              <td data-label="Ajouté le">{when.format(d.createdAt)}</td>
              <td data-label="Dernière utilisation">{d.lastUsedAt ? when.format(d.lastUsedAt) : '—'}</td>
              <td data-label="">
                <form method="post" action={`${SECURITY_PATHS.devices}/${d.id}/retirer`} class="inline-form">
                  <input type="hidden" name="_csrf" value={csrfToken} />
                  <button type="submit" class="button button-small">
                    Retirer<span class="visually-hidden"> l’appareil {d.label}{d.current ? ' (cet appareil)' : ''}, ajouté le {when.format(d.createdAt)}</span>
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
    </>
  );
}

export function DevicesPage({
  organisation,
  csrfToken,
  firstName,
  devices,
  notice,
  member,
}: {
  organisation: Organisation;
  csrfToken: string;
  firstName: string;
  devices: TrustedDevice[];
  notice: string | null;
  member?: MemberBar;
}) {
  return (
    <Layout title="Mes appareils" organisationName={organisation.name} currentPath={SECURITY_PATHS.devices} memberName={firstName} member={member ?? null}>
      {notice ? <Notice>{notice}</Notice> : null}
      <section class="panel" aria-labelledby="titre-appareils">
        <h1 id="titre-appareils">Mes appareils</h1>
        <p>
          Ces appareils peuvent se connecter avec votre numéro de Sécurité sociale et votre code d’accès, sans code de confirmation, pendant 90 jours. Retirez
          ceux que vous ne reconnaissez pas ou que vous n’utilisez plus.
        </p>
        <DevicesList devices={devices} csrfToken={csrfToken} />
        <p>
          <a href={SECURITY_PATHS.hub}>Retour à la sécurité de mon compte</a>
        </p>
        {member ? null : <LogoutForm csrfToken={csrfToken} />}
      </section>
    </Layout>
  );
}
