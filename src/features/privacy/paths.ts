/** The member's privacy pages under the profile (issue 8). */
export const ACCESS_HISTORY_PATH = '/profil/acces';
export const NOTIFICATIONS_PATH = '/profil/notifications';
export const DATA_EXPORT_PATH = '/profil/donnees';
