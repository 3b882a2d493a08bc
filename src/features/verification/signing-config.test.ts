import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { TEST_SECRETS } from '../../../test/app.ts';
import { generateDocumentSigningKey, loadConfig } from '../../platform/config.ts';

const dataDir = () => mkdtempSync(path.join(tmpdir(), 'espace-signing-'));
const { DOCUMENT_SIGNING_KEYS: _testKey, ...secrets } = TEST_SECRETS;
const production = { NODE_ENV: 'production', PUBLIC_URL: 'https://espace.mutuelle.example', ...secrets };

describe('document signing keys in the configuration', () => {
  test('production refuses to start without a signing key, as without the other secrets', () => {
    expect(() => loadConfig({ ...production, DATA_DIR: dataDir() })).toThrow(/DOCUMENT_SIGNING_KEYS — obligatoire en production/);
    const key = generateDocumentSigningKey('2026-11');
    const config = loadConfig({ ...production, DATA_DIR: dataDir(), DOCUMENT_SIGNING_KEYS: JSON.stringify([key]) });
    expect(config.documentSigning).toEqual({ issuer: 'https://espace.mutuelle.example', activeKeyId: '2026-11', keys: [key], revokedKeyIds: [] });
  });

  test('outside production a key is generated once in the data folder (0600) and kept across restarts', () => {
    const dir = dataDir();
    const first = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir, ...secrets }).documentSigning;
    const again = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir, ...secrets }).documentSigning;
    expect(first.keys).toHaveLength(1);
    expect(again.keys).toEqual(first.keys);
    expect(first.issuer).toBe('http://localhost:3000');
    expect(statSync(path.join(dir, 'dev-document-key.json')).mode & 0o777).toBe(0o600);
  });

  test('rotation settings: the active key id picks the signer, revoked ids are listed; wrong settings are refused with the variable named', () => {
    const [k1, k2] = [generateDocumentSigningKey('k1'), generateDocumentSigningKey('k2')];
    const env = (extra: Record<string, string>) => ({ ...production, DATA_DIR: dataDir(), ...extra });
    expect(loadConfig(env({ DOCUMENT_SIGNING_KEYS: JSON.stringify([k1, k2]), DOCUMENT_SIGNING_KEY_ID: 'k2', DOCUMENT_REVOKED_KEY_IDS: ' k0, k1 ' })).documentSigning).toMatchObject({ activeKeyId: 'k2', revokedKeyIds: ['k0', 'k1'] });
    const { d: _d, ...publicK1 } = k1;
    expect(loadConfig(env({ DOCUMENT_SIGNING_KEYS: JSON.stringify([publicK1, k2]) })).documentSigning.activeKeyId).toBe('k2');
    const refused: [Record<string, string>, RegExp][] = [
      [{ DOCUMENT_SIGNING_KEYS: '{pas du json' }, /DOCUMENT_SIGNING_KEYS — JSON invalide/],
      [{ DOCUMENT_SIGNING_KEYS: JSON.stringify([{ ...k1, crv: 'P-384' }]) }, /DOCUMENT_SIGNING_KEYS — clé JWK EC P-256 attendue/],
      [{ DOCUMENT_SIGNING_KEYS: JSON.stringify([{ ...k1, x: k2.x }]) }, /DOCUMENT_SIGNING_KEYS — clé « k1 » invalide/],
      [{ DOCUMENT_SIGNING_KEYS: JSON.stringify([k1, { ...k2, kid: 'k1' }]) }, /kid « k1 » en double/],
      [{ DOCUMENT_SIGNING_KEYS: JSON.stringify([k1, k2]) }, /DOCUMENT_SIGNING_KEY_ID — obligatoire quand/],
      [{ DOCUMENT_SIGNING_KEYS: JSON.stringify([publicK1, k2]), DOCUMENT_SIGNING_KEY_ID: 'k1' }, /DOCUMENT_SIGNING_KEY_ID — aucune clé privée « k1 »/],
      [{ DOCUMENT_SIGNING_KEYS: JSON.stringify([k1, k2]), DOCUMENT_SIGNING_KEY_ID: 'k2', DOCUMENT_REVOKED_KEY_IDS: 'k2' }, /DOCUMENT_REVOKED_KEY_IDS — la clé active/],
    ];
    for (const [extra, message] of refused) expect(() => loadConfig(env(extra)), JSON.stringify(extra).slice(0, 80)).toThrow(message);
  });
});
