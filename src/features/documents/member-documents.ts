/**
 * « Mes documents » (issue 7): the register of issued versions. refreshDocuments issues a new version of every
 * document whose facts changed since the latest one (a beneficiary added, a contract changed, a new validity…), and
 * keeps the previous ones; the page, the API and the daily job call it. A version's facts are sealed in its row and
 * its PDF is rendered again from them (docs/decisions/008-member-documents.md).
 */
import type { Queryable } from '../../db/database.ts';
import { parisDate } from '../../domain/dates.ts';
import { decryptField, encryptField } from '../../platform/crypto.ts';
import { AppError } from '../../platform/errors.ts';
import { currentDocuments, DOCUMENT_TITLES, factsHash, type DocumentFacts, type DocumentKind, type FactsDeps } from './document-facts.ts';

/** Signs the verification code printed as a QR on the card and the attestation; null until keys are configured. */
export type SignDocument = (facts: DocumentFacts, documentHash: string, issuedAt: Date) => string | null;

export type DocumentsDeps = FactsDeps & { sign: SignDocument | null };

export type IssuedDocument = {
  id: string;
  kind: DocumentKind;
  scope: string;
  version: number;
  issuedAt: Date;
  /** The latest version of a document the member can still get today (an older version, or a card whose rights ended, is not). */
  current: boolean;
  /** « Carte de tiers payant », « Attestation fiscale 2025 »… */
  title: string;
};

/** Kinds that are issued once and never again: the bulletin d'adhésion stays as it was signed. */
const ISSUED_ONCE: ReadonlySet<DocumentKind> = new Set(['BULLETIN_ADHESION']);

export function documentTitle(kind: DocumentKind, scope: string): string {
  if (kind === 'ATTESTATION_FISCALE') return `${DOCUMENT_TITLES[kind]} ${scope}`;
  if (kind === 'ECHEANCIER') return `${DOCUMENT_TITLES[kind]} ${scope.split(' ')[0]} (contrat ${scope.split(' ')[1]})`;
  if (kind === 'BULLETIN_ADHESION') return `${DOCUMENT_TITLES[kind]} (contrat ${scope})`;
  return DOCUMENT_TITLES[kind];
}

type VersionRow = { id: string; kind: DocumentKind; scope: string; version: number; facts_hash: string; issued_at: Date };

/**
 * Issues what changed, then lists every version of the member's documents, newest first. Two requests at once may
 * both find a change: the unique (member, kind, scope, version) keeps one of them.
 */
export async function refreshDocuments(db: Queryable, deps: DocumentsDeps, memberId: string, now: Date, only?: DocumentKind): Promise<IssuedDocument[]> {
  const current = (await currentDocuments(db, deps, memberId, parisDate(now))).filter((d) => !only || d.kind === only);
  const latest = await latestVersions(db, memberId);
  for (const document of current) {
    const key = `${document.kind}|${document.scope}`;
    const last = latest.get(key);
    const hash = factsHash(document.facts);
    if (last && (last.facts_hash === hash || ISSUED_ONCE.has(document.kind))) continue;
    const code = deps.sign ? deps.sign(document.facts, hash, now) : null;
    await db.query(
      `INSERT INTO member_document (member_id, kind, scope, version, facts_enc, facts_hash, verification_code, issued_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (member_id, kind, scope, version) DO NOTHING`,
      [memberId, document.kind, document.scope, (last?.version ?? 0) + 1, encryptField(deps.dataEncryptionKey, JSON.stringify(document.facts)), hash, code, now],
    );
  }
  const currentKeys = new Set(current.map((d) => `${d.kind}|${d.scope}`));
  const { rows } = await db.query<VersionRow>(
    `SELECT id, kind, scope, version, facts_hash, issued_at FROM member_document WHERE member_id = $1 ${only ? 'AND kind = $2' : ''}
      ORDER BY issued_at DESC, kind, scope, version DESC`,
    only ? [memberId, only] : [memberId],
  );
  const newest = new Map<string, number>();
  for (const r of rows) newest.set(`${r.kind}|${r.scope}`, Math.max(newest.get(`${r.kind}|${r.scope}`) ?? 0, r.version));
  return rows.map((r) => {
    const key = `${r.kind}|${r.scope}`;
    return { id: r.id, kind: r.kind, scope: r.scope, version: r.version, issuedAt: new Date(r.issued_at), current: currentKeys.has(key) && newest.get(key) === r.version, title: documentTitle(r.kind, r.scope) };
  });
}

