import { Layout } from './layout.tsx';

export type ErrorPageProps = { organisationName: string; status: number; code: string; message: string; phone: string };

export function ErrorPage({ organisationName, status, code, message, phone }: ErrorPageProps) {
  const title = status === 404 ? 'Page introuvable' : status >= 500 ? 'Une erreur est survenue' : 'Action impossible';
  return (
    <Layout title={title} organisationName={organisationName}>
      <section class="panel error-panel" aria-labelledby="titre-erreur">
        <h1 id="titre-erreur">{title}</h1>
        <p>{message}</p>
        <p class="muted">
          Code de l'erreur : <code>{code}</code>
        </p>
        <p>
          <a href="/" class="button">
            Retour à l'accueil
          </a>
        </p>
        <p>
          Besoin d'aide ? Appelez-nous au <a href={`tel:${phone.replace(/\s/g, '')}`}>{phone}</a> (appel non surtaxé).
        </p>
      </section>
    </Layout>
  );
}
