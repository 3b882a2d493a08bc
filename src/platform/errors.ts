/** Stable error codes for machines; each has a French message for people and one HTTP status. */
export const ERRORS = {
  VALIDATION: { status: 400, message: 'Certaines informations sont incorrectes. Vérifiez les champs signalés.' },
  BAD_REQUEST: { status: 400, message: 'La demande est mal formée.' },
  UNAUTHENTICATED: { status: 401, message: 'Veuillez vous connecter pour accéder à cette page.' },
  CSRF: { status: 403, message: 'Le formulaire a expiré ou ne vient pas de ce site. Rechargez la page et réessayez.' },
  FORBIDDEN: { status: 403, message: "Vous n'avez pas accès à cette page." },
  NOT_FOUND: { status: 404, message: "La page demandée n'existe pas ou n'est plus disponible." },
  METHOD_NOT_ALLOWED: { status: 405, message: "Cette action n'est pas possible sur cette page." },
  CONFLICT: { status: 409, message: 'Cette action entre en conflit avec une autre. Rechargez la page.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Le contenu envoyé est trop volumineux.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: "Ce format de contenu n'est pas accepté." },
  LOCKED: { status: 423, message: 'Ce compte est temporairement bloqué.' },
  RATE_LIMITED: { status: 429, message: 'Trop de tentatives. Patientez quelques minutes avant de réessayer.' },
  INTERNAL: { status: 500, message: 'Une erreur inattendue est survenue. Réessayez dans quelques instants.' },
  UNAVAILABLE: { status: 503, message: 'Le service est momentanément indisponible. Réessayez dans quelques instants.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly fields?: FieldErrors,
  ) {
    super(message ?? ERRORS[code].message);
    this.name = 'AppError';
    this.status = ERRORS[code].status;
  }
}

/** Fastify's own error codes (body parsing, limits) mapped onto ours. */
export function fromHttpStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'BAD_REQUEST';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 405:
      return 'METHOD_NOT_ALLOWED';
    case 409:
      return 'CONFLICT';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'RATE_LIMITED';
    case 503:
      return 'UNAVAILABLE';
    default:
      return status >= 400 && status < 500 ? 'BAD_REQUEST' : 'INTERNAL';
  }
}
