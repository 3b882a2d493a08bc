/**
 * The navigation between the pages of « Mon profil » (issue 8). Each page of the profile puts it at the top of its main
 * content; the link of the page shown says so (aria-current), by weight and underline rather than colour alone.
 */

export const PROFILE_PAGES = [
  { href: '/profil', label: 'Coordonnées' },
  { href: '/profil/banque', label: 'Coordonnées bancaires' },
  { href: '/profil/securite', label: 'Sécurité' },
  { href: '/profil/acces', label: 'Historique des accès' },
  { href: '/profil/notifications', label: 'Notifications' },
  { href: '/profil/donnees', label: 'Mes données' },
] as const;

export type ProfilePath = (typeof PROFILE_PAGES)[number]['href'];

/** `current`: the page shown (its sub-pages, e.g. /profil/banque/modifier, pass their section's path). */
export function ProfileNav({ current }: { current: ProfilePath }) {
  return (
    <nav class="profile-nav" aria-label="Mon profil">
      <ul>
        {PROFILE_PAGES.map((p) => (
          <li key={p.href}>
            <a href={p.href} aria-current={p.href === current ? 'page' : undefined}>
              {p.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
