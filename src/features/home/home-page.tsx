import { Layout } from '../../platform/views/layout.tsx';

type Props = { organisation: { name: string; phone: string }; notice?: string | null };

const SERVICES = [
  { title: 'Vos remboursements', text: 'La part de la Sécurité sociale, celle de votre mutuelle et ce qui reste à votre charge, ligne par ligne, expliqué simplement.' },
  { title: 'Vos documents', text: 'Carte de tiers payant, attestations de droits (y compris CSS et ancienne ACS), relevés et attestation fiscale, à tout moment.' },
  { title: 'Vos demandes', text: 'Prise en charge optique, dentaire, hospitalisation ou audition, suivie étape par étape, et estimation de vos devis.' },
  { title: 'Un conseiller', text: 'Une messagerie sécurisée pour écrire à votre conseiller, et vos coordonnées ou votre RIB à jour en quelques minutes.' },
];

export function HomePage({ organisation, notice = null }: Props) {
  return (
    <Layout title="Accueil" organisationName={organisation.name} currentPath="/">
      {notice ? (
        <div class="notice" role="status">
          {notice}
        </div>
      ) : null}
      <section class="hero" aria-labelledby="titre-accueil">
        <h1 id="titre-accueil">Votre espace adhérent {organisation.name}</h1>
        <p class="lead">Suivez vos remboursements, téléchargez vos documents et échangez avec votre conseiller, où que vous soyez.</p>
        <p>
          <a href="/connexion" class="button button-large">
            Se connecter à mon espace
          </a>
        </p>
        <p class="muted">Munissez-vous de votre numéro de Sécurité sociale et de votre code d'accès à 6 chiffres.</p>
      </section>
      <section aria-labelledby="titre-services">
        <h2 id="titre-services">Ce que vous pouvez faire en ligne</h2>
        <ul class="cards">
          {SERVICES.map((s) => (
            <li class="card" key={s.title}>
              <h3>{s.title}</h3>
              <p>{s.text}</p>
            </li>
          ))}
        </ul>
      </section>
      <section class="panel" aria-labelledby="titre-contact">
        <h2 id="titre-contact">Nous contacter</h2>
        <p>
          Par téléphone au <a href={`tel:${organisation.phone.replace(/\s/g, '')}`}>{organisation.phone}</a>, du lundi au vendredi de 9 h à 18 h (appel non surtaxé).
        </p>
      </section>
    </Layout>
  );
}
