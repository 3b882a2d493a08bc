/**
 * What a member reads about a claim line: care groups for filters and totals, statuses, how the line reached the
 * mutuelle, the act in plain French.
 */
import { familyLabel, type Family } from '../coverage/index.ts';
import { formatFrenchDate } from '../dates.ts';
import { ACT_CODES } from './acts.ts';

export const CARE_GROUPS = {
  consultations: { label: 'Consultations', families: ['CONSULTATION'] },
  actes: { label: 'Actes techniques et imagerie', families: ['TECHNICAL'] },
  pharmacie: { label: 'Pharmacie', families: ['PHARMACY'] },
  analyses: { label: 'Analyses de biologie', families: ['LAB'] },
  auxiliaires: { label: 'Infirmiers, kinés et autres soins', families: ['PARAMEDICAL'] },
  dentaire: { label: 'Dentaire', families: ['DENTAL_CARE', 'DENTAL_PROSTHESIS'] },
  optique: { label: 'Optique', families: ['OPTICS_FRAME', 'OPTICS_LENS_SIMPLE', 'OPTICS_LENS_COMPLEX', 'OPTICS_LENS_VERY_COMPLEX'] },
  audition: { label: 'Audition', families: ['HEARING_AID'] },
  hospitalisation: { label: 'Hospitalisation', families: ['HOSPITAL_STAY', 'HOSPITAL_FEES', 'DAILY_FLAT_FEE', 'PRIVATE_ROOM'] },
  transport: { label: 'Transport', families: ['TRANSPORT'] },
} as const satisfies Record<string, { label: string; families: readonly Family[] }>;
export type CareGroup = keyof typeof CARE_GROUPS;
export const CARE_GROUP_CODES = Object.keys(CARE_GROUPS) as CareGroup[];

export function careGroupOf(family: Family): CareGroup {
  return CARE_GROUP_CODES.find((code) => (CARE_GROUPS[code].families as readonly Family[]).includes(family))!;
}

export type ClaimStatus = 'RECEIVED' | 'LIQUIDATED' | 'PAID' | 'REJECTED';
/** Status words in URLs (French, readable) and in the code. */
export const STATUS_SLUGS = { recu: 'RECEIVED', 'en-cours': 'LIQUIDATED', paye: 'PAID', rejete: 'REJECTED' } as const satisfies Record<string, ClaimStatus>;
export type StatusSlug = keyof typeof STATUS_SLUGS;

const STATUS_WORDS: Record<ClaimStatus, string> = { RECEIVED: 'Reçu', LIQUIDATED: 'En cours', PAID: 'Payé', REJECTED: 'Rejeté' };

/** « Reçu », « En cours », « Payé le 14/01/2026 », « Rejeté ». */
export function statusLabel(status: ClaimStatus, paidOn: string | null): string {
  return status === 'PAID' && paidOn ? `Payé le ${formatFrenchDate(paidOn)}` : STATUS_WORDS[status];
}

export function statusWord(status: ClaimStatus): string {
  return STATUS_WORDS[status];
}

/** How the line reached the mutuelle. */
export function channelLabel(source: 'NOEMIE' | 'PAPER' | 'THIRD_PARTY', thirdPartyPayment: boolean): string {
  if (thirdPartyPayment || source === 'THIRD_PARTY') return 'Tiers payant';
  return source === 'PAPER' ? 'Feuille de soins papier' : 'Télétransmission';
}

const ACT_LABELS = new Map(ACT_CODES.map((a) => [a.code, a.label]));

/** The act in plain French: « Consultation médecin généraliste », never `G`; the family's label when the code is not one of ours. */
export function actLabel(actCode: string, family: Family): string {
  return ACT_LABELS.get(actCode) ?? familyLabel(family);
}
