/**
 * « Mon espace » (issue 6), the page after login: quick links, the last transfers, the reimbursements in progress,
 * the rights, and the account's security pages. Plain HTML, no script; short lists that read well at 320 px.
 */
import { formatFrenchDate } from '../../domain/dates.ts';
import { formatEuros } from '../../domain/money.ts';
import { Layout, type MemberBar } from '../../platform/views/layout.tsx';
import type { DashboardBeneficiary, DashboardContract, MemberDashboard } from './member-dashboard.ts';

type Organisation = { name: string; phone: string };
export type QuickLink = { href: string; label: string };

const count = new Intl.NumberFormat('fr-FR');
const tel = (phone: string) => `tel:${phone.replace(/\s/g, '')}`;

function inProgressSentence(n: number): string {
  if (n === 0) return 'Aucun remboursement en cours de traitement.';
  return `${count.format(n)} remboursement${n > 1 ? 's' : ''} en cours de traitement.`;
}

function contractLine(c: DashboardContract): string {
  const kind = c.kind === 'COLLECTIVE' ? `Contrat collectif de votre employeur${c.employerName ? `, ${c.employerName},` : ''}` : 'Contrat individuel';
  const span = c.endDate ? `du ${formatFrenchDate(c.startDate)} au ${formatFrenchDate(c.endDate)}` : `depuis le ${formatFrenchDate(c.startDate)}`;
  return `${kind} ${span}`;
}

function Beneficiary({ b }: { b: DashboardBeneficiary }) {
  return (
    <li>
      <p>
        <strong>{b.firstName}</strong> — {b.relationship}, {b.sex === 'F' ? 'née' : 'né'} le {formatFrenchDate(b.birthDate)}
      </p>
      {b.current.length > 0 ? (
        <ul>
          {b.current.map((p) => (
            <li key={`${p.kind}-${p.startDate}`}>{p.text}</li>
          ))}
        </ul>
      ) : (
        <p>Aucun droit en cours.</p>
      )}
      {b.past.length > 0 ? (
        <>
          <p class="muted">Droits passés :</p>
          <ul>
            {b.past.map((p) => (
              <li key={`${p.kind}-${p.startDate}`}>{p.text}</li>
            ))}
          </ul>
        </>
      ) : null}
    </li>
  );
}

export type DashboardPageProps = { organisation: Organisation; member: MemberBar; dashboard: MemberDashboard; quickLinks: QuickLink[] };

export function DashboardPage({ organisation, member, dashboard, quickLinks }: DashboardPageProps) {
  const { payments, inProgress, rights } = dashboard;
  return (
    <Layout title="Mon espace" organisationName={organisation.name} currentPath="/espace" member={member}>
      <h1>{dashboard.firstName ? `Bonjour ${dashboard.firstName}` : 'Bonjour'}</h1>

      <nav aria-label="Accès rapides">
        <ul class="dashboard-links">
          {quickLinks.map((link) => (
            <li key={link.href}>
              <a href={link.href}>{link.label}</a>
            </li>
          ))}
        </ul>
      </nav>

      <section class="panel" aria-labelledby="titre-virements">
        <h2 id="titre-virements">Mes derniers virements</h2>
        {payments.length === 0 ? (
          <p>Aucun virement de la mutuelle pour le moment.</p>
        ) : (
          <ul class="dashboard-list">
            {payments.map((p) => (
              <li key={p.date}>
                <strong>{formatEuros(p.amountCents)}</strong> versés le {formatFrenchDate(p.date)}
                {p.maskedIban ? `, sur votre compte ${p.maskedIban}` : ''}
              </li>
            ))}
          </ul>
        )}
        <p class="muted">Les soins payés directement au professionnel de santé (tiers payant) ne donnent pas lieu à un virement.</p>
      </section>

      <section class="panel" aria-labelledby="titre-en-cours">
        <h2 id="titre-en-cours">Mes remboursements en cours</h2>
        <p>{inProgressSentence(inProgress.count)}</p>
        {inProgress.latest.length > 0 ? (
          <ul class="dashboard-list">
            {inProgress.latest.map((line) => (
              <li key={line.id}>
                <a href={`/remboursements/${line.id}`}>{line.act}</a> pour {line.beneficiaryFirstName}, soins du {formatFrenchDate(line.careDate)} : {line.statusLabel.toLowerCase()}
              </li>
            ))}
          </ul>
        ) : null}
        <p>
          <a href="/remboursements">Voir tous mes remboursements</a>
        </p>
      </section>

      <section class="panel" aria-labelledby="titre-droits">
        <h2 id="titre-droits">Mes droits</h2>
        <h3>{rights.contracts.length > 1 ? 'Mes contrats' : 'Mon contrat'}</h3>
        {rights.contracts.length === 0 ? (
          <p>Aucun contrat en cours aujourd’hui.</p>
        ) : (
          <ul class="dashboard-list">
            {rights.contracts.map((c) => (
              <li key={c.number}>
                <strong>{c.productName}</strong>, contrat n° {c.number}
                <br />
                {contractLine(c)}
              </li>
            ))}
          </ul>
        )}
        <h3>Les personnes couvertes</h3>
        {rights.beneficiaries.length === 0 ? (
          <p>Aucune personne couverte.</p>
        ) : (
          <ul class="dashboard-list">
            {rights.beneficiaries.map((b) => (
              <Beneficiary key={b.id} b={b} />
            ))}
          </ul>
        )}
      </section>

      <section class="panel" id="securite" aria-labelledby="titre-securite">
        <h2 id="titre-securite">Sécurité de mon compte</h2>
        <ul>
          <li>
            <a href="/profil/securite">Vue d’ensemble de la sécurité</a>
          </li>
          <li>
            <a href="/profil/securite/appareils">Mes appareils</a>
          </li>
          <li>
            <a href="/profil/securite/cles-d-acces">Mes clés d’accès</a>
          </li>
          <li>
            <a href="/profil/securite/sessions">Mes sessions</a>
          </li>
          <li>
            <a href="/profil/securite/code">Modifier mon code d’accès</a>
          </li>
        </ul>
      </section>

      <p class="muted">
        Une question ? Appelez-nous au <a href={tel(organisation.phone)}>{organisation.phone}</a> (appel non surtaxé).
      </p>
    </Layout>
  );
}
