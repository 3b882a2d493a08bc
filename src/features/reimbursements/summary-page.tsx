/**
 * « Bilan annuel » (issue 6): the year's totals for the household and per beneficiary, a chart by care group with the
 * same figures as a table, then the counters the member can act on and the télétransmission of each beneficiary.
 * Plain HTML: the year selector is a GET form, the per-beneficiary detail a <details>; nothing needs JavaScript.
 */
import { formatFrenchDate } from '../../domain/dates.ts';
import { formatEuros } from '../../domain/money.ts';
import { Layout, type MemberBar } from '../../platform/views/layout.tsx';
import { StackedBarChart, type ChartSeries } from '../../platform/views/stacked-bar-chart.tsx';
import type { BeneficiaryCounters, HouseholdCounters } from './household-counters.ts';
import type { SummaryAmounts, YearlySummary } from './yearly-summary.ts';

type Organisation = { name: string; phone: string };

/** Sécurité sociale, mutuelle, reste à charge: each ≥ 4.8:1 against white; the reste à charge is hatched too. */
export const SUMMARY_SERIES: readonly ChartSeries[] = [
  { key: 'amo', label: 'Sécurité sociale', colour: '#16325c' },
  { key: 'amc', label: 'Mutuelle', colour: '#00796b' },
  { key: 'remaining', label: 'Reste à votre charge', colour: '#b35900', hatched: true },
];

const tel = (phone: string) => `tel:${phone.replace(/\s/g, '')}`;
const plural = (count: number, word: string) => `${count} ${word}${count > 1 ? 's' : ''}`;

/** « tous les 2 ans », « chaque année », « tous les 6 mois ». */
export function everyPeriod(months: number): string {
  if (months === 12) return 'chaque année';
  return months % 12 === 0 ? `tous les ${months / 12} ans` : `tous les ${months} mois`;
}

function AmountCells({ amounts }: { amounts: SummaryAmounts }) {
  return (
    <>
      <td class="num" data-label="Dépensé">{formatEuros(amounts.chargedCents)}</td>
      <td class="num" data-label="Sécurité sociale">{formatEuros(amounts.amoNetCents)}</td>
      <td class="num" data-label="Mutuelle">{formatEuros(amounts.amcCents)}</td>
      <td class="num" data-label="Reste à charge">{formatEuros(amounts.remainingCents)}</td>
    </>
  );
}

function AmountHeaders({ first }: { first: string }) {
  return (
    <thead>
      <tr>
        <th scope="col">{first}</th>
        <th scope="col" class="num">Dépensé</th>
        <th scope="col" class="num">Sécurité sociale</th>
        <th scope="col" class="num">Mutuelle</th>
        <th scope="col" class="num">Reste à charge</th>
      </tr>
    </thead>
  );
}

function Allowances({ person }: { person: BeneficiaryCounters }) {
  if (!person.guarantee) return <li>Aucune garantie n’est en cours aujourd’hui pour {person.firstName}.</li>;
  if (person.allowances.length === 0) return <li>La garantie {person.guarantee.productLabel} n’a pas de plafond annuel.</li>;
  return (
    <>
      {person.allowances.map((a) => (
        <li>
          <strong>{a.label}</strong> : il reste <strong>{formatEuros(a.remainingCents)}</strong> sur {a.kind === 'ANNUAL_CAP' ? 'le plafond annuel' : 'le forfait annuel'} de{' '}
          {formatEuros(a.limitCents)} ({formatEuros(a.usedCents)} déjà utilisés).
        </li>
      ))}
    </>
  );
}

