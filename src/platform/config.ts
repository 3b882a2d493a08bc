import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { NirPolicy } from '../domain/documents/tp-card.ts';
import { normaliseIban, parseIban } from '../domain/identity/iban.ts';
import { isSepaBic, sepaText, SEPA_NAME_MAX } from '../domain/payments/pain001.ts';
import { dataKey, type DataKey } from './crypto.ts';

const secret = (name: string) =>
  z
    .string()
    .regex(/^[0-9a-f]{64}$/i, `${name} doit contenir 64 caractères hexadécimaux (32 octets)`)
    .optional();

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  INBOX_DIR: z.string().min(1).optional(),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  HTTP_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().min(3).default('Mutuelle Exemple <ne-pas-repondre@mutuelle.example>'),
  TRUST_PROXY: z
    .string()
    .regex(/^[0-9a-fA-F:.,/ ]+$/, 'liste d’adresses IP ou de réseaux (CIDR) séparés par des virgules')
    .optional(),
  DOCUMENT_NIR: z.enum(['masked', 'full', 'none'], 'masked, full ou none').default('masked'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  UPLOAD_MAX_FILE_MB: z.coerce.number().int().min(1).max(50).default(10),
  UPLOAD_MAX_FILES: z.coerce.number().int().min(1).max(20).default(5),
  SESSION_SECRET: secret('SESSION_SECRET'),
  CODE_PEPPER: secret('CODE_PEPPER'),
  DATA_ENCRYPTION_KEY: secret('DATA_ENCRYPTION_KEY'),
  BLIND_INDEX_KEY: secret('BLIND_INDEX_KEY'),
  DATA_ENCRYPTION_RETIRED_KEYS: z
    .string()
    .regex(/^[0-9a-f]{64}(\s*,\s*[0-9a-f]{64})*$/i, 'clés de 64 caractères hexadécimaux séparées par des virgules')
    .optional(),
  DOCUMENT_SIGNING_KEYS: z.string().optional(),
  DOCUMENT_SIGNING_KEY_ID: z.string().optional(),
  DOCUMENT_REVOKED_KEY_IDS: z.string().optional(),
  PAYMENTS_DEBTOR_NAME: z
    .string()
    .max(SEPA_NAME_MAX, `${SEPA_NAME_MAX} caractères au plus (limite SEPA)`)
    .refine((name) => sepaText(name, SEPA_NAME_MAX) !== '', 'le nom doit contenir des lettres ou des chiffres')
    .optional(),
  PAYMENTS_DEBTOR_IBAN: z
    .string()
    .superRefine((iban, ctx) => {
      const parsed = parseIban(iban);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error.message });
    })
    .optional(),
  PAYMENTS_DEBTOR_BIC: z
    .string()
    .refine(isSepaBic, 'BIC invalide : 4 lettres (banque), 2 lettres (pays), 2 caractères (ville), puis 3 caractères facultatifs (agence)')
    .optional(),
});

/** The demo mutuelle's account (domain.md §10.1 example IBAN): used outside production when PAYMENTS_DEBTOR_IBAN is unset. */
export const DEMO_PAYMENTS_DEBTOR = { name: 'Mutuelle des Tilleuls', iban: 'FR7630006000011234567890189', bic: 'AGRIFRPPXXX' } as const;

export type Secrets = {
  sessionSecret: Buffer;
  codePepper: Buffer;
  /** Seals new values; opens those sealed by it or by a retired key (key rotation, docs/operations.md). */
  dataEncryptionKey: DataKey;
  blindIndexKey: Buffer;
};

/** An EC P-256 key as a JWK: with `d` it signs, without it only verifies (a retired key whose private part was destroyed). */
export type DocumentSigningJwk = { kty: 'EC'; crv: 'P-256'; kid: string; x: string; y: string; d?: string };

export type DocumentSigningConfig = {
  /** Written in every code: the portal's public URL, where /verifier and /.well-known/jwks.json answer. */
  issuer: string;
  activeKeyId: string;
  keys: DocumentSigningJwk[];
  revokedKeyIds: string[];
};

export type Config = {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  /** Where `espace pay` and the daily payment job write the SEPA credit-transfer files (`<dataDir>/payments`). */
  paymentsDir: string;
  /** The mutuelle's account debited by reimbursement transfers; null in production until PAYMENTS_DEBTOR_IBAN is set (no payment runs then). */
  paymentsDebtor: { name: string; iban: string; bic: string } | null;
  /** Watched folder of DCPT1 lots (`<dataDir>/inbox` by default), with rejected/ and done/ inside. */
  inboxDir: string;
  databaseUrl: string | undefined;
  /** Processes of `espace serve` sharing the port (node:cluster); more than 1 needs a PostgreSQL server. */
  httpWorkers: number;
  /** What openDatabase needs: the server (or the embedded database under DATA_DIR/pglite) and the pool's size. */
  database: { url: string | undefined; dataDir: string; poolSize: number };
  smtpUrl: string | undefined;
  mailFrom: string;
  logLevel: string;
  /** How the card, attestations and bulletin print NIRs: masked (sex, year and key visible; default), in full, or not at all. */
  documentNir: NirPolicy;
  /** Reverse proxies whose X-Forwarded-For is believed (client IP for throttling and audit); none by default. */
  trustProxy: string[];
  /** Files members upload (FILE-01): bytes per file and files per sending; a larger request is refused before it is read. */
  uploads: { maxFileBytes: number; maxFiles: number };
  secrets: Secrets;
  /** Keys of the signed verification codes on cards and attestations (issue 7). */
  documentSigning: DocumentSigningConfig;
  devTools: boolean;
};

