/**
 * « Mes notifications » (/profil/notifications): one checkbox per kind of alert, the daily digest, and the security
 * notices shown as always sent (not a control). A plain form, POST-redirect-GET.
 */
import { Layout, type MemberBar } from '../../platform/views/layout.tsx';
import type { AlertKind, NotificationPreferences } from './notification-preferences.ts';
import { NOTIFICATIONS_PATH } from './paths.ts';
import { ProfileNav } from '../profile/profile-nav.tsx';

type Organisation = { name: string; phone: string };

const LABELS: Record<AlertKind, { label: string; hint: string }> = {
  payments: { label: 'Mes remboursements et virements', hint: 'Quand un virement de la mutuelle est fait.' },
  documents: { label: 'Mes documents', hint: 'Quand un document ou un courrier est disponible dans votre espace.' },
  requests: { label: 'Mes demandes et prises en charge', hint: 'Quand une demande avance ou reçoit une réponse.' },
  messages: { label: 'Mes messages', hint: 'Quand un conseiller vous répond.' },
};

export function NotificationsPage({ organisation, member, preferences, saved, hasEmail }: { organisation: Organisation; member: MemberBar; preferences: NotificationPreferences; saved: boolean; hasEmail: boolean }) {
  return (
    <Layout title="Mes notifications" organisationName={organisation.name} currentPath={NOTIFICATIONS_PATH} member={member}>
      {saved ? (
        <div class="notice" role="status">
          <p>Vos préférences de notification ont été enregistrées.</p>
        </div>
      ) : null}
      <ProfileNav current="/profil/notifications" />
      <h1>Mes notifications</h1>
      <p>
        Choisissez les alertes que vous recevez par email. Un email vous dit seulement qu’il y a du nouveau dans votre espace, avec un lien : il ne contient
        jamais d’information sur votre santé ni sur vos soins, ni votre numéro de Sécurité sociale, ni vos coordonnées bancaires.
      </p>
      {hasEmail ? null : <p class="muted">Aucune adresse email n’est enregistrée : ces choix s’appliqueront dès que vous en aurez une.</p>}
      <form method="post" action={NOTIFICATIONS_PATH} class="panel">
        <input type="hidden" name="_csrf" value={member.csrfToken} />
        <fieldset>
          <legend>Recevoir un email pour :</legend>
          {(Object.keys(LABELS) as AlertKind[]).map((kind) => (
            <div class="checkbox" key={kind}>
              <input type="checkbox" id={`alerte-${kind}`} name={kind} value="oui" checked={preferences.email[kind]} aria-describedby={`aide-${kind}`} />
              <label for={`alerte-${kind}`}>{LABELS[kind].label}</label>
              <p class="muted" id={`aide-${kind}`}>
                {LABELS[kind].hint}
              </p>
            </div>
          ))}
        </fieldset>
        <fieldset>
          <legend>Rythme des emails</legend>
          <div class="checkbox">
            <input type="checkbox" id="resume-quotidien" name="dailyDigest" value="oui" checked={preferences.dailyDigest} aria-describedby="aide-resume" />
            <label for="resume-quotidien">Un seul email par jour, qui regroupe les alertes</label>
            <p class="muted" id="aide-resume">
              Sinon, un email à chaque nouveauté.
            </p>
          </div>
        </fieldset>
        <p>
          <button type="submit" class="button">
            Enregistrer mes préférences
          </button>
        </p>
      </form>
      <section class="panel" aria-labelledby="titre-avis-securite">
        <h2 id="titre-avis-securite">Avis de sécurité : toujours envoyés</h2>
        <p>
          Vous êtes toujours prévenu, tout de suite, d’une connexion depuis un nouvel appareil, d’un changement de code d’accès, d’un blocage de votre compte,
          d’un changement de coordonnées bancaires ou d’un export de vos données. Ces avis ne peuvent pas être désactivés : ils vous protègent si quelqu’un
          d’autre utilise votre compte.
        </p>
      </section>
      <p>
        <a href="/espace">Retour à mon espace</a>
      </p>
    </Layout>
  );
}
