import type { Basket, CareLine, Family } from '../../domain/coverage/index.ts';
import type { Random } from './random.ts';

export type CareEvent = {
  provider: string;
  source: 'NOEMIE' | 'PAPER' | 'THIRD_PARTY';
  thirdPartyPayment: boolean;
  lines: (CareLine & { act: string })[];
};

type Line = CareEvent['lines'][number];

const line = (careDate: string, family: Family, act: string, chargedCents: number, baseCents: number, amoRateBp: number, extra: Partial<Line> = {}): Line => ({
  careDate, family, act, chargedCents, baseCents, amoRateBp, pathway: 'IN', quantity: 1, basket: null, ...extra,
});

const GPS = ['Dr Claire Dubois', 'Dr Paul Lefèvre', 'Dr Nadia Mansouri', 'Dr Thomas Girard'];
const SPECIALISTS = ['Dr Hélène Rousseau (dermatologue)', 'Dr Marc Bonnet (cardiologue)', 'Dr Aïcha Diallo (ophtalmologiste)', 'Dr Luc Moreau (gynécologue)'];
const PHARMACIES = ['Pharmacie du Marché', 'Pharmacie des Tilleuls', 'Grande Pharmacie de la Gare'];
const LABS = ['Laboratoire Biolab Centre', 'Laboratoire des Acacias'];
const PHYSIO = ['Cabinet de kinésithérapie des Lilas', 'Mme Julie Perrin (infirmière)'];
const DENTISTS = ['Dr Karim Benali (chirurgien-dentiste)', 'Centre dentaire République'];
const OPTICIANS = ['Optique Lumière', 'Les Opticiens du Centre'];
const HOSPITALS = ['Clinique Saint-Roch', 'Centre hospitalier de Valmont'];

/** One plausible care event for a person of this age on this date (amounts before the engine runs). */
export function randomCareEvent(random: Random, careDate: string, age: number, solidarity: boolean): CareEvent {
  const roll = random.next();
  const noemie = { source: 'NOEMIE' as const, thirdPartyPayment: false };
  if (roll < 0.34) {
    const specialist = random.chance(0.3);
    const optam = solidarity || !specialist || random.chance(0.6);
    const base = specialist ? 5_600 : 3_000;
    const overrun = specialist && !solidarity ? (optam ? random.int(0, 2) * 1_000 : random.int(2, 5) * 1_000) : 0;
    const paper = random.chance(0.08);
    return {
      provider: random.pick(specialist ? SPECIALISTS : GPS),
      source: paper ? 'PAPER' : 'NOEMIE',
      thirdPartyPayment: false,
      lines: [line(careDate, 'CONSULTATION', specialist ? 'APC' : 'G', base + overrun, base, 7_000, { optam })],
    };
  }
  if (roll < 0.62) {
    const rate = random.pick([6_500, 6_500, 6_500, 3_000, 1_500, 10_000]);
    const boxes = random.int(1, 3);
    const lines = Array.from({ length: random.int(1, 3) }, (_, i) => {
      const unit = random.int(2, 25) * 100 + random.int(0, 99);
      return line(careDate, 'PHARMACY', `CIP${3400930000000 + i}`, unit * boxes, unit * boxes, i === 0 ? rate : 6_500, { quantity: boxes });
    });
    return { provider: random.pick(PHARMACIES), source: 'THIRD_PARTY', thirdPartyPayment: true, lines };
  }
  if (roll < 0.72) {
    const base = random.int(12, 90) * 100;
    return { provider: random.pick(LABS), ...noemie, thirdPartyPayment: true, lines: [line(careDate, 'LAB', 'B', base, base, 6_000)] };
  }
  if (roll < 0.8) {
    const sessions = random.int(1, 4);
    return { provider: random.pick(PHYSIO), ...noemie, lines: [line(careDate, 'PARAMEDICAL', 'AMK', 1_850 * sessions, 1_850 * sessions, 6_000, { quantity: sessions })] };
  }
  if (roll < 0.88) {
    return { provider: random.pick(DENTISTS), ...noemie, lines: [line(careDate, 'DENTAL_CARE', 'HBJD001', 2_892, 2_892, 7_000)] };
  }
  if (roll < 0.91) {
    const basket: Basket = solidarity || random.chance(0.5) ? '100S' : 'MODERATE';
    const lines = basket === '100S'
      ? [line(careDate, 'DENTAL_PROSTHESIS', 'HBLD490', 50_000, 12_000, 6_000, { basket, priceCapCents: 50_000 })]
      : [line(careDate, 'DENTAL_PROSTHESIS', 'HBLD036', random.int(55, 90) * 1_000, 12_000, 6_000, { basket })];
    return { provider: random.pick(DENTISTS), ...noemie, lines };
  }
  if (roll < 0.95) {
    const classA = solidarity || random.chance(0.4);
    const lenses: Family = age >= 45 ? 'OPTICS_LENS_COMPLEX' : 'OPTICS_LENS_SIMPLE';
    const lines = classA
      ? [
          line(careDate, 'OPTICS_FRAME', 'FRAME_A', 3_000, 900, 6_000, { basket: '100S', priceCapCents: 3_000 }),
          line(careDate, lenses, 'LENS_A', 2 * 4_500, 2 * 1_350, 6_000, { basket: '100S', quantity: 2, priceCapCents: 2 * 4_500 }),
        ]
      : [
          line(careDate, 'OPTICS_FRAME', 'FRAME_B', random.int(90, 180) * 100, 5, 6_000, { basket: 'FREE' }),
          line(careDate, lenses, 'LENS_B', 2 * random.int(70, 200) * 100, 2 * 5, 6_000, { basket: 'FREE', quantity: 2 }),
        ];
    return { provider: random.pick(OPTICIANS), ...noemie, lines };
  }
  if (roll < 0.98 || age < 18) {
    const base = random.int(20, 60) * 100;
    return { provider: 'Centre d’imagerie du Parc', ...noemie, lines: [line(careDate, 'TECHNICAL', 'ZBQK002', base, base, 7_000, { optam: true })] };
  }
  const days = random.int(1, 4);
  const stay = random.int(800, 2_500) * 100;
  return {
    provider: random.pick(HOSPITALS),
    source: 'NOEMIE',
    thirdPartyPayment: true,
    lines: [
      line(careDate, 'HOSPITAL_STAY', 'GHS', stay, stay, 8_000),
      line(careDate, 'HOSPITAL_FEES', 'ADC', 45_000, 30_000, 10_000, { optam: random.chance(0.7) }),
      line(careDate, 'DAILY_FLAT_FEE', 'FJ', 2_000 * days, 0, 0, { quantity: days }),
      ...(random.chance(0.5) ? [line(careDate, 'PRIVATE_ROOM', 'CP', 7_000 * days, 0, 0, { quantity: days })] : []),
    ],
  };
}
