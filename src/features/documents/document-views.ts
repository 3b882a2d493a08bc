/**
 * Each document's facts laid out as headed sections of paragraphs, label–value lists and tables: one model that the
 * HTML view and the PDF renderer both draw, so that the two versions say the same thing.
 */
import { formatFrenchDate } from '../../domain/dates.ts';
import { formatEuros } from '../../domain/money.ts';
import type { BulletinFacts, CardFacts, DocumentFacts, FiscalFacts, MandateFacts, OrganisationFacts, PersonFacts, RightsFacts, ScheduleFacts } from './document-facts.ts';
import { DOCUMENT_TITLES } from './document-facts.ts';

export type Block =
  | { type: 'p'; text: string }
  | { type: 'fields'; items: [label: string, value: string][] }
  | { type: 'table'; caption: string; head: string[]; rows: string[][] };

export type Section = { heading: string; blocks: Block[] };

export type DocumentView = { title: string; issuer: string[]; sections: Section[] };

const fr = formatFrenchDate;
const span = (from: string, to: string | null) => (to ? `du ${fr(from)} au ${fr(to)}` : `depuis le ${fr(from)}`);
const fullName = (p: PersonFacts) => `${p.firstName} ${p.lastName}`;
const issuerLines = (o: OrganisationFacts) => [o.name, ...o.addressLines, `Téléphone : ${o.phone}`];

const STATUS: Record<ScheduleFacts['lines'][number]['status'], string> = { SCHEDULED: 'À venir', PAID: 'Prélevée', UNPAID: 'Impayée' };

function beneficiaryTable(caption: string, people: PersonFacts[], withNir: boolean): Block {
  return {
    type: 'table', caption,
    head: ['Nom', 'Prénom', 'Date de naissance', 'Rang', ...(withNir ? ['N° de sécurité sociale'] : []), 'Qualité'],
    rows: people.map((p) => [p.lastName, p.firstName, fr(p.birthDate), String(p.birthRank), ...(withNir ? [p.nir ?? ''] : []), p.relationship]),
  };
}

function mandateFields(mandate: MandateFacts): Block {
  return {
    type: 'fields',
    items: [
      ['Référence unique de mandat (RUM)', mandate.rum],
      ['Identifiant créancier SEPA (ICS)', mandate.creditorId ?? 'non renseigné'],
      ['Compte débité', mandate.maskedIban ?? (mandate.accountEnding ? `se terminant par ${mandate.accountEnding}` : 'non renseigné')],
      ...(mandate.holder ? ([['Titulaire du compte', mandate.holder]] as [string, string][]) : []),
    ],
  };
}

/** The five fields of the harmonised pavé (domain.md §5.1), every label present even when the value is empty. */
export function paveFields(f: CardFacts): [string, string][] {
  return [
    ['Période de validité', `du ${fr(f.validFrom)} au ${fr(f.validUntil)}`],
    ['N° AMC', f.organisation.amcNumber],
    ['Type de convention', f.conventionType],
    ['Critère secondaire de routage', f.routingCriterion],
    ['N° adhérent', f.memberNumber],
  ];
}

export function professionalContact(o: OrganisationFacts): string {
  return `Professionnels de santé : ${o.name}${o.professionalPhone ? `, ${o.professionalPhone}` : `, ${o.phone}`}${o.operator ? ` — opérateur de tiers payant : ${o.operator}` : ''}`;
}

function cardView(f: CardFacts): DocumentView {
  const withNir = f.beneficiaries.some((b) => b.nir !== null);
  return {
    title: DOCUMENT_TITLES.CARTE_TP,
    issuer: issuerLines(f.organisation),
    sections: [
      {
        heading: 'Informations pour le tiers payant',
        blocks: [
          { type: 'fields', items: paveFields(f) },
          { type: 'p', text: f.responsable ? 'R : contrat responsable.' : 'Contrat non responsable.' },
          { type: 'p', text: `Contrat ${f.productName}, n° ${f.contractNumber}.` },
        ],
      },
      { heading: 'Bénéficiaires', blocks: [beneficiaryTable('Personnes couvertes', f.beneficiaries, withNir)] },
      {
        heading: 'Prise en charge par domaine',
        blocks: [
          { type: 'table', caption: 'Domaines de soins en tiers payant', head: ['Code', 'Domaine', 'Prise en charge'], rows: f.domains.map((d) => [d.code, d.label, d.mention]) },
          { type: 'p', text: '100 % : part complémentaire jusqu’à 100 % de la base de remboursement, en tiers payant. Sur PEC : après accord de prise en charge de la mutuelle.' },
        ],
      },
      { heading: 'Contact', blocks: [{ type: 'p', text: professionalContact(f.organisation) }, { type: 'p', text: 'Présentez cette carte avec votre carte Vitale ou l’application carte Vitale.' }] },
    ],
  };
}

