/**
 * « Mes remboursements » (issue 6): the list with its filters and totals, and one line in detail. Plain HTML: the
 * filters are a GET form, the pages links; on a narrow screen each row becomes a card (site.css).
 */
import { CARE_GROUPS, CARE_GROUP_CODES, STATUS_SLUGS, statusWord, type StatusSlug } from '../../domain/claims/labels.ts';
import { formatFrenchDate } from '../../domain/dates.ts';
import { formatEuros, formatRateBp } from '../../domain/money.ts';
import { Layout, type MemberBar } from '../../platform/views/layout.tsx';
import type { ReimbursementFilters, ReimbursementList, ReimbursementRow } from './list-reimbursements.ts';
import type { ReimbursementDetail } from './reimbursement-detail.ts';

type Organisation = { name: string; phone: string };

const STATUS_CLASS: Record<ReimbursementRow['status'], string> = { RECEIVED: 'badge-received', LIQUIDATED: 'badge-progress', PAID: 'badge-paid', REJECTED: 'badge-rejected' };
const at = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' });

/** The query string of a filter (empty values left out), for links that keep the filter. */
export function filterQuery(filters: ReimbursementFilters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (filters.year) params.set('annee', String(filters.year));
  if (filters.beneficiaryId) params.set('beneficiaire', filters.beneficiaryId);
  if (filters.group) params.set('soins', filters.group);
  if (filters.status) params.set('statut', filters.status);
  if (filters.from) params.set('du', filters.from);
  if (filters.to) params.set('au', filters.to);
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function ReimbursementsPage({ organisation, member, list, filters }: { organisation: Organisation; member: MemberBar; list: ReimbursementList; filters: ReimbursementFilters }) {
  const t = list.totals;
  return (
    <Layout title="Mes remboursements" organisationName={organisation.name} currentPath="/remboursements" member={member}>
      <h1>Mes remboursements</h1>
      <p>
        Soins à l’étranger, professionnel non conventionné, feuille de soins papier ?{' '}
        <a href="/remboursements/papier">Envoyer une feuille de soins ou une facture</a>
      </p>
      <form method="get" action="/remboursements" class="filters" aria-label="Filtrer les remboursements">
        <div class="field">
          <label for="annee">Année des soins</label>
          <select id="annee" name="annee">
            <option value="">Toutes les années</option>
            {list.years.map((year) => (
              <option value={String(year)} selected={filters.year === year}>
                {year}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="beneficiaire">Bénéficiaire</label>
          <select id="beneficiaire" name="beneficiaire">
            <option value="">Toute la famille</option>
            {list.beneficiaries.map((b) => (
              <option value={b.id} selected={filters.beneficiaryId === b.id}>
                {b.firstName}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="soins">Soins</label>
          <select id="soins" name="soins">
            <option value="">Tous les soins</option>
            {CARE_GROUP_CODES.map((code) => (
              <option value={code} selected={filters.group === code}>
                {CARE_GROUPS[code].label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="statut">État</label>
          <select id="statut" name="statut">
            <option value="">Tous</option>
            {(Object.keys(STATUS_SLUGS) as StatusSlug[]).map((slug) => (
              <option value={slug} selected={filters.status === slug}>
                {statusWord(STATUS_SLUGS[slug])}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="du">Soins à partir du</label>
          <input type="date" id="du" name="du" value={filters.from ?? ''} min="1990-01-01" max="2100-12-31" />
        </div>
        <div class="field">
          <label for="au">Soins jusqu’au</label>
          <input type="date" id="au" name="au" value={filters.to ?? ''} min="1990-01-01" max="2100-12-31" />
        </div>
        <p class="filters-actions">
          <button type="submit" class="button">
            Afficher
          </button>
        </p>
      </form>

      <section aria-labelledby="titre-totaux" class="panel totals">
        <h2 id="titre-totaux">Total {filters.year ? `des soins de ${filters.year}` : 'des soins affichés'}</h2>
        <dl class="totals-list">
          <div><dt>Dépensé</dt><dd>{formatEuros(t.chargedCents)}</dd></div>
          <div><dt>Sécurité sociale</dt><dd>{formatEuros(t.amoNetCents)}</dd></div>
          <div><dt>Mutuelle</dt><dd>{formatEuros(t.amcCents)}</dd></div>
          <div><dt>Reste à votre charge</dt><dd>{formatEuros(t.remainingCents)}</dd></div>
        </dl>
        <p>
          {t.lines} ligne{t.lines > 1 ? 's' : ''} de soins.{' '}
          <a href={`/remboursements/export.csv${filterQuery(filters)}`}>Télécharger en tableur (CSV)</a> ·{' '}
          <a href={`/remboursements/releve.pdf${filterQuery(filters)}`}>Relevé en PDF</a> · <a href="/remboursements/bilan">Bilan par année</a>
        </p>
      </section>

      {list.rows.length === 0 ? (
        <p class="notice" role="status">Aucun remboursement ne correspond à ces critères.</p>
      ) : (
        <table class="line-cards">
          <caption class="visually-hidden">Lignes de remboursement, les soins les plus récents d’abord</caption>
          <thead>
            <tr>
              <th scope="col">Soins</th>
              <th scope="col">Pour</th>
              <th scope="col">Date des soins</th>
              <th scope="col" class="num">Dépensé</th>
              <th scope="col" class="num">Sécurité sociale</th>
              <th scope="col" class="num">Mutuelle</th>
              <th scope="col" class="num">Reste à charge</th>
              <th scope="col">État</th>
            </tr>
          </thead>
          <tbody>
            {list.rows.map((r) => (
              <tr>
                <th scope="row" data-label="Soins">
                  <a href={`/remboursements/${r.id}`}>{r.act}</a>
                  <span class="muted">
                    {r.provider} · {r.channel}
                    {r.amountsPending ? `, reçue le ${formatFrenchDate(r.receivedOn)}` : ''}
                  </span>
                </th>
                <td data-label="Pour">{r.beneficiaryFirstName}</td>
                <td data-label="Date des soins">{formatFrenchDate(r.careDate)}</td>
                <td data-label="Dépensé" class="num">{formatEuros(r.chargedCents)}</td>
                {r.amountsPending ? (
                  <td data-label="Remboursement" colSpan={3} class="pending">
                    En attente de traitement
                  </td>
                ) : (
                  <>
                    <td data-label="Sécurité sociale" class="num">{formatEuros(r.amoNetCents)}</td>
                    <td data-label="Mutuelle" class="num">{formatEuros(r.amcCents)}</td>
                    <td data-label="Reste à charge" class="num">{formatEuros(r.remainingCents)}</td>
                  </>
                )}
                <td data-label="État">
                  <span class={`badge ${STATUS_CLASS[r.status]}`}>{r.statusLabel}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.next ? (
        <p>
          <a class="button button-light" href={`/remboursements${filterQuery(filters, { apres: list.next })}`}>
            Lignes plus anciennes
          </a>
        </p>
      ) : null}
      <p>
        <a href="/espace">Retour à mon espace</a>
      </p>
    </Layout>
  );
}

/** What the member sent with a paper claim (null for other lines). */
export type SentDocuments = { comment: string | null; files: { id: string; name: string; sizeBytes: number }[] } | null;

const wholeNumber = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });
const kilobytes = (bytes: number) => `${wholeNumber.format(Math.max(1, bytes / 1024))} Ko`;

export function ReimbursementDetailPage({ organisation, member, line, sent = null }: { organisation: Organisation; member: MemberBar; line: ReimbursementDetail; sent?: SentDocuments }) {
  const title = `${line.act} du ${formatFrenchDate(line.careDate)}`;
  return (
    <Layout title={title} organisationName={organisation.name} currentPath="/remboursements" member={member}>
      <p>
        <a href="/remboursements">← Mes remboursements</a>
      </p>
      <h1>{title}</h1>
      <p>
        Pour {line.beneficiaryFirstName} · {line.provider} · {line.channel} · <span class={`badge ${STATUS_CLASS[line.status]}`}>{line.statusLabel}</span>
      </p>
      <section class="panel" aria-labelledby="titre-montants">
        <h2 id="titre-montants">Les montants</h2>
        {line.amountsPending ? (
          <dl class="amounts">
            <div><dt>Montant payé</dt><dd>{formatEuros(line.chargedCents)}</dd></div>
            <div class="amounts-total"><dt>Sécurité sociale et mutuelle</dt><dd>En attente de traitement</dd></div>
          </dl>
        ) : (
        <dl class="amounts">
          <div><dt>Montant dépensé</dt><dd>{formatEuros(line.chargedCents)}</dd></div>
          <div><dt>Base de remboursement de la Sécurité sociale</dt><dd>{formatEuros(line.baseCents)}</dd></div>
          <div><dt>Sécurité sociale ({formatRateBp(line.amoRateBp)} de la base)</dt><dd>{formatEuros(line.amoCents)}</dd></div>
          {line.flatFeeCents > 0 ? <div><dt>Participation forfaitaire retenue</dt><dd>− {formatEuros(line.flatFeeCents)}</dd></div> : null}
          {line.deductibleCents > 0 ? <div><dt>Franchise médicale retenue</dt><dd>− {formatEuros(line.deductibleCents)}</dd></div> : null}
          <div><dt>Versé par la Sécurité sociale</dt><dd>{formatEuros(line.amoNetCents)}</dd></div>
          <div><dt>Versé par la mutuelle</dt><dd>{formatEuros(line.amcCents)}</dd></div>
          <div class="amounts-total"><dt>Reste à votre charge</dt><dd>{formatEuros(line.remainingCents)}</dd></div>
        </dl>
        )}
      </section>
      {sent ? (
        <section class="panel" aria-labelledby="titre-documents">
          <h2 id="titre-documents">Vos documents envoyés</h2>
          <ul>
            {sent.files.map((f) => (
              <li>
                <a href={`/remboursements/papier/fichiers/${f.id}`}>{f.name}</a> ({kilobytes(f.sizeBytes)})
              </li>
            ))}
          </ul>
          {sent.comment ? <p>Votre commentaire : {sent.comment}</p> : null}
        </section>
      ) : null}
      <section class="panel" aria-labelledby="titre-explication">
        <h2 id="titre-explication">Pourquoi ce reste à charge ?</h2>
        <p>{line.explanation}</p>
        {line.flatFeeCents > 0 || line.deductibleCents > 0 ? (
          <p>La participation forfaitaire et la franchise médicale sont fixées par la loi : aucune mutuelle ne peut les rembourser.</p>
        ) : null}
        {line.rejectionReason ? <p><strong>Motif du rejet :</strong> {line.rejectionReason}</p> : null}
      </section>
      <section class="panel" aria-labelledby="titre-paiement">
        <h2 id="titre-paiement">Le paiement</h2>
        {line.payment?.kind === 'MEMBER' ? (
          <p>
            Virement de {formatEuros(line.amcCents)} le {formatFrenchDate(line.payment.paidOn)}
            {line.payment.maskedIban ? `, sur votre compte ${line.payment.maskedIban}` : ''}.
          </p>
        ) : line.payment?.kind === 'PROVIDER' ? (
          <p>Payé directement au professionnel de santé (tiers payant) : vous n’avez rien avancé pour la part de la mutuelle.</p>
        ) : line.status === 'PAID' ? (
          <p>Aucun montant à verser par la mutuelle pour ce soin.</p>
        ) : line.status === 'REJECTED' ? (
          <p>La mutuelle ne verse rien pour ce soin.</p>
        ) : line.amountsPending ? (
          <p>Le paiement de la part mutuelle sera préparé dès que nos services auront traité votre envoi.</p>
        ) : (
          <p>Le paiement de la part mutuelle est en préparation : il part en général le jour ouvré suivant.</p>
        )}
      </section>
      <section class="panel" aria-labelledby="titre-suivi">
        <h2 id="titre-suivi">Le suivi</h2>
        <ol class="timeline">
          {line.timeline.map((step) => (
            <li>
              <strong>{step.label}</strong> le {at.format(new Date(step.at))}
            </li>
          ))}
        </ol>
        <p class="muted">Décompte n° {line.statementNumber}</p>
      </section>
    </Layout>
  );
}
