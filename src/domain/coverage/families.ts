/** Vocabulary of the coverage engine: act families, 100 % Santé baskets, aids and care pathway. */

export const families = [
  'CONSULTATION',
  'TECHNICAL',
  'LAB',
  'PARAMEDICAL',
  'TRANSPORT',
  'PHARMACY',
  'HOSPITAL_STAY',
  'HOSPITAL_FEES',
  'DAILY_FLAT_FEE',
  'PRIVATE_ROOM',
  'OPTICS_FRAME',
  'OPTICS_LENS_SIMPLE',
  'OPTICS_LENS_COMPLEX',
  'OPTICS_LENS_VERY_COMPLEX',
  'DENTAL_CARE',
  'DENTAL_PROSTHESIS',
  'HEARING_AID',
] as const;
export type Family = (typeof families)[number];

/** 100 % Santé basket: `100S` (optique classe A, audio classe I, dental RAC 0), `MODERATE` (dental maîtrisé), `FREE` (tarif libre, classe B / II). */
export const baskets = ['100S', 'MODERATE', 'FREE'] as const;
export type Basket = (typeof baskets)[number];

/** Aid of the beneficiary: CSS (free or with participation) or the former ACS contracts A, B, C. */
export const aids = ['NONE', 'CSS', 'CSS_PARTICIPATION', 'ACS_A', 'ACS_B', 'ACS_C'] as const;
export type Aid = (typeof aids)[number];

/** Parcours de soins: respected, not respected (hors parcours), not applicable. */
export const pathways = ['IN', 'OUT', 'NA'] as const;
export type Pathway = (typeof pathways)[number];

export const opticsFamilies: readonly Family[] = ['OPTICS_FRAME', 'OPTICS_LENS_SIMPLE', 'OPTICS_LENS_COMPLEX', 'OPTICS_LENS_VERY_COMPLEX'];
export const lensFamilies: readonly Family[] = ['OPTICS_LENS_SIMPLE', 'OPTICS_LENS_COMPLEX', 'OPTICS_LENS_VERY_COMPLEX'];

/** Families that have baskets; MODERATE exists for dental prostheses only. */
export const basketFamilies: readonly Family[] = [...opticsFamilies, 'DENTAL_PROSTHESIS', 'HEARING_AID'];

export function allowedBaskets(family: Family): readonly Basket[] {
  if (family === 'DENTAL_PROSTHESIS') return baskets;
  return basketFamilies.includes(family) ? ['100S', 'FREE'] : [];
}

/** Families billed by doctors, where a dépassement and the OPTAM status matter. */
export const feeFamilies: readonly Family[] = ['CONSULTATION', 'TECHNICAL', 'HOSPITAL_FEES'];

const familyLabels: Readonly<Record<Family, string>> = {
  CONSULTATION: 'Consultation',
  TECHNICAL: 'Acte technique médical',
  LAB: 'Analyses de biologie',
  PARAMEDICAL: 'Soins paramédicaux',
  TRANSPORT: 'Transport sanitaire',
  PHARMACY: 'Pharmacie',
  HOSPITAL_STAY: "Frais de séjour à l'hôpital",
  HOSPITAL_FEES: "Honoraires à l'hôpital",
  DAILY_FLAT_FEE: 'Forfait journalier hospitalier',
  PRIVATE_ROOM: 'Chambre particulière',
  OPTICS_FRAME: 'Monture de lunettes',
  OPTICS_LENS_SIMPLE: 'Verre simple',
  OPTICS_LENS_COMPLEX: 'Verre complexe',
  OPTICS_LENS_VERY_COMPLEX: 'Verre très complexe',
  DENTAL_CARE: 'Soins dentaires',
  DENTAL_PROSTHESIS: 'Prothèse dentaire',
  HEARING_AID: 'Aide auditive',
};

/** Plain-French label of a family, for members and advisors (never a medical code). */
export function familyLabel(family: Family): string {
  return familyLabels[family];
}

const basketLabels: Readonly<Record<Basket, string>> = {
  '100S': '100 % Santé',
  MODERATE: 'Panier à tarifs maîtrisés',
  FREE: 'Tarifs libres',
};

export function basketLabel(basket: Basket): string {
  return basketLabels[basket];
}

const aidLabels: Readonly<Record<Aid, string>> = {
  NONE: 'Aucune aide',
  CSS: 'Complémentaire santé solidaire sans participation',
  CSS_PARTICIPATION: 'Complémentaire santé solidaire avec participation',
  ACS_A: 'Aide au paiement d’une complémentaire santé (contrat A)',
  ACS_B: 'Aide au paiement d’une complémentaire santé (contrat B)',
  ACS_C: 'Aide au paiement d’une complémentaire santé (contrat C)',
};

export function aidLabel(aid: Aid): string {
  return aidLabels[aid];
}