function rightsView(f: RightsFacts): DocumentView {
  const c = f.contract;
  const withNir = f.beneficiaries.some((b) => b.nir !== null);
  const sections: Section[] = [
    {
      heading: 'Adhérent et contrat',
      blocks: [
        {
          type: 'fields',
          items: [
            ['Adhérent', fullName(f.holder)],
            ['N° adhérent', f.memberNumber],
            ['N° AMC de l’organisme', f.organisation.amcNumber],
            ['Contrat', `n° ${c.number}, ${c.kind === 'COLLECTIVE' ? `collectif${c.employerName ? ` (${c.employerName})` : ''}` : 'individuel'}, ${span(c.startDate, c.endDate)}`],
            ['Garantie', c.productName],
            ['Contrat responsable', c.responsable ? 'oui' : 'non'],
            ['Période attestée', `du ${fr(f.validFrom)} au ${fr(f.validUntil)}`],
          ],
        },
      ],
    },
    {
      heading: 'Bénéficiaires et droits en cours',
      blocks: [
        beneficiaryTable('Personnes couvertes', f.beneficiaries, withNir),
        ...f.beneficiaries.map((b): Block => ({ type: 'p', text: `${fullName(b)} : ${b.rights.join(' ; ')}.` })),
      ],
    },
  ];
  if (f.aids.length > 0) {
    sections.push({
      heading: 'Complémentaire santé solidaire et ACS',
      blocks: [
        { type: 'table', caption: 'Périodes d’aide, de la plus ancienne à la plus récente', head: ['Bénéficiaire', 'Type', 'Du', 'Au'], rows: f.aids.map((a) => [a.person, a.label, fr(a.startDate), fr(a.endDate)]) },
        { type: 'p', text: 'Présentez votre carte Vitale et cette attestation à chaque professionnel de santé.' },
      ],
    });
  }
  sections.push({ heading: 'Attestation', blocks: [{ type: 'p', text: `${f.organisation.name} atteste que les personnes ci-dessus bénéficient des droits indiqués, aux dates indiquées.` }] });
  return { title: DOCUMENT_TITLES.ATTESTATION_DROITS, issuer: issuerLines(f.organisation), sections };
}

function fiscalView(f: FiscalFacts): DocumentView {
  const sections: Section[] = [
    {
      heading: `Cotisations payées en ${f.year}`,
      blocks: [
        { type: 'fields', items: [['Adhérent', fullName(f.holder)], ['N° adhérent', f.memberNumber]] },
        {
          type: 'table', caption: `Cotisations payées du 01/01/${f.year} au 31/12/${f.year}`, head: ['Contrat', 'Garantie', 'Échéances payées', 'Montant payé'],
          rows: [...f.contracts.map((c) => [c.number, `${c.productName}${c.madelin ? ' (Madelin)' : ''}`, String(c.instalments), formatEuros(c.paidCents)]), ['Total', '', '', formatEuros(f.totalCents)]],
        },
      ],
    },
  ];
  if (f.madelinCents > 0) {
    sections.push({
      heading: 'Contrat « Madelin »',
      blocks: [
        { type: 'p', text: `Dont ${formatEuros(f.madelinCents)} de cotisations au titre d’un contrat « Madelin » (travailleur non salarié), déductibles du bénéfice imposable dans les limites fixées par l’article 154 bis du code général des impôts.` },
      ],
    });
  }
  sections.push({ heading: 'Attestation', blocks: [{ type: 'p', text: `${f.organisation.name} atteste avoir reçu les cotisations ci-dessus pour l’année ${f.year}.` }] });
  return { title: `${DOCUMENT_TITLES.ATTESTATION_FISCALE} ${f.year}`, issuer: issuerLines(f.organisation), sections };
}

