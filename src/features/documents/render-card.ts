/**
 * The carte de tiers payant as a tagged PDF (domain.md §5): page 1, A4, the front and back of a card-sized
 * attestation (85,6 × 54 mm) to print and cut out; page 2, the same content on a page sized for a phone screen.
 * Front: the pavé normalisé top left, validity first, with « R » beside it for a contrat responsable, the AMC
 * DataMatrix, the beneficiaries. Back: the domains and their mention, the contact for professionals, the
 * verification QR. Barcodes are Figures with alt text; every word is real text.
 */
import { formatFrenchDate, parisDate } from '../../domain/dates.ts';
import { createTaggedPdf, FONT, mm, type StructureGroup, type TaggedPdf } from '../../platform/pdf.ts';
import { dataMatrixModules, drawModules, type Modules } from './barcodes.ts';
import type { CardFacts, PersonFacts } from './document-facts.ts';
import { paveFields, professionalContact } from './document-views.ts';
import { verificationAlt, type RenderOptions } from './render-document.ts';

const CARD = { width: mm(85.6), height: mm(54) };
const PHONE = { width: mm(90), height: mm(180) };
const A4_MARGIN = mm(12);
const INK = '#1a1a1a';
const FRAME = '#7a7a7a';

const dataMatrixAlt = (payload: string) => `DataMatrix de la mutuelle pour les logiciels des professionnels de santé, contenu : ${payload}`;
const personLine = (p: PersonFacts) => `${p.lastName.toUpperCase()} ${p.firstName} — naissance ${formatFrenchDate(p.birthDate)} — rang ${p.birthRank}${p.nir ? ` — ${p.nir}` : ''}`;

export async function renderCardPdf(facts: CardFacts, options: RenderOptions): Promise<Buffer> {
  const o = facts.organisation;
  const pdf = createTaggedPdf({
    title: `Carte de tiers payant — ${o.name}`, subject: `Carte de tiers payant n° ${facts.memberNumber}`, author: o.name, creationDate: options.issuedAt,
    margins: { top: A4_MARGIN, bottom: A4_MARGIN, left: A4_MARGIN, right: A4_MARGIN },
  });
  const { doc } = pdf;
  const width = doc.page.width - 2 * A4_MARGIN;
  pdf.block('H1', () => {
    doc.font(FONT.bold).fontSize(15).fillColor(INK).text('Carte de tiers payant', A4_MARGIN, A4_MARGIN, { width });
  });
  pdf.block('P', () => {
    doc.font(FONT.regular).fontSize(9)
      .text(`${o.name} — établie le ${formatFrenchDate(parisDate(options.issuedAt))}, version ${options.version}. Découpez le recto et le verso, pliez le long du bord commun et présentez la carte avec votre carte Vitale.`, A4_MARGIN, doc.y + 2, { width });
  });
  const top = doc.y + mm(6);
  const gap = (width - 2 * CARD.width) / 1;
  const matrix = dataMatrixModules(facts.dataMatrix);
  const front = pdf.open('Sect');
  drawFront(pdf, front, facts, matrix, A4_MARGIN, top);
  front.end();
  const back = pdf.open('Sect');
  drawBack(pdf, back, facts, A4_MARGIN + CARD.width + gap, top, options);
  back.end();

  doc.addPage({ size: [PHONE.width, PHONE.height], margins: { top: mm(6), bottom: mm(6), left: mm(6), right: mm(6) } });
  const phone = pdf.open('Sect');
  drawPhone(pdf, phone, facts, matrix, options);
  phone.end();
  return pdf.finish();
}

function frame(pdf: TaggedPdf, x: number, y: number, w: number, h: number): void {
  pdf.artifact(() => {
    pdf.doc.save().lineWidth(0.6).dash(3, { space: 2 }).strokeColor(FRAME).roundedRect(x, y, w, h, mm(3)).stroke().undash().restore();
  });
}

/** The pavé normalisé: a framed block of the five labelled fields, validity first; « R » beside it when responsable. */
function drawPave(pdf: TaggedPdf, group: StructureGroup, facts: CardFacts, x: number, y: number, w: number, size: number): number {
  const { doc } = pdf;
  const line = size * 1.3;
  const fields = paveFields(facts);
  const pad = mm(1.2);
  fields.forEach(([label, value], i) =>
    group.block('P', () => {
      doc.font(FONT.bold).fontSize(size).fillColor(INK).text(`${label} : `, x + pad, y + pad + i * line, { width: w - 2 * pad, continued: true, lineBreak: false }).font(FONT.regular).text(value || ' ', { lineBreak: false });
    }),
  );
  const height = fields.length * line + 2 * pad;
  pdf.artifact(() => {
    doc.save().lineWidth(0.7).strokeColor(INK).rect(x, y, w, height).stroke().restore();
  });
  if (facts.responsable) {
    const r = size * 2.4;
    group.block('P', () => {
      doc.font(FONT.bold).fontSize(r).text('R', x + w + mm(1.5), y + (height - r) / 2, { lineBreak: false });
    });
  }
  return height;
}

