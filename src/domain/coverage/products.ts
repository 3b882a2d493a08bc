/**
 * Reference products (issue 3 table): demo data stored by the seed, and the contract of the
 * engine's tests. All percentages are of the base including the AMO part.
 */
import type { Family } from './families.ts';
import type { CoverageComponent, GuaranteeRule, Product } from './types.ts';

const percent = (rateBp: number): CoverageComponent[] => [{ form: 'BASE_PERCENT_INCL_AMO', rateBp }];
const perItem = (amountCents: number): CoverageComponent[] => [{ form: 'FLAT', amountCents, per: 'ITEM', includesAmo: true }];
const NOT_COVERED: CoverageComponent[] = [];
const PRICE_CAP: CoverageComponent[] = [{ form: 'PRICE_CAP' }];
const COPAYMENT: CoverageComponent[] = [{ form: 'COPAYMENT' }];
const OPTICS: Family[] = ['OPTICS_FRAME', 'OPTICS_LENS_SIMPLE', 'OPTICS_LENS_COMPLEX', 'OPTICS_LENS_VERY_COMPLEX'];

interface Levels {
  feesOptam: CoverageComponent[];
  feesNonOptam: CoverageComponent[];
  pharmacy15: CoverageComponent[];
  hospitalFeesOptam: CoverageComponent[];
  hospitalFeesNonOptam: CoverageComponent[];
  privateRoom: CoverageComponent[];
  opticsClassB: { frame: CoverageComponent[]; simple: CoverageComponent[]; complex: CoverageComponent[]; veryComplex: CoverageComponent[] };
  dentalProsthesis: CoverageComponent[];
  dentalProsthesisAnnualCapCents?: number;
  hearingAidClassII: CoverageComponent[];
}

/** The rows of the table, in selection order (specific rows before general ones). */
function modernRules(levels: Levels): GuaranteeRule[] {
  const hundred = percent(10_000);
  return [
    { id: 'CONSULTATION_OPTAM', label: 'Consultations et actes techniques, secteur 1 ou OPTAM', when: { families: ['CONSULTATION', 'TECHNICAL'], optam: true }, cover: levels.feesOptam },
    { id: 'CONSULTATION_NON_OPTAM', label: 'Consultations et actes techniques, hors OPTAM', when: { families: ['CONSULTATION', 'TECHNICAL'], optam: false }, cover: levels.feesNonOptam },
    { id: 'LAB_PARAMEDICAL_TRANSPORT', label: 'Biologie, auxiliaires médicaux, transport', when: { families: ['LAB', 'PARAMEDICAL', 'TRANSPORT'] }, cover: hundred },
    { id: 'PHARMACY_15', label: 'Médicaments remboursés à 15 %', when: { families: ['PHARMACY'], amoRatesBp: [1500] }, cover: levels.pharmacy15 },
    { id: 'PHARMACY', label: 'Médicaments remboursés à 100 %, 65 % ou 30 %', when: { families: ['PHARMACY'] }, cover: hundred },
    { id: 'HOSPITAL_STAY', label: 'Frais de séjour', when: { families: ['HOSPITAL_STAY'] }, cover: hundred },
    { id: 'HOSPITAL_FEES_OPTAM', label: "Honoraires à l'hôpital, OPTAM", when: { families: ['HOSPITAL_FEES'], optam: true }, cover: levels.hospitalFeesOptam },
    { id: 'HOSPITAL_FEES_NON_OPTAM', label: "Honoraires à l'hôpital, hors OPTAM", when: { families: ['HOSPITAL_FEES'], optam: false }, cover: levels.hospitalFeesNonOptam },
    { id: 'DAILY_FLAT_FEE', label: 'Forfait journalier hospitalier', when: { families: ['DAILY_FLAT_FEE'] }, cover: [{ form: 'ACTUAL_COST' }] },
    { id: 'PRIVATE_ROOM', label: 'Chambre particulière', when: { families: ['PRIVATE_ROOM'] }, cover: levels.privateRoom },
    { id: 'OPTICS_100S', label: 'Optique classe A (100 % Santé)', when: { families: OPTICS, baskets: ['100S'] }, cover: PRICE_CAP },
    { id: 'OPTICS_FRAME', label: 'Optique classe B : monture', when: { families: ['OPTICS_FRAME'] }, cover: levels.opticsClassB.frame },
    { id: 'OPTICS_LENS_SIMPLE', label: 'Optique classe B : verre simple', when: { families: ['OPTICS_LENS_SIMPLE'] }, cover: levels.opticsClassB.simple },
    { id: 'OPTICS_LENS_COMPLEX', label: 'Optique classe B : verre complexe', when: { families: ['OPTICS_LENS_COMPLEX'] }, cover: levels.opticsClassB.complex },
    { id: 'OPTICS_LENS_VERY_COMPLEX', label: 'Optique classe B : verre très complexe', when: { families: ['OPTICS_LENS_VERY_COMPLEX'] }, cover: levels.opticsClassB.veryComplex },
    { id: 'DENTAL_CARE', label: 'Soins dentaires', when: { families: ['DENTAL_CARE'] }, cover: hundred },
    { id: 'DENTAL_PROSTHESIS_100S', label: 'Prothèses dentaires 100 % Santé', when: { families: ['DENTAL_PROSTHESIS'], baskets: ['100S'] }, cover: PRICE_CAP },
    {
      id: 'DENTAL_PROSTHESIS',
      label: 'Prothèses dentaires à tarifs maîtrisés ou libres',
      when: { families: ['DENTAL_PROSTHESIS'] },
      cover: levels.dentalProsthesis,
      ...(levels.dentalProsthesisAnnualCapCents === undefined ? {} : { annualCapCents: levels.dentalProsthesisAnnualCapCents }),
    },
    { id: 'HEARING_AID_100S', label: 'Aides auditives classe I (100 % Santé)', when: { families: ['HEARING_AID'], baskets: ['100S'] }, cover: PRICE_CAP },
    { id: 'HEARING_AID', label: 'Aides auditives classe II, par oreille', when: { families: ['HEARING_AID'] }, cover: levels.hearingAidClassII },
  ];
}

