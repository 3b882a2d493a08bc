/**
 * The recovery emails (issue 4). Never a NIR, an IBAN, a code or health data (FRD-07); the only secret a message may
 * carry is the single-use link of a reset. Links start with config.publicUrl (RST-02).
 */
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';

export type Email = { subject: string; text: string; html: string };

const NEVER_ASK = 'Nous ne vous demanderons jamais votre code d’accès, ni par email, ni par téléphone.';

function html(title: string, children: ComponentChildren): string {
  return (
    '<!doctype html>' +
    renderToString(
      <html lang="fr">
        <head>
          <meta charSet="utf-8" />
          <title>{title}</title>
        </head>
        <body>{children}</body>
      </html>,
    )
  );
}

export function resetLinkEmail(input: { firstName: string; lastName: string; link: string; validityMinutes: number }): Email {
  const subject = 'Choisissez un nouveau code d’accès';
  const lines = [
    `Bonjour ${input.firstName} ${input.lastName},`,
    '',
    'Vous avez demandé à choisir un nouveau code d’accès à votre espace adhérent. Ouvrez ce lien pour le choisir :',
    '',
    input.link,
    '',
    `Ce lien est valable ${input.validityMinutes} minutes et ne sert qu’une fois.`,
    'Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : votre code actuel reste valable.',
    NEVER_ASK,
  ];
  return {
    subject,
    text: lines.join('\n'),
    html: html(subject, (
      <>
        <p>
          Bonjour {input.firstName} {input.lastName},
        </p>
        <p>Vous avez demandé à choisir un nouveau code d’accès à votre espace adhérent.</p>
        <p>
          <a href={input.link}>Choisir mon nouveau code d’accès</a>
        </p>
        <p>Ce lien est valable {input.validityMinutes} minutes et ne sert qu’une fois.</p>
        <p>Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : votre code actuel reste valable.</p>
        <p>{NEVER_ASK}</p>
      </>
    )),
  };
}

export function codeChangedEmail(input: { firstName: string; lastName: string; when: string; forgotUrl: string }): Email {
  const subject = 'Votre code d’accès a été modifié';
  const lines = [
    `Bonjour ${input.firstName} ${input.lastName},`,
    '',
    `Le code d’accès à votre espace adhérent a été modifié le ${input.when}. Vos autres connexions ont été fermées.`,
    '',
    'Si vous êtes à l’origine de ce changement, vous n’avez rien à faire.',
    `Sinon, choisissez sans attendre un nouveau code : ${input.forgotUrl}, et appelez-nous.`,
    NEVER_ASK,
  ];
  return {
    subject,
    text: lines.join('\n'),
    html: html(subject, (
      <>
        <p>
          Bonjour {input.firstName} {input.lastName},
        </p>
        <p>Le code d’accès à votre espace adhérent a été modifié le {input.when}. Vos autres connexions ont été fermées.</p>
        <p>Si vous êtes à l’origine de ce changement, vous n’avez rien à faire.</p>
        <p>
          Sinon, <a href={input.forgotUrl}>choisissez sans attendre un nouveau code</a>, et appelez-nous.
        </p>
        <p>{NEVER_ASK}</p>
      </>
    )),
  };
}
