/**
 * « Sécurité de mon compte » (/profil/securite, issue 8): one page gathering the access code, the open sessions, the
 * trusted devices and the passkeys, each with its actions (plain forms, no script; adding a passkey needs WebAuthn and
 * its script). Each topic also has its own page under /profil/securite/…, where the actions lead back with a notice.
 */
import { formatFrenchDate, parisDate } from '../../domain/dates.ts';
import { Layout, type MemberBar } from '../../platform/views/layout.tsx';
import { DevicesList } from '../auth/login-page.tsx';
import type { ActiveSession, TrustedDevice } from '../auth/member-sessions.ts';
import type { StoredPasskey } from '../auth/passkey-common.ts';
import { PasskeysList } from '../auth/passkey-page.tsx';
import { SECURITY_PATHS } from '../auth/security-paths.ts';
import { SessionsList } from '../auth/session-pages.tsx';
import { ACCESS_HISTORY_PATH } from '../privacy/paths.ts';
import { ProfileNav } from '../profile/profile-nav.tsx';

type Organisation = { name: string; phone: string };

export type SecurityOverview = { codeSetAt: Date | null; sessions: ActiveSession[]; devices: TrustedDevice[]; passkeys: StoredPasskey[] };


export function SecurityPage({ organisation, member, overview }: { organisation: Organisation; member: MemberBar; overview: SecurityOverview }) {
  const { codeSetAt, sessions, devices, passkeys } = overview;
  return (
    <Layout title="Sécurité de mon compte" organisationName={organisation.name} currentPath={SECURITY_PATHS.hub} member={member}>
      <ProfileNav current="/profil/securite" />
      <h1>Sécurité de mon compte</h1>
      <p>
        Vérifiez ici qui peut accéder à votre espace. Si quelque chose ne vous semble pas normal, terminez les sessions et retirez les appareils que vous ne
        reconnaissez pas, puis modifiez votre code d’accès. Consultez aussi l’<a href={ACCESS_HISTORY_PATH}>historique des accès à mon dossier</a>.
      </p>

      <section class="panel" aria-labelledby="titre-code">
        <h2 id="titre-code">Mon code d’accès</h2>
        <p>{codeSetAt ? `Votre code d’accès a été choisi le ${formatFrenchDate(parisDate(codeSetAt))}.` : 'Vous n’avez pas encore de code d’accès.'}</p>
        <p class="muted">Vous n’avez pas à le changer régulièrement : changez-le si vous pensez que quelqu’un le connaît. Les autres sessions sont alors fermées.</p>
        <p>
          <a href={SECURITY_PATHS.code}>Modifier mon code d’accès</a>
        </p>
      </section>

      <section class="panel" aria-labelledby="titre-sessions">
        <h2 id="titre-sessions">Mes sessions ouvertes</h2>
        <SessionsList sessions={sessions} csrfToken={member.csrfToken} />
      </section>

      <section class="panel" aria-labelledby="titre-appareils">
        <h2 id="titre-appareils">Mes appareils de confiance</h2>
        <p>Ces appareils se connectent sans code de confirmation pendant 90 jours.</p>
        <DevicesList devices={devices} csrfToken={member.csrfToken} />
      </section>

      <section class="panel" aria-labelledby="titre-cles">
        <h2 id="titre-cles">Mes clés d’accès</h2>
        <p>Une clé d’accès vous connecte sans numéro de Sécurité sociale ni code : elle reste sur votre appareil.</p>
        <PasskeysList passkeys={passkeys} csrfToken={member.csrfToken} />
      </section>

      <p>
        <a href="/espace">Retour à mon espace</a>
      </p>
    </Layout>
  );
}
