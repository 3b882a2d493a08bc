/**
 * « Mes clés d'accès » (issue 4): the member's passkeys with a remove button each (plain forms, works without
 * JavaScript). The « Ajouter une clé d'accès » button is hidden in the HTML and shown by /static/passkey.js only when
 * the browser has WebAuthn (progressive enhancement).
 */
import { Layout } from '../../platform/views/layout.tsx';
import type { StoredPasskey } from './passkey-common.ts';
import { SECURITY_PATHS } from './security-paths.ts';

type Organisation = { name: string; phone: string };

const when = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' });

/** The hidden block the script reveals: a button, and a live region for what happens next. */
export function PasskeyAction({ kind, csrfToken, label }: { kind: 'register' | 'login'; csrfToken: string; label: string }) {
  return (
    <div class="passkey-action" data-passkey={kind} data-csrf={csrfToken} hidden>
      <p>
        <button type="button" class="button" data-passkey-button>
          {label}
        </button>
      </p>
      <p data-passkey-status role="status" aria-live="polite"></p>
      <script type="module" src="/static/passkey.js"></script>
    </div>
  );
}

/** The passkeys with a « Retirer » button each, and the « Ajouter » button the script reveals: here and on the overview. */
export function PasskeysList({ passkeys, csrfToken }: { passkeys: StoredPasskey[]; csrfToken: string }) {
  return (
    <>
    {passkeys.length === 0 ? (
      <p>Aucune clé d’accès n’est enregistrée.</p>
    ) : (
      <table class="line-cards">
        <caption class="visually-hidden">Clés d’accès enregistrées</caption>
        <thead>
          <tr>
            <th scope="col">Clé d’accès</th>
            <th scope="col">Ajoutée le</th>
            <th scope="col">Dernière utilisation</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {passkeys.map((p) => (
            <tr key={p.id}>
              <th scope="row">{p.label}</th>
              <td data-label="Ajoutée le">{when.format(p.createdAt)}</td>
              <td data-label="Dernière utilisation">{p.lastUsedAt ? when.format(p.lastUsedAt) : '—'}</td>
              <td data-label="">
                <form method="post" action={`${SECURITY_PATHS.passkeys}/retirer`} class="inline-form">
                  <input type="hidden" name="_csrf" value={csrfToken} />
                  <input type="hidden" name="id" value={p.id} />
                  <button type="submit" class="button button-small">
                    Retirer<span class="visually-hidden"> la clé d’accès {p.label}, ajoutée le {when.format(p.createdAt)}</span>
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
      <PasskeyAction kind="register" csrfToken={csrfToken} label="Ajouter une clé d’accès" />
    </>
  );
}

export function PasskeysPage({
  organisation,
  csrfToken,
  firstName,
  passkeys,
  notice,
}: {
  organisation: Organisation;
  csrfToken: string;
  firstName: string;
  passkeys: StoredPasskey[];
  notice: string | null;
}) {
  return (
    <Layout title="Mes clés d’accès" organisationName={organisation.name} currentPath={SECURITY_PATHS.passkeys} memberName={firstName}>
      {notice ? (
        <div class="notice" role="status">
          {notice}
        </div>
      ) : null}
      <section class="panel" aria-labelledby="titre-cles">
        <h1 id="titre-cles">Mes clés d’accès</h1>
        <p>
          Une clé d’accès vous connecte sans saisir votre numéro de Sécurité sociale ni votre code : elle reste sur votre appareil et se déverrouille avec
          son code, votre empreinte ou votre visage. Retirez celles que vous ne reconnaissez pas ou que vous n’utilisez plus.
        </p>
        <PasskeysList passkeys={passkeys} csrfToken={csrfToken} />
        <p>
          <a href={SECURITY_PATHS.hub}>Retour à la sécurité de mon compte</a>
        </p>
        <form method="post" action="/deconnexion" class="inline-form">
          <input type="hidden" name="_csrf" value={csrfToken} />
          <button type="submit" class="button">
            Se déconnecter
          </button>
        </form>
      </section>
    </Layout>
  );
}
