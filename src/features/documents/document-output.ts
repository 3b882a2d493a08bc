/**
 * A stored version as the member gets it: its PDF (card layout for the card, the A4 layout for the others) and the
 * pieces of its HTML page. The verification QR comes from the code fixed at issue; the signing deps come from config.
 */
import type { Config } from '../../platform/config.ts';
import { documentSignerFor, verificationUrl } from '../verification/verification-code.ts';
import { dataMatrixModules, modulesSvg, qrModules } from './barcodes.ts';
import type { DocumentFacts } from './document-facts.ts';
import { documentView } from './document-views.ts';
import type { DocumentsDeps, SignDocument, StoredDocument } from './member-documents.ts';
import { renderCardPdf } from './render-card.ts';
import { renderDocumentPdf, verificationAlt, type Verification } from './render-document.ts';

/** « M.M. »: the first letter of the first name and of the last name (no health data, no full name in the code). */
const initials = (firstName: string, lastName: string) => `${firstName.charAt(0)}.${lastName.charAt(0)}.`.toUpperCase();

/** The card and the attestation de droits carry a signed code; the other documents none. */
export function signerOf(config: Pick<Config, 'documentSigning'>): SignDocument {
  const signer = documentSignerFor(config);
  return (facts: DocumentFacts, documentHash: string, issuedAt: Date) => {
    if (facts.kind !== 'CARTE_TP' && facts.kind !== 'ATTESTATION_DROITS') return null;
    return signer.sign({
      documentType: facts.kind, memberNumber: facts.memberNumber, beneficiaries: facts.beneficiaries.map((p) => ({ initials: initials(p.firstName, p.lastName), birthDate: p.birthDate })),
      validFrom: facts.validFrom, validUntil: facts.validUntil, issuedAt: issuedAt.toISOString(), documentHash,
    });
  };
}

export const documentsDeps = (config: Pick<Config, 'documentSigning' | 'documentNir' | 'secrets'>): DocumentsDeps => ({
  dataEncryptionKey: config.secrets.dataEncryptionKey,
  nirPolicy: config.documentNir,
  sign: signerOf(config),
});

/** The /verifier address printed beside the QR (the QR holds it with the code). */
const verifierAddress = (code: string) => {
  const url = new URL(verificationUrl(code));
  return `${url.host}${url.pathname}`;
};

function verificationOf(code: string | null): Verification | null {
  return code ? { qr: qrModules(verificationUrl(code)), url: verifierAddress(code) } : null;
}

export async function documentPdf(document: StoredDocument): Promise<Buffer> {
  const options = { issuedAt: document.issuedAt, version: document.version, verification: verificationOf(document.verificationCode) };
  return document.facts.kind === 'CARTE_TP' ? renderCardPdf(document.facts, options) : renderDocumentPdf(documentView(document.facts), options);
}

/** The codes shown on the HTML page: the AMC DataMatrix of a card, the verification QR of a signed document. */
export function documentCodes(document: StoredDocument): { svg: string; caption: string }[] {
  const codes: { svg: string; caption: string }[] = [];
  if (document.facts.kind === 'CARTE_TP') {
    codes.push({ svg: modulesSvg(dataMatrixModules(document.facts.dataMatrix), `DataMatrix AMC : ${document.facts.dataMatrix}`), caption: 'DataMatrix pour les logiciels des professionnels de santé' });
  }
  if (document.verificationCode) {
    const qr = qrModules(verificationUrl(document.verificationCode));
    codes.push({ svg: modulesSvg(qr, verificationAlt(verifierAddress(document.verificationCode))), caption: 'Code QR de vérification' });
  }
  return codes;
}