async function latestVersions(db: Queryable, memberId: string): Promise<Map<string, VersionRow>> {
  const { rows } = await db.query<VersionRow>(
    `SELECT DISTINCT ON (kind, scope) id, kind, scope, version, facts_hash, issued_at FROM member_document WHERE member_id = $1 ORDER BY kind, scope, version DESC`,
    [memberId],
  );
  return new Map(rows.map((r) => [`${r.kind}|${r.scope}`, r]));
}

export type StoredDocument = IssuedDocument & { facts: DocumentFacts; factsHash: string; verificationCode: string | null };

/** One version of the member's own documents; any other id (another member's included) is NOT_FOUND (AC-02). */
export async function getDocument(db: Queryable, deps: Pick<FactsDeps, 'dataEncryptionKey'>, memberId: string, documentId: string): Promise<StoredDocument> {
  const { rows } = await db.query<VersionRow & { facts_enc: string; verification_code: string | null; newest: number }>(
    `SELECT d.id, d.kind, d.scope, d.version, d.facts_hash, d.issued_at, d.facts_enc, d.verification_code,
            (SELECT max(version) FROM member_document n WHERE n.member_id = d.member_id AND n.kind = d.kind AND n.scope = d.scope) AS newest
       FROM member_document d WHERE d.id = $1 AND d.member_id = $2`,
    [documentId, memberId],
  );
  const r = rows[0];
  if (!r) throw new AppError('NOT_FOUND');
  return {
    id: r.id, kind: r.kind, scope: r.scope, version: r.version, issuedAt: new Date(r.issued_at), current: r.version === Number(r.newest), title: documentTitle(r.kind, r.scope),
    facts: JSON.parse(decryptField(deps.dataEncryptionKey, r.facts_enc)) as DocumentFacts, factsHash: r.facts_hash, verificationCode: r.verification_code,
  };
}

/** The latest version of the card or the attestation de droits, issued now if it changed; NOT_FOUND without rights today. */
export async function currentDocument(db: Queryable, deps: DocumentsDeps, memberId: string, kind: 'CARTE_TP' | 'ATTESTATION_DROITS', now: Date): Promise<StoredDocument> {
  const versions = await refreshDocuments(db, deps, memberId, now, kind);
  const latest = versions.find((v) => v.current);
  if (!latest) throw new AppError('NOT_FOUND', 'Aucun droit n’est ouvert aujourd’hui : ce document ne peut pas être établi. Contactez votre mutuelle.');
  return getDocument(db, deps, memberId, latest.id);
}

export type LetterDocument = { id: string; title: string; issuedAt: Date; fileName: string };

const LETTER_TITLES: Record<string, string> = {
  ACTIVATION_CODE: 'Courrier : votre code d’activation',
  CODE_RESET: 'Courrier : votre nouveau code d’activation',
  SECURITY_NOTICE: 'Courrier : information de sécurité',
};

/** Letters the mutuelle sent the member (generated or printed), newest first. */
export async function listLetters(db: Queryable, memberId: string): Promise<LetterDocument[]> {
  const { rows } = await db.query<{ id: string; kind: string; generated_at: Date; file_name: string }>(
    `SELECT id, kind, generated_at, file_name FROM letter WHERE member_id = $1 AND status IN ('GENERATED', 'PRINTED') ORDER BY generated_at DESC`,
    [memberId],
  );
  return rows.map((r) => ({ id: r.id, title: LETTER_TITLES[r.kind] ?? 'Courrier', issuedAt: new Date(r.generated_at), fileName: r.file_name }));
}

/** One of the member's letters; another member's (or a cancelled one) is NOT_FOUND. */
export async function getLetter(db: Queryable, memberId: string, letterId: string): Promise<LetterDocument> {
  const letter = (await listLetters(db, memberId)).find((l) => l.id === letterId);
  if (!letter) throw new AppError('NOT_FOUND');
  return letter;
}
