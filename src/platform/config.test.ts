import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { TEST_SECRETS } from '../../test/app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { decryptField, encryptField } from './crypto.ts';

const run = promisify(execFile);
const dataDir = () => mkdtempSync(path.join(tmpdir(), 'espace-config-'));

describe('configuration', () => {
  test('defaults: port 3000, ./data, embedded database, outbox mail', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.smtpUrl).toBeUndefined();
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.secrets.sessionSecret).toHaveLength(32);
  });

  test.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['SMTP_URL', 'http://mail'],
    ['NODE_ENV', 'staging'],
    ['SESSION_SECRET', 'too-short'],
    ['PAYMENTS_DEBTOR_IBAN', 'FR7630006000011234567890188'],
    ['PAYMENTS_DEBTOR_BIC', 'AGRI'],
    ['PAYMENTS_DEBTOR_NAME', '王秀英'],
  ])('an invalid %s stops start-up with a message naming it', (name, value) => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: dataDir(), [name]: value })).toThrow(name);
  });

  test('DATA_ENCRYPTION_RETIRED_KEYS: keys of an earlier rotation still open what they sealed; the active key cannot be one', () => {
    const retired = '55'.repeat(32);
    const config = loadConfig({ DATA_DIR: dataDir(), ...TEST_SECRETS, DATA_ENCRYPTION_RETIRED_KEYS: `${retired}, ${'66'.repeat(32)}` });
    expect(config.secrets.dataEncryptionKey.equals(Buffer.from(TEST_SECRETS.DATA_ENCRYPTION_KEY, 'hex'))).toBe(true);
    expect(config.secrets.dataEncryptionKey.retired?.map((k) => k.toString('hex'))).toEqual([retired, '66'.repeat(32)]);
    expect(decryptField(config.secrets.dataEncryptionKey, encryptField(Buffer.from(retired, 'hex'), 'x'))).toBe('x');
    expect(() => loadConfig({ DATA_DIR: dataDir(), ...TEST_SECRETS, DATA_ENCRYPTION_RETIRED_KEYS: 'abc' })).toThrow(/DATA_ENCRYPTION_RETIRED_KEYS/);
    expect(() => loadConfig({ DATA_DIR: dataDir(), ...TEST_SECRETS, DATA_ENCRYPTION_RETIRED_KEYS: TEST_SECRETS.DATA_ENCRYPTION_KEY })).toThrow(/DATA_ENCRYPTION_RETIRED_KEYS/);
  });

  test('database: pool size (10 by default); more than one HTTP worker needs a PostgreSQL server', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).database).toMatchObject({ url: undefined, poolSize: 10 });
    const server = loadConfig({ DATA_DIR: dataDir(), DATABASE_URL: 'postgres://u@db.internal/espace', DATABASE_POOL_SIZE: '4', HTTP_WORKERS: '2' });
    expect(server.database).toMatchObject({ url: 'postgres://u@db.internal/espace', poolSize: 4 });
    expect(server.httpWorkers).toBe(2);
    expect(() => loadConfig({ DATA_DIR: dataDir(), HTTP_WORKERS: '2' })).toThrow(/HTTP_WORKERS/);
    expect(() => loadConfig({ DATA_DIR: dataDir(), DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
  });

  test('production requires every secret and the public URL', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir() })).toThrow(/SESSION_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir(), ...TEST_SECRETS })).toThrow(/PUBLIC_URL/);
    const config = loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir(), ...TEST_SECRETS, PUBLIC_URL: 'https://espace.mutuelle.example' });
    expect(config.devTools).toBe(false);
  });

  test('payments: files under DATA_DIR/payments; the demo debtor account outside production, none in production until configured', () => {
    const dir = dataDir();
    const config = loadConfig({ DATA_DIR: dir });
    expect(config.paymentsDir).toBe(path.join(dir, 'payments'));
    expect(config.paymentsDebtor).toEqual({ name: 'Mutuelle des Tilleuls', iban: 'FR7630006000011234567890189', bic: 'AGRIFRPPXXX' });
    const production = { NODE_ENV: 'production', DATA_DIR: dir, ...TEST_SECRETS, PUBLIC_URL: 'https://espace.mutuelle.example' };
    expect(loadConfig(production).paymentsDebtor).toBeNull();
    expect(() => loadConfig({ ...production, PAYMENTS_DEBTOR_IBAN: 'FR14 2004 1010 0505 0001 3M02 606' })).toThrow(/PAYMENTS_DEBTOR_BIC/);
    expect(() => loadConfig({ ...production, PAYMENTS_DEBTOR_IBAN: 'FR1420041010050500013M02606', PAYMENTS_DEBTOR_BIC: 'PSSTFRPP' })).toThrow(/PAYMENTS_DEBTOR_NAME/);
    expect(() => loadConfig({ DATA_DIR: dir, PAYMENTS_DEBTOR_BIC: 'PSSTFRPP' })).toThrow(/PAYMENTS_DEBTOR_IBAN/);
    expect(loadConfig({ ...production, PAYMENTS_DEBTOR_IBAN: 'fr14 2004 1010 0505 0001 3m02 606', PAYMENTS_DEBTOR_BIC: 'psstfrpp', PAYMENTS_DEBTOR_NAME: 'Mutuelle Exemple' }).paymentsDebtor).toEqual({
      name: 'Mutuelle Exemple',
      iban: 'FR1420041010050500013M02606',
      bic: 'PSSTFRPP',
    });
  });

  test('an invalid debtor IBAN is named in the error, not quoted', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), PAYMENTS_DEBTOR_IBAN: 'FR7630006000011234567890188' })).toThrow(/^(?!.*30006000011234567890188).*PAYMENTS_DEBTOR_IBAN.*clé de contrôle/);
  });

  test('development secrets are generated once and kept across restarts', () => {
    const dir = dataDir();
    expect(loadConfig({ DATA_DIR: dir }).secrets.dataEncryptionKey).toEqual(loadConfig({ DATA_DIR: dir }).secrets.dataEncryptionKey);
  });

  test('`espace serve` with an invalid variable exits before listening and names the variable', async () => {
    const error = await run(process.execPath, ['--import', 'tsx', 'src/cli/espace.ts', 'serve'], { env: { ...process.env, PORT: 'abc', DATA_DIR: dataDir() } }).catch((e: { code: number; stderr: string }) => e);
    expect(error).toMatchObject({ code: 78 });
    expect((error as { stderr: string }).stderr).toContain('PORT');
  });
});
