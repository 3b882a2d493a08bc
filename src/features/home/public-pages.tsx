import { Layout } from '../../platform/views/layout.tsx';

type Props = { organisation: { name: string; phone: string } };

export function AccessibilityPage({ organisation }: Props) {
  return (
    <Layout title="Accessibilité" organisationName={organisation.name} currentPath="/accessibilite">
      <h1>Déclaration d'accessibilité</h1>
      <p>
        {organisation.name} s'engage à rendre son espace adhérent accessible conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005 et au
        référentiel général d'amélioration de l'accessibilité (RGAA 4.1).
      </p>
      <h2>État de conformité</h2>
      <p>L'espace adhérent est partiellement conforme : l'audit complet n'a pas encore été réalisé. Chaque page est vérifiée automatiquement (axe-core) et au clavier.</p>
      <h2>Nous signaler un problème</h2>
      <p>
        Si vous n'arrivez pas à accéder à un contenu ou à un service, appelez-nous au {organisation.phone} : nous vous apporterons une réponse ou le contenu sous
        une autre forme.
      </p>
      <h2>Voie de recours</h2>
      <p>Si vous n'obtenez pas de réponse satisfaisante, vous pouvez saisir le Défenseur des droits (defenseurdesdroits.fr, ou par courrier gratuit : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07).</p>
    </Layout>
  );
}

export function LegalPage({ organisation }: Props) {
  return (
    <Layout title="Mentions légales" organisationName={organisation.name} currentPath="/mentions-legales">
      <h1>Mentions légales et données personnelles</h1>
      <p>
        Cet espace est édité par {organisation.name}. Les données de santé qu'il affiche sont hébergées par un hébergeur certifié HDS et ne sont utilisées que pour
        gérer votre contrat et vos remboursements.
      </p>
      <p>Aucun traceur publicitaire ni service tiers n'est utilisé : seuls des cookies strictement nécessaires (session et sécurité des formulaires) sont déposés.</p>
      <p>Pour exercer vos droits (accès, rectification, effacement, limitation, opposition), écrivez à notre délégué à la protection des données.</p>
    </Layout>
  );
}
