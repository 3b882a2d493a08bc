/** The French sentence a member reads under each line, built from the structured steps. */
import { formatFrenchDate } from '../dates.ts';
import { applyRateBp, formatEuros, formatRateBp } from '../money.ts';
import type { Family } from './families.ts';
import type { CeilingKind, CoverageComponent, ExplanationStep, FlatPeriod, LineResult } from './types.ts';

const PERIOD_LABELS: Record<Exclude<FlatPeriod, 'ITEM'>, string> = {
  ACT: 'par acte',
  DAY: 'par jour',
  YEAR: 'par an',
  EQUIPMENT: 'par équipement',
};

const CEILING_LABELS: Record<CeilingKind, string> = {
  NON_OPTAM: "médecin non adhérent à l'OPTAM",
  OUT_OF_PATHWAY: 'soins hors parcours',
  OPTICS_FRAME: 'monture',
  OPTICS_EQUIPMENT: 'équipement optique',
  HEARING_AID: 'aide auditive',
};

// "Per item" named after the item, so the member reads « 75,00 € par verre ».
function itemLabel(family: Family): string {
  if (family === 'OPTICS_FRAME') return 'par monture';
  if (family === 'HEARING_AID') return 'par appareil';
  return family.startsWith('OPTICS_LENS') ? 'par verre' : 'par article';
}

function describeComponent(component: CoverageComponent, priceCap: number | null, family: Family): string {
  switch (component.form) {
    case 'BASE_PERCENT_INCL_AMO':
      return `${formatRateBp(component.rateBp)} de la base (Sécurité sociale incluse)`;
    case 'BASE_PERCENT_EXTRA':
      return `${formatRateBp(component.rateBp)} de la base en plus de la Sécurité sociale`;
    case 'COPAYMENT':
      return 'le ticket modérateur';
    case 'FLAT':
      return `${formatEuros(component.amountCents)} ${component.per === 'ITEM' ? itemLabel(family) : PERIOD_LABELS[component.per]}${component.includesAmo ? ' (Sécurité sociale incluse)' : ''}`;
    case 'ACTUAL_COST':
      return 'les frais réels';
    case 'PRICE_CAP':
      return priceCap === null ? 'le 100 % Santé' : `le 100 % Santé jusqu'au prix limite de ${formatEuros(priceCap)}`;
  }
}

/** What the sentence reads of a line: its amounts (columns of a stored line) and its steps. */
export type ExplainedLine = Pick<LineResult, 'family' | 'amoCents' | 'baseCents' | 'amoRateBp' | 'amcCents' | 'remainingCents' | 'flatFeeCents' | 'deductibleCents'> & {
  steps: readonly ExplanationStep[];
};

function amoSentence(result: ExplainedLine, steps: readonly ExplanationStep[]): string {
  let flatFee = 0;
  let deductible = 0;
  let heavyFee: number | null = null;
  const deferred: string[] = [];
  for (const step of steps) {
    if (step.code === 'HEAVY_ACT_FEE') heavyFee = step.amountCents;
    if (step.code === 'FLAT_FEE' || step.code === 'DEDUCTIBLE') {
      const label = step.code === 'FLAT_FEE' ? 'participation forfaitaire' : 'franchise médicale';
      if (step.code === 'FLAT_FEE') flatFee = step.amountCents;
      else deductible = step.amountCents;
      if (step.deferredCents > 0) deferred.push(`${formatEuros(step.deferredCents)} de ${label}`);
    }
  }
  let sentence: string;
  if (result.amoCents === 0) {
    sentence = result.baseCents === 0 ? "Cette dépense n'est pas remboursée par la Sécurité sociale" : 'La Sécurité sociale ne rembourse rien sur cette dépense';
  } else if (heavyFee !== null) {
    sentence = `La Sécurité sociale rembourse la base de ${formatEuros(result.baseCents)} moins le forfait de ${formatEuros(heavyFee)} sur les actes lourds, soit ${formatEuros(result.amoCents)}`;
  } else if (applyRateBp(result.baseCents, result.amoRateBp) === result.amoCents) {
    sentence = `La Sécurité sociale rembourse ${formatRateBp(result.amoRateBp)} de la base de ${formatEuros(result.baseCents)}, soit ${formatEuros(result.amoCents)}`;
  } else {
    sentence = `La Sécurité sociale rembourse ${formatEuros(result.amoCents)}`;
  }
  const deductions: string[] = [];
  if (flatFee > 0) deductions.push(`${formatEuros(flatFee)} de participation forfaitaire`);
  if (deductible > 0) deductions.push(`${formatEuros(deductible)} de franchise médicale`);
  if (deductions.length > 0) sentence += `, moins ${deductions.join(' et ')}`;
  sentence += '.';
  if (deferred.length > 0) {
    sentence += ` Restent dus ${deferred.join(' et ')}, retenus sur un prochain remboursement de la Sécurité sociale.`;
  }
  return sentence;
}

