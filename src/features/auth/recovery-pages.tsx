/**
 * Pages of the recovery flows (issue 4): plain HTML forms posted to ourselves, working without JavaScript. Every
 * field has a visible label, its hint and its error tied with aria-describedby; errors are listed first, with links
 * to the fields, and the page title starts with « Erreur : » (RGAA 11.10, 11.11).
 */
import type { ComponentChildren } from 'preact';
import { Layout, type MemberBar } from '../../platform/views/layout.tsx';
import { SECURITY_PATHS } from './security-paths.ts';

type Organisation = { name: string; phone: string };

export type FieldErrors = Partial<Record<string, string>>;

const CODE_RULES = 'Six chiffres. Évitez les suites (123456), les répétitions (112233, 121212), les dates de naissance de votre foyer et les chiffres de votre numéro de Sécurité sociale.';

function Page(props: { organisation: Organisation; title: string; hasErrors?: boolean; member?: MemberBar | undefined; children: ComponentChildren }) {
  return (
    <Layout title={props.hasErrors ? `Erreur : ${props.title}` : props.title} organisationName={props.organisation.name} member={props.member ?? null}>
      {props.children}
    </Layout>
  );
}

function ErrorSummary({ errors, labels }: { errors: FieldErrors; labels: Record<string, string> }) {
  const entries = Object.entries(errors).filter((e): e is [string, string] => typeof e[1] === 'string');
  if (entries.length === 0) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="titre-erreurs" tabIndex={-1}>
      <h2 id="titre-erreurs">{entries.length === 1 ? 'Le formulaire contient une erreur' : `Le formulaire contient ${entries.length} erreurs`}</h2>
      <ul>
        {entries.map(([field, message]) => (
          <li key={field}>
            <a href={`#${field}`}>
              {labels[field] ?? field} : {message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

function FormError({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <div class="error-summary" role="alert">
      <p>
        <strong>{message}</strong>
      </p>
    </div>
  );
}

type FieldProps = {
  name: string;
  label: string;
  hint?: string;
  error?: string | undefined;
  value?: string;
  secret?: boolean;
  numeric?: boolean;
  autocomplete: string;
  maxLength: number;
};

// Same markup and class names as the login page (login-page.tsx), so that one set of styles serves both.
function Field({ name, label, hint, error, value, secret, numeric, autocomplete, maxLength }: FieldProps) {
  const hintId = hint ? `${name}-aide` : null;
  const errorId = error ? `${name}-erreur` : null;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={error ? 'field field-invalid' : 'field'}>
      <label for={name}>{label}</label>
      {hint && (
        <p class="hint" id={hintId!}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={errorId!}>
          <span class="visually-hidden">Erreur : </span>
          {error}
        </p>
      )}
      <input
        id={name}
        name={name}
        type={secret ? 'password' : 'text'}
        inputMode={numeric ? 'numeric' : undefined}
        autocomplete={autocomplete}
        spellcheck={false}
        maxLength={maxLength}
        value={value ?? ''}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy}
      />
    </div>
  );
}

const Csrf = ({ token }: { token: string }) => <input type="hidden" name="_csrf" value={token} />;

const NIR_HINT = '15 caractères, tels qu’ils figurent sur votre carte Vitale (les espaces sont acceptés).';

// ---------------------------------------------------------------------------------------------------------------

export const FORGOT_TITLE = 'Vous avez oublié votre code d’accès ou vous souhaitez l’obtenir ?';

export function ForgotCodePage(props: { organisation: Organisation; csrf: string; nir?: string; error?: string }) {
  return (
    <Page organisation={props.organisation} title="Code d’accès oublié" hasErrors={!!props.error}>
      <h1>{FORGOT_TITLE}</h1>
      <ErrorSummary errors={{ nir: props.error }} labels={{ nir: 'Numéro de Sécurité sociale' }} />
      <p>
        Indiquez votre numéro de Sécurité sociale. Si une adresse email vérifiée est enregistrée, vous recevrez un lien pour choisir un nouveau code. Sinon, nous
        vous enverrons par courrier un code d’activation.
      </p>
      <form method="post" action="/code-oublie" class="panel">
        <Csrf token={props.csrf} />
        <Field name="nir" label="Numéro de Sécurité sociale" hint={NIR_HINT} error={props.error} value={props.nir} autocomplete="username" maxLength={40} />
        <p>
          <button type="submit" class="button">
            Recevoir un nouveau code
          </button>
        </p>
      </form>
      <p>
        Vous avez reçu un courrier avec un code d’activation ? <a href="/activation">Activez votre accès</a>.
      </p>
    </Page>
  );
}

export function ForgotCodeSentPage(props: { organisation: Organisation; message: string }) {
  return (
    <Page organisation={props.organisation} title="Demande enregistrée">
      <section class="panel" aria-labelledby="titre-demande">
        <h1 id="titre-demande">Demande enregistrée</h1>
        <p>{props.message}</p>
        <p>Le lien reçu par email est valable 30 minutes. Le code d’activation reçu par courrier est valable 30 jours.</p>
        <p>
          Vous avez reçu un courrier ? <a href="/activation">Saisir mon code d’activation</a>.
        </p>
        <p>
          Rien reçu ? Appelez-nous au <a href={`tel:${props.organisation.phone.replace(/\s/g, '')}`}>{props.organisation.phone}</a> (appel non surtaxé).
        </p>
      </section>
    </Page>
  );
}

const NEW_CODE_LABELS = { code: 'Nouveau code d’accès', confirmation: 'Confirmation du nouveau code' };

function NewCodeFields({ errors }: { errors: FieldErrors }) {
  return (
    <>
      <Field name="code" label={NEW_CODE_LABELS.code} hint={CODE_RULES} error={errors.code} secret numeric autocomplete="new-password" maxLength={20} />
      <Field name="confirmation" label={NEW_CODE_LABELS.confirmation} hint="Saisissez le même code une seconde fois." error={errors.confirmation} secret numeric autocomplete="new-password" maxLength={20} />
    </>
  );
}

export function NewCodePage(props: { organisation: Organisation; csrf: string; token: string; errors?: FieldErrors }) {
  const errors = props.errors ?? {};
  return (
    <Page organisation={props.organisation} title="Nouveau code d’accès" hasErrors={Object.keys(errors).length > 0}>
      <h1>Choisissez votre nouveau code d’accès</h1>
      <ErrorSummary errors={errors} labels={NEW_CODE_LABELS} />
      <form method="post" action="/code-oublie/nouveau" class="panel">
        <Csrf token={props.csrf} />
        <input type="hidden" name="jeton" value={props.token} />
        <NewCodeFields errors={errors} />
        <p>
          <button type="submit" class="button">
            Enregistrer mon nouveau code
          </button>
        </p>
      </form>
    </Page>
  );
}

export function InvalidLinkPage(props: { organisation: Organisation }) {
  return (
    <Page organisation={props.organisation} title="Lien expiré">
      <section class="panel" aria-labelledby="titre-lien">
        <h1 id="titre-lien">Ce lien n’est plus valable</h1>
        <p>Un lien pour choisir un code est valable 30 minutes et ne sert qu’une fois ; une nouvelle demande remplace les liens précédents.</p>
        <p>
          <a href="/code-oublie" class="button">
            Faire une nouvelle demande
          </a>
        </p>
      </section>
    </Page>
  );
}

export function CodeSavedPage(props: { organisation: Organisation }) {
  return (
    <Page organisation={props.organisation} title="Code enregistré">
      <section class="panel" aria-labelledby="titre-enregistre">
        <h1 id="titre-enregistre">Votre code d’accès est enregistré</h1>
        <p>Utilisez-le désormais avec votre numéro de Sécurité sociale pour vous connecter. Par sécurité, toutes vos connexions en cours ont été fermées.</p>
        <p>
          <a href="/connexion" class="button">
            Se connecter
          </a>
        </p>
      </section>
    </Page>
  );
}

const ACTIVATION_LABELS = { nir: 'Numéro de Sécurité sociale', activationCode: 'Code d’activation', ...NEW_CODE_LABELS };

export function ActivationPage(props: { organisation: Organisation; csrf: string; values?: { nir?: string; activationCode?: string }; errors?: FieldErrors; formError?: string }) {
  const errors = props.errors ?? {};
  const values = props.values ?? {};
  return (
    <Page organisation={props.organisation} title="Activer mon accès" hasErrors={Object.keys(errors).length > 0 || !!props.formError}>
      <h1>Activer mon accès avec le code reçu par courrier</h1>
      <FormError message={props.formError} />
      <ErrorSummary errors={errors} labels={ACTIVATION_LABELS} />
      <p>Saisissez votre numéro de Sécurité sociale, le code d’activation imprimé sur votre courrier, puis choisissez votre code d’accès.</p>
      <form method="post" action="/activation" class="panel">
        <Csrf token={props.csrf} />
        <Field name="nir" label={ACTIVATION_LABELS.nir} hint={NIR_HINT} error={errors.nir} value={values.nir} autocomplete="username" maxLength={40} />
        <Field
          name="activationCode"
          label={ACTIVATION_LABELS.activationCode}
          hint="8 caractères (chiffres et lettres), par exemple K7PM 2QXA. Valable 30 jours ; 5 erreurs l’annulent."
          error={errors.activationCode}
          value={values.activationCode}
          autocomplete="one-time-code"
          maxLength={20}
        />
        <NewCodeFields errors={errors} />
        <p>
          <button type="submit" class="button">
            Activer mon accès
          </button>
        </p>
      </form>
      <p>
        Pas de courrier, ou code expiré ? <a href="/code-oublie">Demander un nouveau code</a>.
      </p>
    </Page>
  );
}

const CHANGE_LABELS = { current: 'Code d’accès actuel', ...NEW_CODE_LABELS };

export function ChangeCodePage(props: { organisation: Organisation; csrf: string; errors?: FieldErrors; formError?: string; done?: boolean; member?: MemberBar }) {
  const errors = props.errors ?? {};
  return (
    <Page organisation={props.organisation} title="Modifier mon code d’accès" hasErrors={Object.keys(errors).length > 0 || !!props.formError} member={props.member}>
      <h1>Modifier mon code d’accès</h1>
      {props.done && (
        <div class="notice" role="status">
          <p>
            <strong>Votre code d’accès a été modifié.</strong> Vos autres connexions ont été fermées et un avis vous a été envoyé.
          </p>
        </div>
      )}
      <FormError message={props.formError} />
      <ErrorSummary errors={errors} labels={CHANGE_LABELS} />
      <form method="post" action={SECURITY_PATHS.code} class="panel">
        <Csrf token={props.csrf} />
        <Field name="current" label={CHANGE_LABELS.current} error={errors.current} secret numeric autocomplete="current-password" maxLength={20} />
        <NewCodeFields errors={errors} />
        <p>
          <button type="submit" class="button">
            Modifier mon code
          </button>
        </p>
      </form>
      <p>
        <a href={SECURITY_PATHS.hub}>Retour à la sécurité de mon compte</a>
      </p>
    </Page>
  );
}
