/**
 * Security notices (THR-04, AUTH-06, RST-03): a lock, a new trusted device, a passkey added, an export of the data. The member hears of each by
 * email at the verified address on file, or by a SECURITY_NOTICE letter when there is none (many members have no
 * email). FRD-07: no NIR, no code, no health data, never a request for the code. The code-changed notice lives with
 * the code itself (recovery-common.ts applyNewCode) and follows the same rule.
 */
import type { Queryable } from '../../db/database.ts';
import type { LockKind } from '../../domain/auth/lockout.ts';
import type { AppDependencies } from '../../platform/http/server.ts';
import type { DataKey } from '../../platform/crypto.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { formatParisDateTime } from '../../domain/dates.ts';
import { parisDate } from '../letters/letter-model.ts';
import { queueLetter } from '../letters/queue-letter.ts';
import { dataExportNoticeMail, lockNoticeMail, newDeviceNoticeMail } from './login-mails.ts';
import { verifiedEmailOf } from './new-device.ts';
import { passkeyNoticeMail } from './passkey-registration.ts';

export type SecurityNotice =
  | { kind: 'LOCK'; lock: LockKind }
  | { kind: 'NEW_DEVICE'; deviceLabel: string; deviceId: string }
  | { kind: 'PASSKEY_ADDED'; label: string; credentialId: string }
  | { kind: 'DATA_EXPORTED'; exportId: string };

export type NoticeDeps = {
  /** config.secrets.dataEncryptionKey opens the member's sealed email. */
  config: { secrets: { dataEncryptionKey: DataKey } };
  jobs: Jobs;
  jobDefinitions: Pick<AppDependencies['jobDefinitions'], 'sendEmail' | 'generateLetter'>;
  mailCommon: { organisationName: string; phone: string; publicUrl: string };
};

export type NoticeChannel = 'EMAIL' | 'LETTER' | 'NONE';


function letterOf(notice: SecurityNotice, at: Date, publicUrl: string): { subject: string; paragraphs: string[] } {
  const when = formatParisDateTime(at);
  switch (notice.kind) {
    case 'LOCK':
      return {
        subject: 'Accès à votre espace adhérent suspendu',
        paragraphs: [
          notice.lock === 'TEMPORARY'
            ? `Le ${when}, après plusieurs codes d’accès erronés, l’accès à votre espace adhérent a été suspendu pendant 15 minutes.`
            : `Le ${when}, après de trop nombreux codes d’accès erronés, l’accès à votre espace adhérent a été suspendu jusqu’à ce que vous choisissiez un nouveau code.`,
          `Pour retrouver l’accès, demandez un nouveau code sur ${publicUrl}/code-oublie : vous recevrez un courrier avec un code d’activation.`,
          'Si vous n’êtes pas à l’origine de ces essais, quelqu’un tente peut-être d’accéder à votre compte. Nous ne vous demanderons jamais votre code d’accès.',
        ],
      };
    case 'NEW_DEVICE':
      return {
        subject: 'Nouvel appareil connecté à votre espace adhérent',
        paragraphs: [
          `Le ${when}, un nouvel appareil (${notice.deviceLabel}) a été ajouté à vos appareils de confiance dans votre espace adhérent.`,
          `Si c’est bien vous, vous n’avez rien à faire. Sinon, retirez-le de la liste « Mes appareils » sur ${publicUrl}/profil/securite/appareils et demandez un nouveau code d’accès sur ${publicUrl}/code-oublie.`,
        ],
      };
    case 'PASSKEY_ADDED':
      return {
        subject: 'Nouvelle clé d’accès ajoutée à votre espace adhérent',
        paragraphs: [
          `Le ${when}, une clé d’accès (${notice.label}) a été ajoutée à votre espace adhérent : elle permet de vous connecter sans saisir votre code.`,
          `Si c’est bien vous, vous n’avez rien à faire. Sinon, retirez-la de la liste « Mes clés d’accès » sur ${publicUrl}/profil/securite/cles-d-acces et demandez un nouveau code d’accès sur ${publicUrl}/code-oublie.`,
        ],
      };
    case 'DATA_EXPORTED':
      return {
        subject: 'Vos données personnelles ont été exportées',
        paragraphs: [
          `Le ${when}, une copie de vos données personnelles a été téléchargée depuis votre espace adhérent (page « Mes données »).`,
          `Si c’est bien vous, vous n’avez rien à faire. Sinon, terminez les sessions ouvertes sur ${publicUrl}/profil/securite et demandez un nouveau code d’accès sur ${publicUrl}/code-oublie.`,
        ],
      };
  }
}

/** A letter costs postage and an attacker can cause locks at will: at most one lock letter per kind and Paris day. */
function letterKey(memberId: string, notice: SecurityNotice, at: Date): string {
  switch (notice.kind) {
    case 'LOCK':
      return `lock-notice:${memberId}:${notice.lock}:${parisDate(at)}`;
    case 'NEW_DEVICE':
      return `new-device-notice:${notice.deviceId}`;
    case 'PASSKEY_ADDED':
      return `passkey-notice:${notice.credentialId.slice(0, 60)}`;
    // At most one letter a day however many exports: the access history lists each of them.
    case 'DATA_EXPORTED':
      return `data-export-notice:${memberId}:${parisDate(at)}`;
  }
}

/** In the caller's transaction: the email (verified address) or the letter, sent after commit by their jobs. */
export async function sendSecurityNotice(tx: Queryable, deps: NoticeDeps, memberId: string, notice: SecurityNotice, at: Date): Promise<NoticeChannel> {
  const to = await verifiedEmailOf(tx, deps.config.secrets.dataEncryptionKey, memberId);
  if (to) {
    const common = { ...deps.mailCommon, to };
    const mail =
      notice.kind === 'LOCK'
        ? lockNoticeMail({ ...common, temporary: notice.lock === 'TEMPORARY', lockKey: `${memberId}:${at.getTime()}` })
        : notice.kind === 'NEW_DEVICE'
          ? newDeviceNoticeMail({ ...common, deviceLabel: notice.deviceLabel, deviceId: notice.deviceId })
          : notice.kind === 'PASSKEY_ADDED'
            ? passkeyNoticeMail({ ...common, label: notice.label, credentialId: notice.credentialId })
            : dataExportNoticeMail({ ...common, exportId: notice.exportId });
    await deps.jobs.enqueue(tx, deps.jobDefinitions.sendEmail, mail);
    return 'EMAIL';
  }
  try {
    await queueLetter(tx, deps.jobs, deps.jobDefinitions.generateLetter, {
      memberId,
      kind: 'SECURITY_NOTICE',
      content: letterOf(notice, at, deps.mailCommon.publicUrl),
      idempotencyKey: letterKey(memberId, notice, at),
      at,
    });
    return 'LETTER';
  } catch (error) {
    // No postal address on file: nothing can be posted; the audit row of the event still records it.
    if ((error as { code?: string }).code !== 'CONFLICT') throw error;
    return 'NONE';
  }
}
