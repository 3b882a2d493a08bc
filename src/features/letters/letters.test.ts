import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLogger } from '../../../test/app.ts';
import { createTestDatabase, testDriver, type TestDatabase } from '../../../test/db.ts';
import type { Queryable } from '../../db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { createJobs, type Jobs } from '../../platform/jobs.ts';
import { createGenerateLetterJob, generateLetter, lettersDir, type GenerateLetterDeps, type GenerateLetterJob } from './generate-letter-job.ts';
import { frenchLongDate, groupCode, parisDate, placeAndDate, recipientLines } from './letter-model.ts';
import { cancelLetter, markLetterPrinted, queueLetter } from './queue-letter.ts';
import { waitFor } from '../../../test/wait.ts';

const driver = testDriver();
const KEY = Buffer.from('33'.repeat(32), 'hex');
const AT = new Date('2026-11-26T09:30:00Z');
const ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';
const newCode = () => Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

type Member = { memberId: string; firstName: string; lastName: string };

let organisationId: string;

async function insertOrganisation(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO organisation (name, amc_number, address_line1, address_line2, postal_code, city, phone)
     VALUES ('Mutuelle des Tilleuls', $1, '12 rue des Tilleuls', 'CS 40012', '69003', 'Lyon Cedex 03', '04 72 00 00 00') RETURNING id`,
    [String(randomInt(1, 2_000_000_000))],
  );
  return rows[0]!.id;
}

async function insertMember(
  db: Queryable,
  person: { firstName: string; lastName: string; sex?: 'F' | 'M' },
  address: { recipient: string; streetNumber: string | null; street: string; complement: string | null; postalCode: string; city: string; country?: string } | null,
): Promise<Member> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO member (organisation_id, member_number, nir_hmac, nir_enc) VALUES ($1, $2, $3, 'sealed') RETURNING id`,
    [organisationId, `L${randomBytes(5).toString('hex').toUpperCase()}`, randomBytes(16).toString('hex')],
  );
  const memberId = rows[0]!.id;
  await db.query(
    `INSERT INTO beneficiary (member_id, relationship, last_name, first_name, sex, birth_date, insured_nir_hmac, insured_nir_enc)
     VALUES ($1, 'SELF', $2, $3, $4, '1970-05-04', 'x', 'x')`,
    [memberId, person.lastName, person.firstName, person.sex ?? 'F'],
  );
  if (address) {
    const a = await db.query<{ id: string }>(
      `INSERT INTO postal_address (member_id, recipient, street_number, street, complement, postal_code, city, country)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [memberId, address.recipient, address.streetNumber, address.street, address.complement, address.postalCode, address.city, address.country ?? 'FR'],
    );
    await db.query('UPDATE member SET mailing_address_id = $2 WHERE id = $1', [memberId, a.rows[0]!.id]);
  }
  return { memberId, ...person };
}

/** The PDF's text with every run of white space (line breaks, no-break spaces) as one space. */
const pdftotext = (file: string) => execFileSync('/usr/bin/pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
const pdfinfo = (file: string) => execFileSync('/usr/bin/pdfinfo', [file], { encoding: 'utf8' });
const pdffonts = (file: string) => execFileSync('/usr/bin/pdffonts', [file], { encoding: 'utf8' });


describe(`letters (${driver})`, () => {
  let db: TestDatabase;
  let jobs: Jobs;
  let job: GenerateLetterJob;
  let deps: GenerateLetterDeps;
  let dataDir: string;

  const letterRow = async (id: string) =>
    (await db.query<{ status: string; file_name: string; content_enc: string | null; generated_at: Date | null; recipient_address: { lines: string[] } }>(
      'SELECT status, file_name, content_enc, generated_at, recipient_address FROM letter WHERE id = $1',
      [id],
    )).rows[0];
  const generated = (id: string) =>
    waitFor(`letter ${id} generated`, async () => {
      const row = await letterRow(id);
      return row?.status === 'GENERATED' ? row : undefined;
    });
  const queue = (input: Omit<Parameters<typeof queueLetter>[3], 'at' | 'idempotencyKey'> & { idempotencyKey?: string }) =>
    db.transaction((tx) => queueLetter(tx, jobs, job, { at: AT, idempotencyKey: `test:${randomBytes(8).toString('hex')}`, ...input } as Parameters<typeof queueLetter>[3]));
  const activation = (code: string) => ({ code, activationUrl: 'https://espace.test/activation' });
  const filesIn = () => readdirSync(lettersDir(dataDir));

  beforeAll(async () => {
    db = await createTestDatabase();
    organisationId = await insertOrganisation(db);
    dataDir = mkdtempSync(path.join(tmpdir(), 'espace-letters-'));
    deps = { db, dataDir, clock: () => new Date(), dataEncryptionKey: KEY };
    job = createGenerateLetterJob(deps);
    jobs = await createJobs(db, [job], { logger: testLogger('letters'), pollingIntervalSeconds: 0.2 });
    await jobs.startWorkers();
  });

  afterAll(async () => {
    await jobs?.stop();
    await db?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('queues an activation-code letter; the job writes a tagged PDF with the name, the address, the code and the date', async () => {
    const member = await insertMember(
      db,
      { firstName: 'Zoé', lastName: 'Lefèvre-Œuvray' },
      { recipient: 'Mme Zoé LEFÈVRE-ŒUVRAY', streetNumber: '3 bis', street: 'rue de l’Église', complement: 'Appartement 12, 2e étage', postalCode: '42000', city: 'Saint-Étienne' },
    );
    const code = newCode();
    const queued = await queue({ memberId: member.memberId, kind: 'ACTIVATION_CODE', content: activation(code) });
    expect(queued.created).toBe(true);
    expect(queued.fileName).toMatch(/^[0-9a-f]{32}\.pdf$/);
    const row = await generated(queued.letterId);
    expect(row.content_enc).toBeNull();
    expect(row.recipient_address.lines).toEqual(['Mme Zoé LEFÈVRE-ŒUVRAY', 'Appartement 12, 2e étage', '3 bis rue de l’Église', '42000 SAINT-ETIENNE']);

    const file = path.join(lettersDir(dataDir), queued.fileName);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(lettersDir(dataDir)).mode & 0o777).toBe(0o700);
    const text = pdftotext(file);
    expect(text).toContain('Mutuelle des Tilleuls');
    expect(text).toContain('Adhérente : Zoé Lefèvre-Œuvray');
    for (const line of row.recipient_address.lines) expect(text).toContain(line);
    expect(text).toContain('Lyon, le 26 novembre 2026');
    // pdftotext guesses word breaks from glyph gaps, and the code is letter-spaced: compare without spaces.
    expect(text.replace(/\s/g, '')).toContain(code);
    expect(text).toContain('valable 30 jours');
    expect(text).toContain('https://espace.test/activation');
    expect(text).toContain('Si vous n’êtes pas à l’origine de cette demande');
    expect(text).toContain('04 72 00 00 00');

    const info = pdfinfo(file);
    expect(info).toMatch(/^Title:\s+Votre code d’activation — Mutuelle des Tilleuls$/m);
    expect(info).toMatch(/^Tagged:\s+yes$/m);
    expect(info).toMatch(/^PDF version:\s+1\.7$/m);
    // Every font embedded (PDF/UA), none read from the system.
    const fonts = pdffonts(file).split('\n').slice(2).filter(Boolean);
    expect(fonts.length).toBeGreaterThan(0);
    for (const f of fonts) expect(f).toMatch(/DejaVuSans.*\byes\s+yes\s+yes\b/);
  });

  it('keeps accents, €, œ, ’ and no-break spaces (security notice with an amount formatted in French)', async () => {
    const member = await insertMember(
      db,
      { firstName: 'Łukasz', lastName: 'Wałęsa', sex: 'M' },
      { recipient: 'M. Łukasz WAŁĘSA', streetNumber: '8', street: 'place Bellecour', complement: null, postalCode: '69002', city: 'Lyon' },
    );
    const amount = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(1234.5); // 1 234,50 € (U+202F, U+00A0)
    const queued = await queue({
      memberId: member.memberId,
      kind: 'SECURITY_NOTICE',
      content: { subject: 'Changement de vos coordonnées bancaires', paragraphs: [`Un remboursement de ${amount} sera versé sur votre nouveau compte. Cœur, sœur, l’œuvre : « ça marche ».`] },
    });
    await generated(queued.letterId);
    const text = pdftotext(path.join(lettersDir(dataDir), queued.fileName));
    expect(text).toContain('1 234,50 €');
    expect(text).toContain('Cœur, sœur, l’œuvre : « ça marche ».');
    expect(text).toContain('M. Łukasz WAŁĘSA');
    expect(text).toContain('Objet : Changement de vos coordonnées bancaires');
    expect(text).not.toContain('?');
  });

  it('FILE-06: a name made of markup and template syntax prints literally', async () => {
    const nasty = '<script>${7*7}</script>';
    const member = await insertMember(
      db,
      { firstName: '{{7*7}}', lastName: nasty },
      { recipient: `M. ${nasty}`, streetNumber: null, street: '<b>${process.env}</b>', complement: null, postalCode: '75001', city: 'Paris' },
    );
    const queued = await queue({ memberId: member.memberId, kind: 'CODE_RESET', content: activation('FILE06AB') });
    await generated(queued.letterId);
    const text = pdftotext(path.join(lettersDir(dataDir), queued.fileName));
    expect(text).toContain(`M. ${nasty}`);
    expect(text).toContain(`{{7*7}} ${nasty}`);
    expect(text).toContain('<b>${process.env}</b>');
    expect(text).not.toContain('49');
    expect(text).toContain('Votre nouveau code d’activation');
  });

  it('a rolled-back transaction leaves no letter row, no job and no file', async () => {
    const member = await insertMember(db, { firstName: 'Paul', lastName: 'Rollback', sex: 'M' }, { recipient: 'M. Paul ROLLBACK', streetNumber: '1', street: 'rue A', complement: null, postalCode: '69001', city: 'Lyon' });
    const before = filesIn().length;
    const key = `rollback:${randomBytes(6).toString('hex')}`;
    let letterId: string | undefined;
    await expect(
      db.transaction(async (tx) => {
        letterId = (await queueLetter(tx, jobs, job, { memberId: member.memberId, kind: 'ACTIVATION_CODE', content: activation(newCode()), idempotencyKey: key, at: AT })).letterId;
        throw new Error('rolled back on purpose');
      }),
    ).rejects.toThrow('rolled back on purpose');
    expect(letterId).toBeDefined();
    expect((await db.query('SELECT 1 FROM letter WHERE idempotency_key = $1 OR member_id = $2', [key, member.memberId])).rows).toHaveLength(0);
    expect((await db.query(`SELECT 1 FROM pgboss.job WHERE data->>'letterId' = $1`, [letterId])).rows).toHaveLength(0);
    expect(await generateLetter(deps, letterId!)).toBe('missing');
    await new Promise((r) => setTimeout(r, 600)); // a few polling rounds
    expect(filesIn().length).toBe(before);
  });

  it('idempotent: the job run again, or twice at once, writes one file; the same key queues one letter', async () => {
    const member = await insertMember(db, { firstName: 'Inès', lastName: 'Deux-Fois' }, { recipient: 'Mme Inès DEUX-FOIS', streetNumber: '2', street: 'rue B', complement: null, postalCode: '69001', city: 'Lyon' });
    const key = `twice:${randomBytes(6).toString('hex')}`;
    const first = await queue({ memberId: member.memberId, kind: 'ACTIVATION_CODE', content: activation(newCode()), idempotencyKey: key });
    const second = await queue({ memberId: member.memberId, kind: 'ACTIVATION_CODE', content: activation(newCode()), idempotencyKey: key });
    expect(second).toEqual({ ...first, created: false });
    expect((await db.query('SELECT 1 FROM letter WHERE member_id = $1', [member.memberId])).rows).toHaveLength(1);
    expect((await db.query(`SELECT 1 FROM pgboss.job WHERE data->>'letterId' = $1`, [first.letterId])).rows).toHaveLength(1);

    await generated(first.letterId);
    const generatedAt = (await letterRow(first.letterId))!.generated_at;
    const before = filesIn();
    expect(await generateLetter(deps, first.letterId)).toBe('already-done');
    await job.handler({ letterId: first.letterId }, { jobId: 'manual', attempt: 2, log: testLogger('letters-manual') });
    expect(filesIn()).toEqual(before);
    expect((await letterRow(first.letterId))!.generated_at).toEqual(generatedAt);

    // Two runs racing on a queued letter (a retry while the first run is still going): one file, no temporary left.
    const raced = await insertMember(db, { firstName: 'Léo', lastName: 'Course', sex: 'M' }, { recipient: 'M. Léo COURSE', streetNumber: '4', street: 'rue C', complement: null, postalCode: '69001', city: 'Lyon' });
    await jobs.stop(); // the workers stay out of this one
    try {
      const letter = await queue({ memberId: raced.memberId, kind: 'CODE_RESET', content: activation(newCode()) });
      const outcomes = await Promise.all([generateLetter(deps, letter.letterId), generateLetter(deps, letter.letterId)]);
      expect(outcomes).toContain('generated');
      const names = filesIn();
      expect(names.filter((n) => n === letter.fileName)).toHaveLength(1);
      expect(names.filter((n) => !/^[0-9a-f]{32}\.pdf$/.test(n))).toEqual([]);
      expect((await letterRow(letter.letterId))!.status).toBe('GENERATED');
    } finally {
      jobs = await createJobs(db, [job], { logger: testLogger('letters'), pollingIntervalSeconds: 0.2 });
      await jobs.startWorkers();
    }
  });

  it('the activation code is never stored in clear: not in letter, not in pgboss.job, before or after generation', async () => {
    const member = await insertMember(db, { firstName: 'Sami', lastName: 'Secret', sex: 'M' }, { recipient: 'M. Sami SECRET', streetNumber: '5', street: 'rue D', complement: null, postalCode: '69001', city: 'Lyon' });
    const code = newCode();
    const scan = async () => {
      const hits = await db.query(
        `SELECT 'letter' AS source FROM letter l WHERE position($1 in l::text) > 0
         UNION ALL SELECT 'pgboss.job' FROM pgboss.job j WHERE position($1 in j::text) > 0
         UNION ALL SELECT 'pgboss.archive' FROM pgboss.archive a WHERE position($1 in a::text) > 0`,
        [code],
      );
      return hits.rows;
    };
    await jobs.stop();
    let queued;
    try {
      queued = await queue({ memberId: member.memberId, kind: 'ACTIVATION_CODE', content: activation(code) });
      const row = await letterRow(queued.letterId);
      expect(row!.content_enc).toMatch(/^v2\./);
      expect(await scan()).toEqual([]);
      const payloads = await db.query<{ data: unknown }>(`SELECT data FROM pgboss.job WHERE data->>'letterId' = $1`, [queued.letterId]);
      expect(payloads.rows.map((r) => r.data)).toEqual([{ letterId: queued.letterId }]);
    } finally {
      jobs = await createJobs(db, [job], { logger: testLogger('letters'), pollingIntervalSeconds: 0.2 });
      await jobs.startWorkers();
    }
    await generated(queued.letterId);
    expect(await scan()).toEqual([]);
    expect(pdftotext(path.join(lettersDir(dataDir), queued.fileName)).replace(/\s/g, '')).toContain(code);
  });

  it('operators: a printed or cancelled letter leaves the print folder; a letter cancelled before generation never enters it', async () => {
    const member = await insertMember(db, { firstName: 'Ana', lastName: 'Poste' }, { recipient: 'Mme Ana POSTE', streetNumber: '6', street: 'rue E', complement: null, postalCode: '69001', city: 'Lyon' });
    const printed = await queue({ memberId: member.memberId, kind: 'ACTIVATION_CODE', content: activation(newCode()) });
    await generated(printed.letterId);
    expect(filesIn()).toContain(printed.fileName);
    expect(await markLetterPrinted({ db, dataDir }, printed.letterId, AT)).toBe(true);
    expect(filesIn()).not.toContain(printed.fileName);
    expect(await markLetterPrinted({ db, dataDir }, printed.letterId, AT)).toBe(false);
    expect(await cancelLetter({ db, dataDir }, printed.letterId, AT)).toBe(false);

    const cancelled = await queue({ memberId: member.memberId, kind: 'ACTIVATION_CODE', content: activation(newCode()) });
    await generated(cancelled.letterId);
    expect(filesIn()).toContain(cancelled.fileName);
    expect(await cancelLetter({ db, dataDir }, cancelled.letterId, AT)).toBe(true);
    expect(filesIn()).not.toContain(cancelled.fileName);

    await jobs.stop();
    try {
      const early = await queue({ memberId: member.memberId, kind: 'ACTIVATION_CODE', content: activation(newCode()) });
      expect(await cancelLetter({ db, dataDir }, early.letterId, AT)).toBe(true);
      expect(await generateLetter(deps, early.letterId)).toBe('cancelled');
      expect(filesIn()).not.toContain(early.fileName);
    } finally {
      jobs = await createJobs(db, [job], { logger: testLogger('letters'), pollingIntervalSeconds: 0.2 });
      await jobs.startWorkers();
    }
  });

  it('refuses a member without a postal address, and an unknown member', async () => {
    const member = await insertMember(db, { firstName: 'Nadia', lastName: 'Sansadresse' }, null);
    await expect(queue({ memberId: member.memberId, kind: 'ACTIVATION_CODE', content: activation(newCode()) })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(queue({ memberId: '00000000-0000-4000-8000-000000000000', kind: 'ACTIVATION_CODE', content: activation(newCode()) })).rejects.toBeInstanceOf(AppError);
    expect((await db.query('SELECT 1 FROM letter WHERE member_id = $1', [member.memberId])).rows).toHaveLength(0);
  });

  it('writes files atomically: a failed write leaves neither the file nor a temporary', async () => {
    const { writeFileAtomic } = await import('./generate-letter-job.ts');
    const dir = path.join(dataDir, 'atomic');
    await writeFileAtomic(dir, 'a.pdf', Buffer.from('one'));
    await writeFileAtomic(dir, 'a.pdf', Buffer.from('two'));
    expect(readdirSync(dir)).toEqual(['a.pdf']);
    writeFileSync(path.join(dir, 'blocker'), 'x');
    await expect(writeFileAtomic(path.join(dir, 'blocker'), 'b.pdf', Buffer.from('x'))).rejects.toThrow();
    expect(readdirSync(dir).sort()).toEqual(['a.pdf', 'blocker']);
  });
});

describe('letter model', () => {
  it('dates the letter in Europe/Paris, in French', () => {
    expect(parisDate(new Date('2026-11-25T23:30:00Z'))).toBe('2026-11-26');
    expect(parisDate(new Date('2026-07-31T22:30:00Z'))).toBe('2026-08-01');
    expect(frenchLongDate('2026-08-01')).toBe('1er août 2026');
    expect(frenchLongDate('2026-02-14')).toBe('14 février 2026');
    expect(placeAndDate('Lyon', '2026-11-26')).toBe('Lyon, le 26 novembre 2026');
  });

  it('lays out the window block in NF Z10-011 order', () => {
    expect(recipientLines({ recipient: '  M.  Jean   DUPONT ', streetNumber: null, street: 'Lieu-dit Les Granges', complement: null, postalCode: '01250', city: 'Ceyzériat', country: 'FR' })).toEqual([
      'M. Jean DUPONT',
      'Lieu-dit Les Granges',
      '01250 CEYZERIAT',
    ]);
    expect(recipientLines({ recipient: 'Mme Anne MARTIN', streetNumber: '10', street: 'Rue du Rhône', complement: null, postalCode: '1204', city: 'Genève', country: 'CH' })).toEqual([
      'Mme Anne MARTIN',
      '10 Rue du Rhône',
      '1204 GENEVE',
      'SUISSE',
    ]);
    expect(groupCode('K7PM2QXA')).toBe('K7PM 2QXA');
  });
});
