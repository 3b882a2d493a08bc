/**
 * The emails and letters of the profile (issue 8). FRD-07: no NIR, no full IBAN (masked: FR76 •••• … ••89 123), no
 * health data, never a request for the access code; the only secrets written are the one-time code, the single-use
 * link of an email change and the « ce n'est pas moi » code. Links start with config.publicUrl (RST-02).
 */
import type { SendEmailPayload } from '../../platform/mail-job.ts';
import { compose } from '../auth/login-mails.ts';
import type { SecurityNoticeContent } from '../letters/letter-model.ts';
import { formatParisDateTime } from '../../domain/dates.ts';

type Common = { organisationName: string; phone: string; publicUrl: string };

const NEVER_ASK = 'Nous ne vous demanderons jamais votre code d’accès, ni par email, ni par téléphone.';

/** 'K7PM2QXAB3CD9EFG' → 'K7PM-2QXA-B3CD-9EFG': easier to copy from paper. */
export const groupCancelCode = (code: string) => code.replace(/(.{4})(?=.)/g, '$1-');

export function emailChangeLinkMail(m: Common & { to: string; link: string; expiresAt: Date; changeId: string }): SendEmailPayload {
  return compose(
    m.to,
    'Confirmez votre nouvelle adresse email',
    [
      'Bonjour,',
      `Vous avez demandé à utiliser cette adresse pour votre espace adhérent ${m.organisationName}. Pour la confirmer, ouvrez ce lien :`,
      m.link,
      `Le lien est valable jusqu’au ${formatParisDateTime(m.expiresAt)} et ne sert qu’une fois. Tant qu’il n’est pas ouvert, nous continuons d’écrire à votre adresse actuelle.`,
      `Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : rien ne changera. ${NEVER_ASK}`,
      m.organisationName,
    ],
    `email-change-link:${m.changeId}`,
  );
}

export function emailChangedNoticeMail(m: Common & { to: string; maskedNew: string; at: Date; changeId: string }): SendEmailPayload {
  return compose(
    m.to,
    'Votre adresse email a été modifiée',
    [
      'Bonjour,',
      `Le ${formatParisDateTime(m.at)}, l’adresse email de votre espace adhérent ${m.organisationName} a été remplacée par ${m.maskedNew}. Nous n’écrirons plus à cette adresse-ci.`,
      'Si c’est bien vous, vous n’avez rien à faire.',
      `Sinon, quelqu’un a peut-être accès à votre compte : appelez-nous au plus vite au ${m.phone}, et choisissez un nouveau code d’accès sur ${m.publicUrl}/code-oublie. ${NEVER_ASK}`,
      m.organisationName,
    ],
    `email-changed-notice:${m.changeId}`,
  );
}

export function bankCodeMail(m: Common & { to: string; code: string; maskedIban: string; changeId: string }): SendEmailPayload {
  return compose(
    m.to,
    'Votre code de confirmation de coordonnées bancaires',
    [
      'Bonjour,',
      `Vous avez demandé à recevoir vos remboursements sur le compte ${m.maskedIban}.`,
      `Vérifiez que c’est bien le compte affiché sur la page, puis saisissez ce code pour confirmer : ${m.code}`,
      'Ce code est valable 10 minutes, ne sert qu’une fois et ne confirme que ce compte-là. Ne le communiquez à personne.',
      `Si vous n’êtes pas à l’origine de cette demande, ne saisissez pas ce code : quelqu’un connaît votre code d’accès. Appelez-nous au ${m.phone}. ${NEVER_ASK}`,
      m.organisationName,
    ],
    `bank-change-code:${m.changeId}`,
  );
}

export type BankNotice = {
  changeId: string;
  maskedNew: string;
  maskedOld: string | null;
  at: Date;
  /** Set for a change confirmed by the member: when the new account is used. Null when it went to an advisor. */
  effectiveAt: Date | null;
  cancelCode: string;
};

function bankNoticeParagraphs(m: Common & BankNotice, forLetter: boolean): string[] {
  const code = groupCancelCode(m.cancelCode);
  const cancelPage = `${m.publicUrl}/annulation-banque`;
  const what = m.maskedOld ? `le compte ${m.maskedOld} par le compte ${m.maskedNew}` : `le compte ${m.maskedNew}`;
  return [
    m.effectiveAt
      ? `Le ${formatParisDateTime(m.at)}, une modification de vos coordonnées bancaires a été confirmée dans votre espace adhérent : vos remboursements seront versés sur ${m.maskedOld ? `le compte ${m.maskedNew} au lieu du compte ${m.maskedOld}` : `le compte ${m.maskedNew}`} à partir du ${formatParisDateTime(m.effectiveAt)}.${m.maskedOld ? ' D’ici là, nous continuons de verser sur l’ancien compte.' : ''}`
      : `Le ${formatParisDateTime(m.at)}, une demande de modification de vos coordonnées bancaires (remplacer ${what}) a été faite dans votre espace adhérent. Par sécurité, un conseiller l’examinera avant qu’elle ne prenne effet.`,
    'Si c’est bien vous, vous n’avez rien à faire.',
    forLetter
      ? `Si ce n’est pas vous, annulez-la ${m.effectiveAt ? 'avant cette date' : 'dès que possible'} : rendez-vous sur ${cancelPage} et saisissez le code d’annulation ${code}, ou appelez-nous au ${m.phone}. ${NEVER_ASK}`
      : `Si ce n’est pas vous, annulez-la ${m.effectiveAt ? 'avant cette date' : 'dès que possible'} en ouvrant ce lien : ${cancelPage}?code=${m.cancelCode} (ou saisissez le code ${code} sur ${cancelPage}), puis appelez-nous au ${m.phone}. ${NEVER_ASK}`,
  ];
}

/** `slot`: the address's place among those told (FRD-02: the current one, and the previous one after a recent change). */
export function bankNoticeMail(m: Common & BankNotice & { to: string; slot: number }): SendEmailPayload {
  return compose(
    m.to,
    'Modification de vos coordonnées bancaires',
    ['Bonjour,', ...bankNoticeParagraphs(m, false), m.organisationName],
    `bank-change-notice:${m.changeId}:${m.slot}`,
  );
}

export function bankNoticeLetter(m: Common & BankNotice): SecurityNoticeContent {
  return { subject: 'Modification de vos coordonnées bancaires', paragraphs: bankNoticeParagraphs(m, true) };
}

export function bankCodeLetter(m: Common & { code: string; maskedIban: string; validUntil: Date }): SecurityNoticeContent {
  return {
    subject: 'Votre code de confirmation de coordonnées bancaires',
    paragraphs: [
      `Vous avez demandé dans votre espace adhérent à recevoir vos remboursements sur le compte ${m.maskedIban}.`,
      `Pour confirmer ce compte, et ce compte seulement, connectez-vous sur ${m.publicUrl}, ouvrez « Coordonnées bancaires » et saisissez le code de confirmation ${m.code.replace(/(.{4})(?=.)/g, '$1 ')}.`,
      `Ce code est valable jusqu’au ${formatParisDateTime(m.validUntil)} ; après trois codes erronés, la demande est annulée.`,
      `Si vous n’êtes pas à l’origine de cette demande, ne saisissez pas ce code : quelqu’un connaît votre code d’accès. ${NEVER_ASK}`,
    ],
  };
}
