import type { ComponentChildren } from 'preact';

export type LayoutProps = {
  title: string;
  organisationName: string;
  children: ComponentChildren;
  /** Set on member pages once the member area exists; null for public pages. */
  memberName?: string | null;
  /** The path of the page, so that its navigation link says « page courante » (aria-current). */
  currentPath?: string;
  /** On member pages: switches the header to « Mon espace » + « Se déconnecter » and shows when the session ends. */
  member?: MemberBar | null;
};

export type MemberBar = {
  firstName: string;
  csrfToken: string;
  /** When the session ends without activity (idle limit, or the absolute limit if sooner). */
  sessionEndsAt: Date;
  /** Seconds left before that end, measured on the server (the script counts from page load, not from the device clock). */
  secondsLeft: number;
};

const hourMinute = new Intl.DateTimeFormat('fr-FR', { hour: 'numeric', minute: '2-digit', timeZone: 'Europe/Paris' });
/** « 14 h 32 » */
export function frenchTime(date: Date): string {
  const parts = hourMinute.formatToParts(date);
  const hour = parts.find((p) => p.type === 'hour')?.value ?? '';
  const minute = parts.find((p) => p.type === 'minute')?.value ?? '';
  return `${Number(hour)} h ${minute}`;
}

/** The page skeleton: skip link, landmarks, one stylesheet, no inline script (CSP). */
export function Layout({ title, organisationName, children, currentPath, member }: LayoutProps) {
  const current = (href: string) => (href === currentPath ? 'page' : undefined);
  return (
    <html lang="fr">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} — Espace adhérent ${organisationName}`}</title>
        <link rel="stylesheet" href="/static/site.css" />
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        {member ? <script src="/static/session-warning.js" defer /> : null}
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
                {member ? (
                  <>
                    <li>
                      <a href="/espace" aria-current={current('/espace')}>
                        Mon espace
                      </a>
                    </li>
                    <li>
                      <a href="/profil" aria-current={current('/profil')}>
                        Mon profil
                      </a>
                    </li>
                    <li>
                      <form method="post" action="/deconnexion" class="inline-form">
                        <input type="hidden" name="_csrf" value={member.csrfToken} />
                        <button type="submit" class="button button-small button-light">
                          Se déconnecter
                        </button>
                      </form>
                    </li>
                  </>
                ) : (
                  <li>
                    <a href="/connexion" class="button button-small" aria-current={current('/connexion')}>
                      Se connecter
                    </a>
                  </li>
                )}
              </ul>
            </nav>
          </div>
        </header>
        <main id="contenu" tabIndex={-1} class="container">
          {member ? (
            <div class="session-bar" id="session-expiry" data-seconds-left={String(Math.max(0, Math.floor(member.secondsLeft)))} data-csrf={member.csrfToken}>
              <p class="session-end">
                Votre session expire à <span class="session-end-time">{frenchTime(member.sessionEndsAt)}</span> sans activité.
              </p>
              <div class="session-warning" role="status" aria-live="polite" aria-atomic="true" />
            </div>
          ) : null}
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
