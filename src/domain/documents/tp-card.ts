/**
 * Content of the carte de tiers payant (domain.md §5): the pavé normalisé, the AMC DataMatrix payload, the domains
 * and their mention. What goes on the card, not how it is drawn.
 */

/** A care domain of the harmonised attestation: its printed code and its DataMatrix letter (domain.md §5.1). */
export type CardDomain = { code: string; letter: string; label: string; onPriorApproval: boolean };

/** Domains the mutuelle's tiers payant covers; optique, audio, dentaire and hospitalisation only after a prise en charge. */
export const CARD_DOMAINS: readonly CardDomain[] = [
  { code: 'PHAR', letter: 'P', label: 'Pharmacie', onPriorApproval: false },
  { code: 'MEDG', letter: 'G', label: 'Médecine générale', onPriorApproval: false },
  { code: 'MEDS', letter: 'S', label: 'Médecine spécialisée', onPriorApproval: false },
  { code: 'LABO', letter: 'L', label: 'Laboratoire', onPriorApproval: false },
  { code: 'RADL', letter: 'R', label: 'Radiologie', onPriorApproval: false },
  { code: 'SAGE', letter: 'F', label: 'Sage-femme', onPriorApproval: false },
  { code: 'AMI', letter: 'I', label: 'Infirmier', onPriorApproval: false },
  { code: 'AMM', letter: 'K', label: 'Kinésithérapie', onPriorApproval: false },
  { code: 'AMY', letter: 'Y', label: 'Orthoptie', onPriorApproval: false },
  { code: 'AMO', letter: '2', label: 'Orthophonie', onPriorApproval: false },
  { code: 'AMP', letter: '3', label: 'Pédicure-podologue', onPriorApproval: false },
  { code: 'CSTE', letter: 'C', label: 'Centre de santé', onPriorApproval: false },
  { code: 'LPPS', letter: '1', label: 'Fournisseurs (hors optique et audio)', onPriorApproval: false },
  { code: 'TRAN', letter: 'T', label: 'Transport', onPriorApproval: false },
  { code: 'EXTE', letter: 'E', label: 'Soins externes hospitaliers', onPriorApproval: false },
  { code: 'OPTI', letter: 'O', label: 'Optique', onPriorApproval: true },
  { code: 'AUDI', letter: 'A', label: 'Audioprothèse', onPriorApproval: true },
  { code: 'DENT', letter: 'D', label: 'Dentaire', onPriorApproval: true },
  { code: 'HOSP', letter: 'H', label: 'Séjour hospitalier', onPriorApproval: true },
];

/** « 100 % » of the base de remboursement in tiers payant, or « sur PEC » (after a prise en charge). */
export const domainMention = (d: CardDomain): string => (d.onPriorApproval ? 'sur PEC' : '100 %');

export type AmcPayload = {
  amcNumber: string;
  /** Critère secondaire de routage, ≤ 3 alphanumeric characters, may be empty. */
  routingCriterion: string;
  memberNumber: string;
  /** Each convention type with the letters of its domains ('*' for all domains). */
  conventions: { type: string; letters: string }[];
};

const AMC = /^[0-9]{1,10}$/;
const CSR = /^[A-Z0-9]{0,3}$/;
const MEMBER = /^[A-Z0-9]{1,15}$/;
const CONVENTION = /^([A-Z0-9]{2})([A-Z0-9]+|\*)$/;

/** `AMC#1#<n°AMC>#<CSR>#<n°adhérent>#<TC><letters>…/` (domain.md §5.1, version 1). Throws on a value outside the format. */
export function amcDataMatrixPayload(p: AmcPayload): string {
  if (!AMC.test(p.amcNumber) || !CSR.test(p.routingCriterion) || !MEMBER.test(p.memberNumber) || p.conventions.length === 0) {
    throw new Error('AMC DataMatrix: value outside the format');
  }
  const conventions = p.conventions.map((c) => {
    const field = `${c.type}${c.letters}`;
    if (!CONVENTION.test(field)) throw new Error('AMC DataMatrix: bad convention');
    return field;
  });
  return `AMC#1#${p.amcNumber}#${p.routingCriterion}#${p.memberNumber}#${conventions.join('#')}/`;
}

/** The reverse of amcDataMatrixPayload: null when the text is not a version-1 AMC payload. */
export function parseAmcDataMatrix(text: string): AmcPayload | null {
  if (!text.startsWith('AMC#1#') || !text.endsWith('/')) return null;
  const fields = text.slice(6, -1).split('#');
  if (fields.length < 4) return null;
  const [amcNumber, routingCriterion, memberNumber, ...rest] = fields as [string, string, string, ...string[]];
  if (!AMC.test(amcNumber) || !CSR.test(routingCriterion) || !MEMBER.test(memberNumber)) return null;
  const conventions: AmcPayload['conventions'] = [];
  for (const field of rest) {
    const match = CONVENTION.exec(field);
    if (!match) return null;
    conventions.push({ type: match[1]!, letters: match[2]! });
  }
  return { amcNumber, routingCriterion, memberNumber, conventions };
}

/** How NIRs appear on documents (config DOCUMENT_NIR): in full, masked (sex, year and key visible), or not at all. */
export type NirPolicy = 'full' | 'masked' | 'none';