function Renewals({ person }: { person: BeneficiaryCounters }) {
  const { optics, hearingAids } = person;
  return (
    <>
      {optics ? (
        <li>
          {optics.coveredNow ? (
            <>{optics.lastEquipmentDate ? 'Un nouvel équipement optique' : 'Un équipement optique'} peut être pris en charge dès maintenant</>
          ) : (
            <strong>Prochain équipement optique pris en charge à partir du {formatFrenchDate(optics.nextCoveredFrom)}</strong>
          )}{' '}
          ({optics.lastEquipmentDate ? `dernier équipement le ${formatFrenchDate(optics.lastEquipmentDate)} ; ` : ''}un équipement {everyPeriod(optics.periodMonths)} à son âge).
        </li>
      ) : null}
      {hearingAids && hearingAids.lastDeviceDate ? (
        <li>
          {hearingAids.coveredNow ? (
            <>Une nouvelle aide auditive peut être prise en charge dès maintenant</>
          ) : (
            <strong>Prochaine aide auditive prise en charge à partir du {formatFrenchDate(hearingAids.nextCoveredFrom)}</strong>
          )}{' '}
          (une par oreille {everyPeriod(hearingAids.periodMonths)} ; dernière prise en charge le {formatFrenchDate(hearingAids.lastDeviceDate)}).
        </li>
      ) : null}
    </>
  );
}

/** What the member reads about the NOEMIE link of one beneficiary, and what to do when it is not active. */
export function teletransmissionText(person: Pick<BeneficiaryCounters, 'firstName' | 'teletransmission'>, phone: string): { status: string; action: string | null } {
  const t = person.teletransmission;
  const fund = t.amoFund ? `la caisse ${t.amoFund}` : 'votre caisse d’assurance maladie';
  const send = `envoyez-nous l’attestation de droits à l’assurance maladie de ${person.firstName} (vous la trouvez dans votre compte ameli), ou appelez-nous au ${phone}`;
  switch (t.status) {
    case 'ACTIVE':
      return { status: `Télétransmission active${t.since ? ` depuis le ${formatFrenchDate(t.since)}` : ''} avec ${fund}`, action: null };
    case 'PENDING':
      return { status: `Télétransmission en cours d’activation avec ${fund}`, action: 'Vous n’avez rien à faire. D’ici là, envoyez-nous les décomptes de la Sécurité sociale pour être remboursé.' };
    case 'REJECTED':
      return { status: `La télétransmission n’a pas pu être activée avec ${fund}`, action: `Pour la relancer, ${send}.` };
    default:
      return { status: 'Télétransmission non activée', action: `Pour l’activer, ${send}. En attendant, envoyez-nous les décomptes de la Sécurité sociale avec vos factures.` };
  }
}

