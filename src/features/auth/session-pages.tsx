/**
 * Member pages about the session itself (issue 4): the list of active sessions (SES-06) and the email check after a
 * login. Plain HTML forms, no script needed; the shared Layout shows when the session ends (SES-02).
 */
import { Layout, type MemberBar } from '../../platform/views/layout.tsx';
import type { ActiveSession } from './member-sessions.ts';
import { SECURITY_PATHS } from './security-paths.ts';

type Organisation = { name: string; phone: string };

const when = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' });
const tel = (phone: string) => `tel:${phone.replace(/\s/g, '')}`;

/** The sessions table and « Terminer toutes les autres sessions »: on this page and on the security overview. */
export function SessionsList({ sessions, csrfToken }: { sessions: ActiveSession[]; csrfToken: string }) {
  const others = sessions.filter((s) => !s.current);
  return (
    <>
      <table class="line-cards">
        <caption class="visually-hidden">Sessions ouvertes</caption>
        <thead>
          <tr>
            <th scope="col">Appareil</th>
            <th scope="col">Ouverte le</th>
            <th scope="col">Dernière activité</th>
            <th scope="col">Lieu approximatif</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.publicId}>
              <th scope="row">
                {s.device}
                {s.current ? <strong> (cette session)</strong> : null}
              </th>
              <td data-label="Ouverte le">{when.format(s.createdAt)}</td>
              <td data-label="Dernière activité">{when.format(s.lastSeenAt)}</td>
              <td data-label="Lieu approximatif">{s.place}</td>
              <td data-label="">
                {s.current ? (
                  'Utilisez « Se déconnecter »'
                ) : (
                  <form method="post" action={`${SECURITY_PATHS.sessions}/${s.publicId}/fin`} class="inline-form">
                    <input type="hidden" name="_csrf" value={csrfToken} />
                    <button type="submit" class="button button-small">
                      Terminer<span class="visually-hidden"> la session {s.device} ouverte le {when.format(s.createdAt)}</span>
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {others.length > 0 ? (
        <form method="post" action={`${SECURITY_PATHS.sessions}/fin-des-autres`}>
          <input type="hidden" name="_csrf" value={csrfToken} />
          <p>
            <button type="submit" class="button">
              Terminer toutes les autres sessions
            </button>
          </p>
        </form>
      ) : (
        <p>Aucune autre session n’est ouverte.</p>
      )}
    </>
  );
}

export function SessionsPage({ organisation, member, sessions, notice }: { organisation: Organisation; member: MemberBar; sessions: ActiveSession[]; notice: string | null }) {
  return (
    <Layout title="Mes sessions" organisationName={organisation.name} currentPath={SECURITY_PATHS.sessions} member={member}>
      {notice ? (
        <div class="notice" role="status">
          <p>{notice}</p>
        </div>
      ) : null}
      <section class="panel" aria-labelledby="titre-sessions">
        <h1 id="titre-sessions">Mes sessions</h1>
        <p>Voici les connexions ouvertes à votre espace. Si vous ne reconnaissez pas l’une d’elles, terminez-la et modifiez votre code d’accès.</p>
        <SessionsList sessions={sessions} csrfToken={member.csrfToken} />
        <p>
          <a href={SECURITY_PATHS.hub}>Retour à la sécurité de mon compte</a>
        </p>
      </section>
    </Layout>
  );
}

export function EmailCheckPage({ organisation, member, maskedEmail, verified }: { organisation: Organisation; member: MemberBar; maskedEmail: string; verified: boolean }) {
  return (
    <Layout title="Vérifier mon adresse email" organisationName={organisation.name} currentPath="/espace/verifier-email" member={member}>
      <section class="panel" aria-labelledby="titre-email">
        <h1 id="titre-email">Votre adresse email est-elle toujours {maskedEmail} ?</h1>
        <p>
          Nous l’utilisons pour vous prévenir d’une connexion depuis un nouvel appareil et pour vous envoyer un lien si vous oubliez votre code d’accès.
          {verified ? null : ' Elle n’a pas encore été vérifiée.'}
        </p>
        <form method="post" action="/espace/verifier-email">
          <input type="hidden" name="_csrf" value={member.csrfToken} />
          <div class="button-row">
            <button type="submit" name="choix" value="oui" class="button">
              Oui, c’est la bonne
            </button>
            <button type="submit" name="choix" value="plus-tard" class="button button-secondary">
              Plus tard
            </button>
          </div>
        </form>
        <h2>Modifier</h2>
        <p>
          Votre adresse a changé ? Indiquez la nouvelle dans <a href="/profil">Mes coordonnées</a> : nous vous enverrons un lien pour la confirmer. Vous
          pouvez aussi nous appeler au <a href={tel(organisation.phone)}>{organisation.phone}</a> (appel non surtaxé).
        </p>
      </section>
    </Layout>
  );
}