export const essentiel: Product = {
  code: 'ESSENTIEL',
  label: 'Essentiel',
  responsible: true,
  versions: [
    {
      version: '2020',
      validFrom: '2020-01-01',
      validTo: null,
      rules: modernRules({
        feesOptam: percent(10_000),
        feesNonOptam: percent(10_000),
        pharmacy15: NOT_COVERED,
        hospitalFeesOptam: percent(10_000),
        hospitalFeesNonOptam: percent(10_000),
        privateRoom: NOT_COVERED,
        opticsClassB: { frame: perItem(5000), simple: perItem(4000), complex: perItem(8000), veryComplex: perItem(10_000) },
        dentalProsthesis: percent(12_500),
        hearingAidClassII: percent(10_000),
      }),
    },
  ],
};

export const confort: Product = {
  code: 'CONFORT',
  label: 'Confort',
  responsible: true,
  versions: [
    {
      version: '2020',
      validFrom: '2020-01-01',
      validTo: null,
      rules: modernRules({
        feesOptam: percent(20_000),
        feesNonOptam: percent(18_000),
        pharmacy15: percent(10_000),
        hospitalFeesOptam: percent(20_000),
        hospitalFeesNonOptam: percent(18_000),
        privateRoom: [{ form: 'FLAT', amountCents: 5000, per: 'DAY', includesAmo: false }],
        opticsClassB: { frame: perItem(10_000), simple: perItem(7500), complex: perItem(15_000), veryComplex: perItem(17_500) },
        dentalProsthesis: percent(30_000),
        dentalProsthesisAnnualCapCents: 150_000,
        hearingAidClassII: [
          { form: 'BASE_PERCENT_INCL_AMO', rateBp: 10_000 },
          { form: 'FLAT', amountCents: 80_000, per: 'ITEM', includesAmo: false },
        ],
      }),
    },
  ],
};

