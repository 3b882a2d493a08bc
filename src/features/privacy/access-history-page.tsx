/**
 * « Historique des accès à mon dossier » (/profil/acces): a plain list, newest first, with a link to older entries
 * (keyset pagination, no script). Reads well at 320 px: each entry is a few short lines, no table.
 */
import { Layout, type MemberBar } from '../../platform/views/layout.tsx';
import { SECURITY_PATHS } from '../auth/security-paths.ts';
import type { AccessEvent } from './access-history.ts';
import { ACCESS_HISTORY_PATH } from './paths.ts';
import { ProfileNav } from '../profile/profile-nav.tsx';

type Organisation = { name: string; phone: string };

const when = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' });
const tel = (phone: string) => `tel:${phone.replace(/\s/g, '')}`;

export type AccessHistoryPageProps = {
  organisation: Organisation;
  member: MemberBar;
  events: AccessEvent[];
  nextCursor: string | null;
  /** True past the first page: offers the way back to the newest entries. */
  older: boolean;
  /** A beneficiary's own login: only their own accesses are listed. */
  ownOnly: boolean;
};

export function AccessHistoryPage({ organisation, member, events, nextCursor, older, ownOnly }: AccessHistoryPageProps) {
  return (
    <Layout title="Historique des accès à mon dossier" organisationName={organisation.name} currentPath={ACCESS_HISTORY_PATH} member={member}>
      <ProfileNav current="/profil/acces" />
      <h1>Historique des accès à mon dossier</h1>
      <p>
        {ownOnly
          ? 'Voici les connexions à votre compte et les consultations de votre dossier par la mutuelle.'
          : 'Voici les connexions à votre espace, les tentatives refusées, les changements de code et chaque consultation de votre dossier par le personnel de la mutuelle.'}{' '}
        Le lieu indiqué est le réseau d’où venait la connexion, pas une adresse précise.
      </p>
      <section class="panel" aria-labelledby="titre-acces">
        <h2 id="titre-acces">{older ? 'Accès plus anciens' : 'Accès les plus récents'}</h2>
        {events.length === 0 ? (
          <p>{older ? 'Aucun accès plus ancien.' : 'Aucun accès enregistré pour le moment.'}</p>
        ) : (
          <ol class="dashboard-list access-list">
            {events.map((e) => (
              <li key={e.id}>
                <p>
                  <strong>{e.title}</strong>
                </p>
                <p>
                  Le {when.format(e.at).replace(' ', ' à ')} — {e.by}
                </p>
                {e.reason ? <p>Motif : {e.reason}</p> : null}
                {e.device || e.place ? (
                  <p class="muted">
                    {[e.device ? `Appareil : ${e.device}` : null, e.place ? `Lieu approximatif : ${e.place}` : null].filter(Boolean).join(' · ')}
                  </p>
                ) : null}
              </li>
            ))}
          </ol>
        )}
        <p class="button-row">
          {nextCursor ? (
            <a class="button button-secondary" href={`${ACCESS_HISTORY_PATH}?avant=${nextCursor}`}>
              Voir les accès plus anciens
            </a>
          ) : null}
          {older ? <a href={ACCESS_HISTORY_PATH}>Revenir aux accès les plus récents</a> : null}
        </p>
      </section>
      <section class="panel" aria-labelledby="titre-inconnu">
        <h2 id="titre-inconnu">Un accès que vous ne reconnaissez pas ?</h2>
        <p>
          {ownOnly ? null : (
            <>
              Terminez les sessions et retirez les appareils inconnus dans <a href={SECURITY_PATHS.hub}>la sécurité de mon compte</a>, puis modifiez votre code
              d’accès.{' '}
            </>
          )}
          Pour une consultation de votre dossier qui vous étonne, appelez-nous au <a href={tel(organisation.phone)}>{organisation.phone}</a> (appel non surtaxé) ou
          écrivez au délégué à la protection des données de la mutuelle.
        </p>
      </section>
    </Layout>
  );
}
