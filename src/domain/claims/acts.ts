/**
 * The act codes a DCPT1 lot may carry (docs/formats/dcpt1.md): family of codes (`famille`), prestation code
 * (`code_prest`), what the coverage engine calls it, and what the member reads.
 */
import type { Basket, Family } from '../coverage/index.ts';

export interface ActCode {
  /** DCPT1 `famille`: the code system (NGAP, CCAM, …). */
  system: string;
  /** DCPT1 `code_prest`. */
  code: string;
  family: Family;
  /** Plain French, never the code: « Consultation médecin généraliste ». */
  label: string;
  /** Doctors' fees: the dépassement must equal max(0, FR − BR). */
  fees: boolean;
  /** `code_affine` format when present (CCAM, CIP, LPP); null: free text up to 20 characters. */
  detailPattern: RegExp | null;
}

const CCAM = /^[A-Z]{4}[0-9]{3}$/;
const CIP = /^([0-9]{7}|[0-9]{13})$/;
const LPP = /^[0-9]{7}$/;
const NABM = /^[0-9]{4}$/;

const act = (system: string, code: string, family: Family, label: string, detailPattern: RegExp | null = null, fees = false): ActCode => ({
  system, code, family, label, fees, detailPattern,
});

export const ACT_CODES: readonly ActCode[] = [
  act('NGAP', 'G', 'CONSULTATION', 'Consultation médecin généraliste', null, true),
  act('NGAP', 'VG', 'CONSULTATION', 'Visite à domicile du médecin généraliste', null, true),
  act('NGAP', 'TCG', 'CONSULTATION', 'Téléconsultation médecin généraliste', null, true),
  act('NGAP', 'CS', 'CONSULTATION', 'Consultation médecin spécialiste', null, true),
  act('NGAP', 'APC', 'CONSULTATION', 'Avis ponctuel de consultant (spécialiste)', null, true),
  act('NGAP', 'TC', 'CONSULTATION', 'Téléconsultation médecin spécialiste', null, true),
  act('NGAP', 'AMI', 'PARAMEDICAL', 'Soins infirmiers'),
  act('NGAP', 'AMK', 'PARAMEDICAL', 'Séance de kinésithérapie'),
  act('NGAP', 'AMO', 'PARAMEDICAL', "Séance d'orthophonie"),
  act('NGAP', 'AMY', 'PARAMEDICAL', "Séance d'orthoptie"),
  act('NGAP', 'AMP', 'PARAMEDICAL', 'Soins de pédicurie-podologie'),
  act('CCAM', 'ATM', 'TECHNICAL', 'Acte technique médical', CCAM, true),
  act('CCAM', 'ADI', 'TECHNICAL', 'Examen d’imagerie médicale', CCAM, true),
  act('CCAM', 'ADE', 'TECHNICAL', 'Échographie', CCAM, true),
  act('CCAM', 'ADC', 'TECHNICAL', 'Acte de chirurgie', CCAM, true),
  act('CCAM', 'ADA', 'TECHNICAL', 'Anesthésie', CCAM, true),
  act('DEN', 'SDE', 'DENTAL_CARE', 'Soins dentaires', CCAM),
  act('DEN', 'PDT', 'DENTAL_PROSTHESIS', 'Prothèse dentaire', CCAM),
  act('NABM', 'B', 'LAB', 'Analyses de biologie médicale', NABM),
  act('PHA', 'PH1', 'PHARMACY', 'Médicaments remboursés à 100 %', CIP),
  act('PHA', 'PH7', 'PHARMACY', 'Médicaments remboursés à 65 %', CIP),
  act('PHA', 'PH4', 'PHARMACY', 'Médicaments remboursés à 30 %', CIP),
  act('PHA', 'PH2', 'PHARMACY', 'Médicaments remboursés à 15 %', CIP),
  act('LPP', 'OPM', 'OPTICS_FRAME', 'Monture de lunettes', LPP),
  act('LPP', 'OPS', 'OPTICS_LENS_SIMPLE', 'Verres simples', LPP),
  act('LPP', 'OPC', 'OPTICS_LENS_COMPLEX', 'Verres complexes', LPP),
  act('LPP', 'OPT', 'OPTICS_LENS_VERY_COMPLEX', 'Verres très complexes', LPP),
  act('LPP', 'APA', 'HEARING_AID', 'Aide auditive', LPP),
  act('HOS', 'GHS', 'HOSPITAL_STAY', "Frais de séjour à l'hôpital"),
  act('HOS', 'HON', 'HOSPITAL_FEES', "Honoraires médicaux à l'hôpital", CCAM, true),
  act('HOS', 'FJ', 'DAILY_FLAT_FEE', 'Forfait journalier hospitalier'),
  act('TRA', 'TAX', 'TRANSPORT', 'Transport en taxi conventionné'),
  act('TRA', 'AMB', 'TRANSPORT', 'Transport en ambulance'),
  act('TRA', 'VSL', 'TRANSPORT', 'Transport en véhicule sanitaire léger'),
];

const BY_KEY = new Map(ACT_CODES.map((a) => [`${a.system}|${a.code}`, a]));
export const ACT_SYSTEMS: ReadonlySet<string> = new Set(ACT_CODES.map((a) => a.system));

export function findActCode(system: string, code: string): ActCode | undefined {
  return BY_KEY.get(`${system}|${code}`);
}

/** DCPT1 `panier` values and the engine's basket, per family: optique A/B, audio I/II, prothèse RAC0/MAITRISE/LIBRE. */
const BASKETS: Partial<Record<Family, Readonly<Record<string, Basket>>>> = {
  OPTICS_FRAME: { A: '100S', B: 'FREE' },
  OPTICS_LENS_SIMPLE: { A: '100S', B: 'FREE' },
  OPTICS_LENS_COMPLEX: { A: '100S', B: 'FREE' },
  OPTICS_LENS_VERY_COMPLEX: { A: '100S', B: 'FREE' },
  HEARING_AID: { I: '100S', II: 'FREE' },
  DENTAL_PROSTHESIS: { RAC0: '100S', MAITRISE: 'MODERATE', LIBRE: 'FREE' },
};

/** The DCPT1 `panier` values a family requires (empty: the family takes none). */
export function basketCodesFor(family: Family): readonly string[] {
  return Object.keys(BASKETS[family] ?? {});
}

export function basketFromCode(family: Family, code: string): Basket | null {
  return BASKETS[family]?.[code] ?? null;
}
