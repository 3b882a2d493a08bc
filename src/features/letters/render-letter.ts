import { createTaggedPdf, FONT, mm } from '../../platform/pdf.ts';
import { groupCode, placeAndDate, type LetterModel } from './letter-model.ts';

/**
 * Draws a letter on A4 for a DL envelope (110 × 220 mm, window on the right, 45 × 100 mm): sender top left,
 * recipient block in the window zone (110 mm from the left, 50 mm from the top), then place and date, subject, body.
 * Every value is drawn with text(): a name such as `<script>${7*7}</script>` prints as it is (FILE-06).
 */

const TITLES: Record<LetterModel['kind'], string> = {
  ACTIVATION_CODE: 'Votre code d’activation',
  CODE_RESET: 'Votre nouveau code d’activation',
  SECURITY_NOTICE: 'Information de sécurité',
};

export function letterTitle(model: LetterModel): string {
  return model.kind === 'SECURITY_NOTICE' ? model.content.subject : TITLES[model.kind];
}

export async function renderLetter(model: LetterModel, options: { creationDate?: Date } = {}): Promise<Buffer> {
  const title = letterTitle(model);
  const pdf = createTaggedPdf({
    title: `${title} — ${model.sender.name}`,
    author: model.sender.name,
    subject: title,
    ...(options.creationDate ? { creationDate: options.creationDate } : {}),
  });
  const { doc } = pdf;
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const salutation = model.addressee.sex === 'F' ? 'Madame' : 'Monsieur';

  // Sender, top left.
  pdf.block('P', () => {
    doc.font(FONT.bold).fontSize(11).text(model.sender.name, left, mm(15), { width: mm(85) });
    doc.font(FONT.regular).fontSize(9.5);
    for (const l of model.sender.lines) doc.text(l, { width: mm(85) });
    doc.text(`Tél. ${model.sender.phone}`, { width: mm(85) });
  });

  // Recipient, in the envelope window.
  pdf.block('P', () => {
    doc.font(FONT.regular).fontSize(10.5);
    doc.text(model.recipient[0]!, mm(110), mm(50), { width: mm(85), lineBreak: false, ellipsis: true });
    for (const l of model.recipient.slice(1)) doc.text(l, { width: mm(85), lineBreak: false, ellipsis: true });
  });

  pdf.block('P', () => {
    doc.font(FONT.regular).fontSize(10.5).text(placeAndDate(model.place, model.date), mm(110), mm(100), { width: mm(85) });
  });

  doc.x = left;
  doc.y = mm(115);
  pdf.block('H1', () => {
    doc.font(FONT.bold).fontSize(13).text(`Objet : ${title}`, left, doc.y, { width });
  });
  doc.moveDown(0.8);

  const paragraph = (text: string, gap = 0.6) => {
    pdf.block('P', () => {
      doc.font(FONT.regular).fontSize(10.5).text(text, left, doc.y, { width, align: 'left', lineGap: 2 });
    });
    doc.moveDown(gap);
  };
  const heading = (text: string) => {
    doc.moveDown(0.4);
    pdf.block('H2', () => {
      doc.font(FONT.bold).fontSize(11).text(text, left, doc.y, { width });
    });
    doc.moveDown(0.3);
  };

  paragraph(`${model.addressee.sex === 'F' ? 'Adhérente' : 'Adhérent'} : ${model.addressee.firstName} ${model.addressee.lastName}`, 1);
  paragraph(`${salutation},`);

  if (model.kind === 'SECURITY_NOTICE') {
    for (const p of model.content.paragraphs) paragraph(p);
    heading('Si vous n’êtes pas à l’origine de cette opération');
    paragraph(`Appelez-nous au ${model.sender.phone} : un conseiller protégera votre compte avec vous.`);
  } else {
    const { code, activationUrl, validityDays } = model.content;
    paragraph(
      model.kind === 'ACTIVATION_CODE'
        ? 'Votre espace adhérent vous attend. Pour y accéder la première fois, utilisez le code d’activation ci-dessous.'
        : 'Vous avez demandé à obtenir un nouveau code d’accès à votre espace adhérent. Voici votre code d’activation.',
    );
    doc.moveDown(0.4);
    pdf.block('P', () => {
      doc.font(FONT.bold).fontSize(26).text(groupCode(code), left, doc.y, { width, align: 'center', characterSpacing: 4 });
    });
    doc.moveDown(0.8);
    paragraph(
      `Ce code est valable ${validityDays} jours à compter de la date de ce courrier et ne sert qu’une fois. ` +
        'Après 5 saisies erronées, il est désactivé : demandez-en alors un nouveau.',
    );
    heading('Comment l’utiliser');
    paragraph(
      `1. Rendez-vous sur ${activationUrl}\n` +
        '2. Saisissez votre numéro de Sécurité sociale puis ce code d’activation.\n' +
        '3. Choisissez votre code d’accès personnel à 6 chiffres.',
    );
    heading('Votre sécurité');
    paragraph(
      `Si vous n’êtes pas à l’origine de cette demande, ne communiquez ce code à personne et appelez-nous au ${model.sender.phone}. ` +
        'Nos conseillers ne vous demanderont jamais ce code, ni par téléphone ni par email.',
    );
  }

  doc.moveDown(0.4);
  paragraph(`Nous vous prions d’agréer, ${salutation}, l’expression de nos salutations distinguées.`);
  paragraph(`Le service adhérents de ${model.sender.name}`);

  return pdf.finish();
}