function drawFront(pdf: TaggedPdf, group: StructureGroup, facts: CardFacts, code: Modules, x: number, y: number): void {
  const { doc } = pdf;
  frame(pdf, x, y, CARD.width, CARD.height);
  const pad = mm(3);
  group.block('H2', () => {
    doc.font(FONT.bold).fontSize(7).fillColor(INK).text(`Recto — ${facts.organisation.name}`, x + pad, y + pad, { width: CARD.width - 2 * pad, lineBreak: false });
  });
  const paveTop = y + pad + mm(4);
  const paveHeight = drawPave(pdf, group, facts, x + pad, paveTop, mm(52), 5.2);
  const matrix = mm(17);
  group.block('Figure', () => drawModules(doc, code, x + CARD.width - pad - matrix, paveTop, matrix), { alt: dataMatrixAlt(facts.dataMatrix) });
  let lineY = Math.max(paveTop + paveHeight, paveTop + matrix) + mm(2);
  group.block('P', () => {
    doc.font(FONT.bold).fontSize(5.2).text(`Bénéficiaires — contrat ${facts.productName}`, x + pad, lineY, { width: CARD.width - 2 * pad, lineBreak: false });
  });
  for (const person of facts.beneficiaries) {
    lineY += 5.2 * 1.35;
    group.block('P', () => {
      doc.font(FONT.regular).fontSize(5).text(personLine(person), x + pad, lineY, { width: CARD.width - 2 * pad, lineBreak: false });
    });
  }
}

function drawBack(pdf: TaggedPdf, group: StructureGroup, facts: CardFacts, x: number, y: number, options: RenderOptions): void {
  const { doc } = pdf;
  frame(pdf, x, y, CARD.width, CARD.height);
  const pad = mm(3);
  group.block('H2', () => {
    doc.font(FONT.bold).fontSize(7).fillColor(INK).text('Verso — prise en charge par domaine', x + pad, y + pad, { width: CARD.width - 2 * pad, lineBreak: false });
  });
  const qr = mm(20);
  const columns = 3;
  const columnWidth = (CARD.width - 2 * pad - qr - mm(2)) / columns;
  const perColumn = Math.ceil(facts.domains.length / columns);
  const top = y + pad + mm(4.5);
  facts.domains.forEach((d, i) =>
    group.block('P', () => {
      doc.font(FONT.regular).fontSize(5.2).text(`${d.code} ${d.mention}`, x + pad + Math.floor(i / perColumn) * columnWidth, top + (i % perColumn) * 5.2 * 1.35, { width: columnWidth, lineBreak: false });
    }),
  );
  if (options.verification) {
    const { qr: modules, url } = options.verification;
    group.block('Figure', () => drawModules(doc, modules, x + CARD.width - pad - qr, top, qr), { alt: verificationAlt(url) });
  }
  const bottom = y + CARD.height - pad - 3 * 5 * 1.3;
  group.block('P', () => {
    doc.font(FONT.regular).fontSize(5).text(professionalContact(facts.organisation), x + pad, bottom, { width: CARD.width - 2 * pad - (options.verification ? qr + mm(2) : 0) });
  });
  if (options.verification) {
    group.block('P', () => {
      doc.font(FONT.regular).fontSize(4.5).text(`Vérification : ${options.verification!.url}`, x + pad, doc.y + 1, { width: CARD.width - 2 * pad - qr - mm(2), lineBreak: false });
    });
  }
}

function drawPhone(pdf: TaggedPdf, group: StructureGroup, facts: CardFacts, code: Modules, options: RenderOptions): void {
  const { doc } = pdf;
  const pad = mm(6);
  const width = PHONE.width - 2 * pad;
  group.block('H2', () => {
    doc.font(FONT.bold).fontSize(11).fillColor(INK).text('Carte de tiers payant — version pour téléphone', pad, pad, { width });
  });
  group.block('P', () => {
    doc.font(FONT.regular).fontSize(8).text(facts.organisation.name, pad, doc.y + 2, { width });
  });
  const paveTop = doc.y + mm(3);
  const paveHeight = drawPave(pdf, group, facts, pad, paveTop, width - mm(10), 7.5);
  const matrix = mm(30);
  const codesTop = paveTop + paveHeight + mm(4);
  group.block('Figure', () => drawModules(doc, code, pad, codesTop, matrix), { alt: dataMatrixAlt(facts.dataMatrix) });
  if (options.verification) {
    const { qr, url } = options.verification;
    group.block('Figure', () => drawModules(doc, qr, PHONE.width - pad - matrix, codesTop, matrix), { alt: verificationAlt(url) });
  }
  doc.y = codesTop + matrix + mm(3);
  group.block('P', () => {
    doc.font(FONT.bold).fontSize(8).text(`Bénéficiaires — contrat ${facts.productName}`, pad, doc.y, { width });
  });
  for (const person of facts.beneficiaries) {
    group.block('P', () => {
      doc.font(FONT.regular).fontSize(7).text(personLine(person), pad, doc.y + 1, { width });
    });
  }
  doc.y += mm(2);
  const columns = 3;
  const columnWidth = width / columns;
  const perColumn = Math.ceil(facts.domains.length / columns);
  const top = doc.y;
  facts.domains.forEach((d, i) =>
    group.block('P', () => {
      doc.font(FONT.regular).fontSize(7).text(`${d.code} ${d.mention}`, pad + Math.floor(i / perColumn) * columnWidth, top + (i % perColumn) * 7 * 1.3, { width: columnWidth, lineBreak: false });
    }),
  );
  doc.y = top + perColumn * 7 * 1.3 + mm(2);
  group.block('P', () => {
    doc.font(FONT.regular).fontSize(7).text(professionalContact(facts.organisation), pad, doc.y, { width });
  });
}
