import type { ComponentChildren } from 'preact';

export type LayoutProps = {
  title: string;
  organisationName: string;
  children: ComponentChildren;
  /** Set on member pages once the member area exists; null for public pages. */
  memberName?: string | null;
  /** The path of the page, so that its navigation link says « page courante » (aria-current). */
  currentPath?: string;
};

/** The page skeleton: skip link, landmarks, one stylesheet, no inline script (CSP). */
export function Layout({ title, organisationName, children, currentPath }: LayoutProps) {
  const current = (href: string) => (href === currentPath ? 'page' : undefined);
  return (
    <html lang="fr">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} — Espace adhérent ${organisationName}`}</title>
        <link rel="stylesheet" href="/static/site.css" />
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
      </head>
      <body>
        <a class="skip-link" href="#contenu">
          Aller au contenu
        </a>
        <header class="site-header">
          <div class="container header-inner">
            <a class="brand" href="/">
              <span class="brand-name">{organisationName}</span>{' '}
              <span class="brand-sub">Espace adhérent</span>
            </a>
            <nav aria-label="Navigation principale">
              <ul class="nav-list">
                <li>
                  <a href="/" aria-current={current('/')}>
                    Accueil
                  </a>
                </li>
                <li>
                  <a href="/connexion" class="button button-small" aria-current={current('/connexion')}>
                    Se connecter
                  </a>
                </li>
              </ul>
            </nav>
          </div>
        </header>
        <main id="contenu" tabIndex={-1} class="container">
          {children}
        </main>
        <footer class="site-footer">
          <div class="container">
            <p>
              {organisationName} — mutuelle régie par le livre II du Code de la mutualité.
            </p>
            <ul class="footer-links">
              <li>
                <a href="/accessibilite" aria-current={current('/accessibilite')}>Accessibilité : partiellement conforme</a>
              </li>
              <li>
                <a href="/mentions-legales" aria-current={current('/mentions-legales')}>Mentions légales et données personnelles</a>
              </li>
            </ul>
          </div>
        </footer>
      </body>
    </html>
  );
}