function bulletinView(f: BulletinFacts): DocumentView {
  const withNir = f.beneficiaries.some((b) => b.nir !== null);
  const sections: Section[] = [
    {
      heading: 'Adhésion',
      blocks: [
        {
          type: 'fields',
          items: [
            ['N° adhérent', f.memberNumber],
            ['Contrat', `n° ${f.contractNumber}, ${f.contractKind === 'COLLECTIVE' ? `collectif${f.employerName ? ` (${f.employerName})` : ''}` : 'individuel'}`],
            ['Garantie choisie', `${f.productName}${f.responsable ? ', contrat responsable' : ''}${f.madelin ? ', contrat « Madelin »' : ''}`],
            ['Date d’effet', fr(f.effectiveDate)],
            ['Adresse', f.address.join(', ') || 'non renseignée'],
            ['Courriel', f.email ?? 'non renseigné'],
          ],
        },
      ],
    },
    {
      heading: 'Personnes à assurer',
      blocks: [
        beneficiaryTable('Bénéficiaires à l’adhésion', f.beneficiaries, withNir),
        { type: 'table', caption: 'Régime obligatoire', head: ['Bénéficiaire', 'Régime', 'Caisse'], rows: f.beneficiaries.map((b) => [fullName(b), b.amoScheme, b.amoFund ?? '']) },
      ],
    },
    {
      heading: 'Cotisation et paiement',
      blocks: [
        { type: 'fields', items: [['Cotisation', f.firstContributionCents === null ? 'aucune' : `${formatEuros(f.firstContributionCents)} par mois`], ['Mode de paiement', f.paymentMethod]] },
        ...(f.mandate ? [{ type: 'p', text: 'Mandat de prélèvement SEPA' } as Block, mandateFields(f.mandate)] : []),
      ],
    },
    {
      heading: 'Informations et signature',
      blocks: [
        { type: 'p', text: 'Vos données sont traitées par la mutuelle pour gérer votre contrat ; vous pouvez y accéder, les rectifier et vous opposer à certains traitements auprès de son délégué à la protection des données.' },
        { type: 'p', text: 'Adhésion à distance : vous pouvez y renoncer dans les 14 jours qui suivent la signature.' },
        { type: 'p', text: f.signedOn ? `Signé électroniquement le ${fr(f.signedOn)}.` : 'Signature non enregistrée.' },
      ],
    },
  ];
  return { title: DOCUMENT_TITLES.BULLETIN_ADHESION, issuer: issuerLines(f.organisation), sections };
}

function scheduleView(f: ScheduleFacts): DocumentView {
  return {
    title: `${DOCUMENT_TITLES.ECHEANCIER} ${f.year}`,
    issuer: issuerLines(f.organisation),
    sections: [
      {
        heading: 'Contrat',
        blocks: [{ type: 'fields', items: [['Adhérent', fullName(f.holder)], ['N° adhérent', f.memberNumber], ['Contrat', `n° ${f.contractNumber}, ${f.productName}`]] }],
      },
      {
        heading: 'Échéances',
        blocks: [
          {
            type: 'table', caption: `Échéances de ${f.year}, taxes comprises`, head: ['Période', 'Date de prélèvement', 'Montant', 'État'],
            rows: [...f.lines.map((l) => [span(l.periodStart, l.periodEnd), fr(l.dueDate), formatEuros(l.amountCents), STATUS[l.status]]), ['Total', '', formatEuros(f.totalCents), '']],
          },
        ],
      },
      {
        heading: 'Prélèvement',
        blocks: f.mandate
          ? [mandateFields(f.mandate), { type: 'p', text: 'Cet échéancier vaut pré-notification des prélèvements SEPA ci-dessus.' }]
          : [{ type: 'p', text: 'Ces cotisations ne sont pas prélevées sur un compte.' }],
      },
    ],
  };
}

export function documentView(facts: DocumentFacts): DocumentView {
  switch (facts.kind) {
    case 'CARTE_TP':
      return cardView(facts);
    case 'ATTESTATION_DROITS':
      return rightsView(facts);
    case 'ATTESTATION_FISCALE':
      return fiscalView(facts);
    case 'BULLETIN_ADHESION':
      return bulletinView(facts);
    case 'ECHEANCIER':
      return scheduleView(facts);
  }
}
