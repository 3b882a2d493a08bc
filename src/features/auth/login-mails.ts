/**
 * The emails of the login flow (AUTH-05, AUTH-06, THR-01 notice). FRD-07: no NIR, no access code, no health data,
 * never a request for the code; the only secret ever written is the one-time code itself. Links are built from the
 * configured public URL, never from the request's Host (RST-02).
 */
import type { SendEmailPayload } from '../../platform/mail-job.ts';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function compose(to: string, subject: string, paragraphs: string[], idempotencyKey: string): SendEmailPayload {
  return {
    to,
    subject,
    text: paragraphs.join('\n\n') + '\n',
    html: `<!doctype html><html lang="fr"><body>${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}</body></html>`,
    idempotencyKey,
  };
}

type Common = { to: string; organisationName: string; phone: string; publicUrl: string };

export function newDeviceCodeMail(m: Common & { code: string; challengeId: string }): SendEmailPayload {
  return compose(
    m.to,
    'Votre code de confirmation',
    [
      'Bonjour,',
      `Une connexion à votre espace adhérent ${m.organisationName} vient d’avoir lieu depuis un appareil que nous ne connaissons pas encore.`,
      `Pour la confirmer, saisissez ce code sur la page ouverte : ${m.code}`,
      'Ce code est valable 10 minutes et ne sert qu’une fois. Ne le communiquez à personne : nos conseillers ne vous le demanderont jamais.',
      `Si vous n’êtes pas à l’origine de cette connexion, quelqu’un connaît votre code d’accès : ne saisissez pas ce code, et choisissez un nouveau code d’accès sur ${m.publicUrl}/code-oublie ou appelez-nous au ${m.phone}.`,
      m.organisationName,
    ],
    `new-device-code:${m.challengeId}`,
  );
}

export function newDeviceNoticeMail(m: Common & { deviceLabel: string; deviceId: string }): SendEmailPayload {
  return compose(
    m.to,
    'Nouvel appareil connecté à votre espace adhérent',
    [
      'Bonjour,',
      `Un nouvel appareil (${m.deviceLabel}) vient d’être ajouté à vos appareils de confiance dans votre espace adhérent ${m.organisationName}.`,
      `Si c’est bien vous, vous n’avez rien à faire. Sinon, retirez-le de la liste « Mes appareils » sur ${m.publicUrl}/profil/securite/appareils, choisissez un nouveau code d’accès sur ${m.publicUrl}/code-oublie, ou appelez-nous au ${m.phone}.`,
      m.organisationName,
    ],
    `new-device-notice:${m.deviceId}`,
  );
}

export function lockNoticeMail(m: Common & { temporary: boolean; lockKey: string }): SendEmailPayload {
  return compose(
    m.to,
    'Accès à votre espace adhérent suspendu',
    [
      'Bonjour,',
      m.temporary
        ? `Après plusieurs codes d’accès erronés, l’accès à votre espace adhérent ${m.organisationName} est suspendu pendant 15 minutes.`
        : `Après de trop nombreux codes d’accès erronés, l’accès à votre espace adhérent ${m.organisationName} est suspendu jusqu’à ce que vous choisissiez un nouveau code.`,
      `Pour retrouver l’accès tout de suite, choisissez un nouveau code sur ${m.publicUrl}/code-oublie.`,
      `Si vous n’êtes pas à l’origine de ces essais, quelqu’un tente peut-être d’accéder à votre compte : ne communiquez jamais votre code, et appelez-nous au ${m.phone} en cas de doute.`,
      m.organisationName,
    ],
    `lock-notice:${m.lockKey}`,
  );
}

/** After an export of the household's personal data (issue 8): a stolen session's export does not go unnoticed. */
export function dataExportNoticeMail(m: Common & { exportId: string }): SendEmailPayload {
  return compose(
    m.to,
    'Vos données personnelles ont été exportées',
    [
      'Bonjour,',
      `Une copie de vos données personnelles vient d’être téléchargée depuis votre espace adhérent ${m.organisationName} (page « Mes données »).`,
      `Si c’est bien vous, vous n’avez rien à faire : gardez ce fichier en lieu sûr. Sinon, terminez les sessions ouvertes sur ${m.publicUrl}/profil/securite, choisissez un nouveau code d’accès sur ${m.publicUrl}/code-oublie, et appelez-nous au ${m.phone}.`,
      m.organisationName,
    ],
    `data-export-notice:${m.exportId}`,
  );
}
