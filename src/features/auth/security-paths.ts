/** The account-security pages (issue 4), gathered under the profile by issue 8: one overview and one page per topic. */
export const SECURITY_PATHS = {
  hub: '/profil/securite',
  code: '/profil/securite/code',
  devices: '/profil/securite/appareils',
  sessions: '/profil/securite/sessions',
  passkeys: '/profil/securite/cles-d-acces',
} as const;

/** Where these pages lived before: a GET there answers 301 to the new place (bookmarks, mails already sent). */
export const LEGACY_SECURITY_PATHS: Record<string, string> = {
  '/espace/code': SECURITY_PATHS.code,
  '/espace/appareils': SECURITY_PATHS.devices,
  '/espace/sessions': SECURITY_PATHS.sessions,
  '/espace/cles-d-acces': SECURITY_PATHS.passkeys,
};