export function YearlySummaryPage({ organisation, member, summary, counters }: { organisation: Organisation; member: MemberBar; summary: YearlySummary; counters: HouseholdCounters }) {
  const { year, totals } = summary;
  const years = summary.years.includes(year) ? summary.years : [year, ...summary.years].sort((a, b) => b - a);
  return (
    <Layout title={`Bilan ${year} de mes remboursements`} organisationName={organisation.name} currentPath="/remboursements/bilan" member={member}>
      <p>
        <a href="/remboursements">← Mes remboursements</a>
      </p>
      <h1>Bilan {year} de mes remboursements</h1>
      <form method="get" action="/remboursements/bilan" class="filters" aria-label="Choisir l’année du bilan">
        <div class="field">
          <label for="annee">Année des soins</label>
          <select id="annee" name="annee">
            {years.map((y) => (
              <option value={String(y)} selected={y === year}>
                {y}
              </option>
            ))}
          </select>
        </div>
        <p class="filters-actions">
          <button type="submit" class="button">
            Afficher
          </button>
        </p>
      </form>

      <section aria-labelledby="titre-annee" class="panel">
        <h2 id="titre-annee">Les soins de {year}</h2>
        {totals.lines === 0 ? (
          <p>Aucun soin n’est enregistré pour {year}.</p>
        ) : (
          <>
            <dl class="totals-list">
              <div><dt>Dépensé</dt><dd>{formatEuros(totals.chargedCents)}</dd></div>
              <div><dt>Sécurité sociale</dt><dd>{formatEuros(totals.amoNetCents)}</dd></div>
              <div><dt>Mutuelle</dt><dd>{formatEuros(totals.amcCents)}</dd></div>
              <div><dt>Reste à votre charge</dt><dd>{formatEuros(totals.remainingCents)}</dd></div>
            </dl>
            <p class="muted">
              {plural(totals.lines, 'ligne')} de soins. <a href={`/remboursements?annee=${year}`}>Voir les remboursements de {year} un par un</a>
            </p>
          </>
        )}
      </section>

      {totals.lines > 0 ? (
        <>
          <section aria-labelledby="titre-beneficiaires" class="panel">
            <h2 id="titre-beneficiaires">Par bénéficiaire</h2>
            <table class="summary-table">
              <caption class="visually-hidden">Montants de {year} par bénéficiaire</caption>
              <AmountHeaders first="Bénéficiaire" />
              <tbody>
                {summary.beneficiaries.map((b) => (
                  <tr>
                    <th scope="row">{b.firstName}</th>
                    <AmountCells amounts={b.totals} />
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">Toute la famille</th>
                  <AmountCells amounts={totals} />
                </tr>
              </tfoot>
            </table>
          </section>

          <section aria-labelledby="titre-soins" class="panel">
            <h2 id="titre-soins">Par type de soins</h2>
            <StackedBarChart
              id="graphique-soins"
              title={`Répartition des dépenses de santé de ${year} par type de soins`}
              description={
                `Pour chaque type de soins, la barre représente le montant dépensé, partagé entre la part de la Sécurité sociale, celle de la mutuelle ` +
                `et le reste à votre charge (hachuré). En ${year} : ${formatEuros(totals.chargedCents)} dépensés, dont ${formatEuros(totals.amoNetCents)} ` +
                `remboursés par la Sécurité sociale, ${formatEuros(totals.amcCents)} par la mutuelle, et ${formatEuros(totals.remainingCents)} restés à votre charge. ` +
                'Le tableau qui suit donne les mêmes montants.'
              }
              tableCaption={`Montants de ${year} par type de soins`}
              rowHeader="Soins"
              series={SUMMARY_SERIES}
              rows={summary.groups.map((g) => ({ label: g.label, values: [g.amoNetCents, g.amcCents, g.remainingCents] }))}
            />
            {summary.beneficiaries
              .filter((b) => b.totals.lines > 0)
              .map((b) => (
                <details class="summary-detail">
                  <summary>Détail par type de soins pour {b.firstName}</summary>
                  <table class="summary-table">
                    <caption class="visually-hidden">Montants de {year} par type de soins pour {b.firstName}</caption>
                    <AmountHeaders first="Soins" />
                    <tbody>
                      {b.groups.map((g) => (
                        <tr>
                          <th scope="row">{g.label}</th>
                          <AmountCells amounts={g} />
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </details>
              ))}
          </section>
        </>
      ) : null}

      <section aria-labelledby="titre-compteurs" class="panel">
        <h2 id="titre-compteurs">Vos compteurs</h2>
        <p>Au {formatFrenchDate(counters.today)}, pour l’année {counters.year} :</p>
        {counters.beneficiaries.map((person) => (
          <div class="summary-counter">
            <h3>{person.firstName}</h3>
            <ul>
              <Allowances person={person} />
              <Renewals person={person} />
            </ul>
          </div>
        ))}
      </section>

      <section aria-labelledby="titre-teletransmission" class="panel">
        <h2 id="titre-teletransmission">Télétransmission</h2>
        <p>
          Quand la télétransmission est active, la Sécurité sociale nous envoie vos remboursements : vous n’avez rien à nous envoyer.
        </p>
        <ul class="summary-noemie">
          {counters.beneficiaries.map((person) => {
            const text = teletransmissionText(person, organisation.phone);
            return (
              <li>
                <strong>{person.firstName}</strong> : {text.status}.{text.action ? ` ${text.action}` : ''}
              </li>
            );
          })}
        </ul>
        <p>
          Une question ? Appelez-nous au <a href={tel(organisation.phone)}>{organisation.phone}</a>.
        </p>
      </section>
    </Layout>
  );
}