function amcSentence(result: ExplainedLine, steps: readonly ExplanationStep[]): string {
  const components: string[] = [];
  const notes: string[] = [];
  let priceCap: number | null = null;
  for (const step of steps) {
    switch (step.code) {
      case 'NOT_COVERED':
        return 'Votre contrat ne prévoit pas de remboursement pour ce soin.';
      case 'RENEWAL_NOT_DUE': {
        const item = result.family === 'HEARING_AID' ? 'une aide auditive' : 'un équipement optique';
        const next = result.family === 'HEARING_AID' ? 'la prochaine sera prise' : 'le prochain sera pris';
        return `Votre contrat a déjà pris en charge ${item} le ${formatFrenchDate(step.previousDate)} : ${next} en charge à partir du ${formatFrenchDate(step.nextDate)}.`;
      }
      case 'PRICE_CAP':
        priceCap = step.limitCents;
        break;
      case 'COMPONENT':
        components.push(describeComponent(step.component, priceCap, result.family));
        break;
      case 'OUT_OF_PATHWAY':
        notes.push('Hors parcours de soins, la majoration du ticket modérateur reste à votre charge.');
        break;
      case 'ANNUAL_CAP':
        notes.push(`Le plafond annuel de ${formatEuros(step.limitCents)} est atteint (déjà versé cette année : ${formatEuros(step.usedCents)}).`);
        break;
      case 'CEILING':
        notes.push(`Le montant est limité par le plafond des contrats responsables (${CEILING_LABELS[step.ceiling]} : ${formatEuros(step.limitCents)}, Sécurité sociale incluse).`);
        break;
      default:
        break;
    }
  }
  const paid = result.amcCents === 0 ? 'votre mutuelle ne verse rien sur cette ligne' : `votre mutuelle verse ${formatEuros(result.amcCents)}`;
  return [`Votre contrat prend en charge ${components.join(' + ')} : ${paid}.`, ...notes].join(' ');
}

function remainingSentence(result: ExplainedLine): string {
  if (result.remainingCents === 0) return 'Rien ne reste à votre charge.';
  const kept: string[] = [];
  if (result.flatFeeCents > 0) kept.push('participation forfaitaire');
  if (result.deductibleCents > 0) kept.push('franchise médicale');
  const keptCents = result.flatFeeCents + result.deductibleCents;
  const never = kept.length > 1 ? 'jamais remboursables' : 'jamais remboursable';
  const total = `Reste à votre charge : ${formatEuros(result.remainingCents)}`;
  if (keptCents === 0) return `${total}.`;
  if (keptCents === result.remainingCents) return `${total} (${kept.join(' et ')}, ${never}).`;
  return `${total}, dont ${formatEuros(keptCents)} de ${kept.join(' et de ')}, ${never}.`;
}

export function explain(result: ExplainedLine): string {
  return `${amoSentence(result, result.steps)} ${amcSentence(result, result.steps)} ${remainingSentence(result)}`;
}