export class ConfigError extends Error {
  constructor(readonly variable: string, detail: string) {
    super(`Configuration invalide : ${variable} — ${detail}`);
    this.name = 'ConfigError';
  }
}

const SECRET_NAMES = ['SESSION_SECRET', 'CODE_PEPPER', 'DATA_ENCRYPTION_KEY', 'BLIND_INDEX_KEY'] as const;

/** Reads and validates the environment once; feature code receives the result, never process.env. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (as `.env` files write them) means "not set".
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0] ?? '?'), issue.message);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  if (e.NODE_ENV === 'production') {
    for (const name of SECRET_NAMES) {
      if (!e[name]) throw new ConfigError(name, 'obligatoire en production (64 caractères hexadécimaux)');
    }
    if (!e.PUBLIC_URL) throw new ConfigError('PUBLIC_URL', 'obligatoire en production (adresse publique du portail)');
  }
  // The embedded database belongs to one process.
  if (e.HTTP_WORKERS > 1 && !e.DATABASE_URL) throw new ConfigError('HTTP_WORKERS', 'plus d’un processus demande un serveur PostgreSQL (DATABASE_URL)');
  const paymentsDebtor = debtorOf(e);
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  const devSecrets = SECRET_NAMES.some((n) => !e[n]) ? loadOrCreateDevSecrets(dataDir) : undefined;
  const pick = (name: (typeof SECRET_NAMES)[number]) => Buffer.from(e[name] ?? devSecrets![name]!, 'hex');
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicUrl,
    dataDir,
    paymentsDir: path.join(dataDir, 'payments'),
    paymentsDebtor,
    inboxDir: path.resolve(e.INBOX_DIR ?? path.join(dataDir, 'inbox')),
    databaseUrl: e.DATABASE_URL,
    httpWorkers: e.HTTP_WORKERS,
    database: { url: e.DATABASE_URL, dataDir: path.join(dataDir, 'pglite'), poolSize: e.DATABASE_POOL_SIZE },
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    logLevel: e.LOG_LEVEL,
    documentNir: e.DOCUMENT_NIR,
    trustProxy: e.TRUST_PROXY ? e.TRUST_PROXY.split(',').map((a) => a.trim()).filter(Boolean) : [],
    uploads: { maxFileBytes: e.UPLOAD_MAX_FILE_MB * 1024 * 1024, maxFiles: e.UPLOAD_MAX_FILES },
    secrets: {
      sessionSecret: pick('SESSION_SECRET'),
      codePepper: pick('CODE_PEPPER'),
      dataEncryptionKey: dataKey(pick('DATA_ENCRYPTION_KEY'), retiredKeysOf(e)),
      blindIndexKey: pick('BLIND_INDEX_KEY'),
    },
    documentSigning: documentSigningOf(e, dataDir, publicUrl),
    devTools: e.NODE_ENV !== 'production',
  };
}

function retiredKeysOf(e: z.infer<typeof envSchema>): Buffer[] {
  const keys = (e.DATA_ENCRYPTION_RETIRED_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  if (e.DATA_ENCRYPTION_KEY && keys.some((k) => k.toLowerCase() === e.DATA_ENCRYPTION_KEY!.toLowerCase())) {
    throw new ConfigError('DATA_ENCRYPTION_RETIRED_KEYS', 'la clé active DATA_ENCRYPTION_KEY ne peut pas y figurer');
  }
  return keys.map((k) => Buffer.from(k, 'hex'));
}

// The three settings go together: a real IBAN with the demo BIC or name would make a file the bank rejects.
function debtorOf(e: z.infer<typeof envSchema>): Config['paymentsDebtor'] {
  if (!e.PAYMENTS_DEBTOR_IBAN) {
    if (e.NODE_ENV === 'production') return null;
    if (e.PAYMENTS_DEBTOR_BIC) throw new ConfigError('PAYMENTS_DEBTOR_IBAN', 'obligatoire quand PAYMENTS_DEBTOR_BIC est défini');
    return { ...DEMO_PAYMENTS_DEBTOR, name: e.PAYMENTS_DEBTOR_NAME ?? DEMO_PAYMENTS_DEBTOR.name };
  }
  if (!e.PAYMENTS_DEBTOR_BIC) throw new ConfigError('PAYMENTS_DEBTOR_BIC', 'obligatoire quand PAYMENTS_DEBTOR_IBAN est défini (BIC de la banque du compte)');
  if (!e.PAYMENTS_DEBTOR_NAME && e.NODE_ENV === 'production') throw new ConfigError('PAYMENTS_DEBTOR_NAME', 'obligatoire en production avec PAYMENTS_DEBTOR_IBAN (nom du titulaire du compte)');
  return {
    name: e.PAYMENTS_DEBTOR_NAME ?? DEMO_PAYMENTS_DEBTOR.name,
    iban: normaliseIban(e.PAYMENTS_DEBTOR_IBAN),
    bic: e.PAYMENTS_DEBTOR_BIC.replace(/\s/g, '').toUpperCase(),
  };
}

// Outside production, missing secrets are generated once and kept in the data folder so restarts keep working.
function loadOrCreateDevSecrets(dataDir: string): Record<string, string> {
  const file = path.join(dataDir, 'dev-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  mkdirSync(dataDir, { recursive: true });
  const secrets = Object.fromEntries(SECRET_NAMES.map((n) => [n, randomBytes(32).toString('hex')]));
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;
const signingJwkSchema = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  kid: z.string().regex(KEY_ID, 'kid : 1 à 32 caractères parmi lettres, chiffres, « . », « _ » et « - »'),
  x: z.string().min(1),
  y: z.string().min(1),
  d: z.string().min(1).optional(),
});

function documentSigningOf(e: z.infer<typeof envSchema>, dataDir: string, issuer: string): DocumentSigningConfig {
  if (!e.DOCUMENT_SIGNING_KEYS && e.NODE_ENV === 'production') {
    throw new ConfigError('DOCUMENT_SIGNING_KEYS', 'obligatoire en production (clés JWK EC P-256 au format JSON, voir `espace document-key`)');
  }
  const keys = e.DOCUMENT_SIGNING_KEYS ? parseSigningKeys(e.DOCUMENT_SIGNING_KEYS) : [loadOrCreateDevSigningKey(dataDir)];
  const revokedKeyIds = (e.DOCUMENT_REVOKED_KEY_IDS ?? '').split(',').map((id) => id.trim()).filter(Boolean);
  const signers = keys.filter((k) => k.d !== undefined);
  const activeKeyId = e.DOCUMENT_SIGNING_KEY_ID ?? (signers.length === 1 ? signers[0]!.kid : undefined);
  if (!activeKeyId) throw new ConfigError('DOCUMENT_SIGNING_KEY_ID', 'obligatoire quand DOCUMENT_SIGNING_KEYS contient plusieurs clés privées (identifiant de la clé qui signe)');
  if (!signers.some((k) => k.kid === activeKeyId)) throw new ConfigError('DOCUMENT_SIGNING_KEY_ID', `aucune clé privée « ${activeKeyId} » dans DOCUMENT_SIGNING_KEYS`);
  if (revokedKeyIds.includes(activeKeyId)) throw new ConfigError('DOCUMENT_REVOKED_KEY_IDS', `la clé active « ${activeKeyId} » ne peut pas être révoquée`);
  return { issuer, activeKeyId, keys, revokedKeyIds };
}

function parseSigningKeys(text: string): DocumentSigningJwk[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError('DOCUMENT_SIGNING_KEYS', 'JSON invalide (tableau de clés JWK)');
  }
  const parsed = z.array(signingJwkSchema).min(1).safeParse(Array.isArray(json) ? json : [json]);
  if (!parsed.success) throw new ConfigError('DOCUMENT_SIGNING_KEYS', `clé JWK EC P-256 attendue : ${parsed.error.issues[0]!.path.join('.')} ${parsed.error.issues[0]!.message}`);
  const keys = parsed.data;
  const ids = new Set<string>();
  for (const key of keys) {
    if (ids.has(key.kid)) throw new ConfigError('DOCUMENT_SIGNING_KEYS', `kid « ${key.kid} » en double`);
    ids.add(key.kid);
    try {
      // Checks the point is on the curve (and `d` matches) now rather than at the first signature.
      if (key.d) createPrivateKey({ key, format: 'jwk' });
      else createPublicKey({ key, format: 'jwk' });
    } catch {
      throw new ConfigError('DOCUMENT_SIGNING_KEYS', `clé « ${key.kid} » invalide (point hors de la courbe P-256 ou partie privée incohérente)`);
    }
  }
  return keys;
}

/** A fresh P-256 signing key as a private JWK (also what `espace document-key` prints). */
export function generateDocumentSigningKey(kid: string): DocumentSigningJwk {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  return { kty: 'EC', crv: 'P-256', kid, x: jwk.x!, y: jwk.y!, d: jwk.d! };
}

// Outside production the signing key is generated once in the data folder; link() publishes it atomically, so concurrent first starts agree on one key.
function loadOrCreateDevSigningKey(dataDir: string): DocumentSigningJwk {
  const file = path.join(dataDir, 'dev-document-key.json');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(draft, JSON.stringify(generateDocumentSigningKey('dev-1'), null, 2), { mode: 0o600 });
    try {
      linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(draft);
    }
  }
  return signingJwkSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}