export const css: Product = {
  code: 'CSS',
  label: 'Complémentaire santé solidaire',
  // Not a contrat responsable in law, but the CSS excludes the same items (parcours, PF, franchises).
  responsible: true,
  versions: [
    {
      version: '2019',
      validFrom: '2019-11-01',
      validTo: null,
      rules: modernRules({
        feesOptam: percent(10_000),
        feesNonOptam: percent(10_000),
        pharmacy15: percent(10_000),
        hospitalFeesOptam: percent(10_000),
        hospitalFeesNonOptam: percent(10_000),
        privateRoom: NOT_COVERED,
        opticsClassB: { frame: NOT_COVERED, simple: NOT_COVERED, complex: NOT_COVERED, veryComplex: NOT_COVERED },
        dentalProsthesis: percent(10_000),
        hearingAidClassII: percent(10_000),
      }),
    },
  ],
};

const ACS_NOTE = 'Contrat ACS (2015 → 31/10/2019, en cours jusqu’à son terme) : valeurs ⚠ à confirmer dans l’arrêté du 10 avril 2015 (domain.md §4.3).';

/** Former ACS contracts: TM everywhere, FJH in full, level-specific optics and dental prostheses. */
function acsProduct(code: string, label: string, optics: GuaranteeRule[], dentalRateBp: number): Product {
  return {
    code,
    label,
    responsible: true,
    note: ACS_NOTE,
    versions: [
      {
        version: '2015',
        validFrom: '2015-07-01',
        validTo: '2020-10-31',
        rules: [
          { id: 'PHARMACY', label: 'Médicaments (ticket modérateur)', when: { families: ['PHARMACY'] }, cover: COPAYMENT, confirmed: false, note: 'TM des médicaments à 15 % ⚠' },
          { id: 'DAILY_FLAT_FEE', label: 'Forfait journalier hospitalier', when: { families: ['DAILY_FLAT_FEE'] }, cover: [{ form: 'ACTUAL_COST' }] },
          { id: 'PRIVATE_ROOM', label: 'Chambre particulière', when: { families: ['PRIVATE_ROOM'] }, cover: NOT_COVERED },
          ...optics,
          { id: 'DENTAL_PROSTHESIS', label: 'Prothèses dentaires', when: { families: ['DENTAL_PROSTHESIS'] }, cover: percent(dentalRateBp), confirmed: false },
          { id: 'HEARING_AID', label: 'Aides auditives (ticket modérateur)', when: { families: ['HEARING_AID'] }, cover: COPAYMENT, confirmed: false, note: 'Forfait audio des contrats B et C ⚠ non modélisé' },
          {
            id: 'COPAYMENT',
            label: 'Autres soins (ticket modérateur)',
            when: { families: ['CONSULTATION', 'TECHNICAL', 'LAB', 'PARAMEDICAL', 'TRANSPORT', 'HOSPITAL_STAY', 'HOSPITAL_FEES', 'DENTAL_CARE'] },
            cover: COPAYMENT,
          },
        ],
      },
    ],
  };
}

const acsOptics = (simpleCents: number, complexCents: number): GuaranteeRule[] => [
  {
    id: 'OPTICS_SIMPLE_EQUIPMENT',
    label: 'Optique : équipement à verres simples',
    when: { families: OPTICS, equipment: 'SIMPLE' },
    cover: [{ form: 'FLAT', amountCents: simpleCents, per: 'EQUIPMENT', includesAmo: true }],
    confirmed: false,
  },
  {
    id: 'OPTICS_COMPLEX_EQUIPMENT',
    label: 'Optique : équipement à verres complexes',
    when: { families: OPTICS, equipment: 'COMPLEX' },
    cover: [{ form: 'FLAT', amountCents: complexCents, per: 'EQUIPMENT', includesAmo: true }],
    confirmed: false,
  },
];

export const acsA = acsProduct('ACS_A', 'ACS contrat A', [{ id: 'OPTICS', label: 'Optique (ticket modérateur)', when: { families: OPTICS }, cover: COPAYMENT }], 12_500);
export const acsB = acsProduct('ACS_B', 'ACS contrat B', acsOptics(10_000, 20_000), 22_500);
export const acsC = acsProduct('ACS_C', 'ACS contrat C', acsOptics(15_000, 35_000), 30_000);

/** Every reference product, as plain JSON-able data for the seed. */
export const referenceProducts: readonly Product[] = [essentiel, confort, css, acsA, acsB, acsC];

export function findReferenceProduct(code: string): Product | undefined {
  return referenceProducts.find((product) => product.code === code);
}
