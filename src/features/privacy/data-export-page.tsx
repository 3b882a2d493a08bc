/** « Mes données » (/profil/donnees): what the export holds, and one POST button that downloads it (no script). */
import { Layout, type MemberBar } from '../../platform/views/layout.tsx';
import { ACCESS_HISTORY_PATH, DATA_EXPORT_PATH } from './paths.ts';
import { ProfileNav } from '../profile/profile-nav.tsx';

type Organisation = { name: string; phone: string };

export function DataExportPage({ organisation, member, error }: { organisation: Organisation; member: MemberBar; error: string | null }) {
  return (
    <Layout title={error ? 'Erreur : Mes données personnelles' : 'Mes données personnelles'} organisationName={organisation.name} currentPath={DATA_EXPORT_PATH} member={member}>
      <ProfileNav current="/profil/donnees" />
      <h1>Mes données personnelles</h1>
      {error ? (
        <div class="error-summary" role="alert" aria-labelledby="titre-erreur" tabIndex={-1}>
          <h2 id="titre-erreur">Le téléchargement n’a pas pu être fait</h2>
          <p>{error}</p>
        </div>
      ) : null}
      <p>
        Vous pouvez télécharger en une fois tout ce que votre espace adhérent conserve sur votre foyer : votre adhésion et les personnes couvertes, vos contrats
        et vos droits, vos coordonnées, vos coordonnées bancaires, vos remboursements et virements, la liste de vos documents, de vos courriers et des fichiers
        envoyés, l’historique des accès à votre dossier, vos sessions et appareils, et vos préférences.
      </p>
      <section class="panel" aria-labelledby="titre-export">
        <h2 id="titre-export">Télécharger mes données</h2>
        <p>
          Vous obtenez un fichier ZIP qui contient un fichier JSON (pour un autre service) et des fichiers CSV (pour un tableur), avec un fichier LISEZ-MOI
          qui les décrit.
        </p>
        <p>
          <strong>Ce fichier contient en clair vos numéros de Sécurité sociale, votre IBAN et vos remboursements.</strong> Enregistrez-le sur un appareil
          personnel, ne l’envoyez pas par email et supprimez-le quand vous n’en avez plus besoin. La mutuelle n’en garde pas de copie ; un avis de sécurité vous
          est envoyé à chaque téléchargement, qui figure aussi dans l’<a href={ACCESS_HISTORY_PATH}>historique des accès</a>.
        </p>
        <form method="post" action={DATA_EXPORT_PATH}>
          <input type="hidden" name="_csrf" value={member.csrfToken} />
          <p>
            <button type="submit" class="button">
              Télécharger mes données (fichier ZIP)
            </button>
          </p>
        </form>
      </section>
      <p class="muted">
        Pour faire rectifier ou effacer une donnée, ou pour toute question, appelez-nous au {organisation.phone} ou écrivez au délégué à la protection des
        données de la mutuelle.
      </p>
      <p>
        <a href="/espace">Retour à mon espace</a>
      </p>
    </Layout>
  );
}
