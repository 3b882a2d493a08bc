import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.ts';
import { testConfig, testLogger } from '../../../test/app.ts';
import { EXAMPLE_LOT } from '../../../test/imports.ts';
import { seedDemoData } from '../demo/seed-demo-data.ts';
import { processInbox } from './inbox.ts';

const keys = testConfig().secrets;

describe('watched inbox', () => {
  let db: TestDatabase;
  let inboxDir: string;
  const run = () => processInbox(db, { inboxDir, keys, logger: testLogger('inbox'), clock: () => new Date('2026-11-26T08:00:00Z') });

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db, { households: 5, referenceDate: '2026-11-26', keys });
    inboxDir = await mkdtemp(path.join(tmpdir(), 'espace-inbox-'));
  });
  afterAll(async () => {
    await db.close();
    await rm(inboxDir, { recursive: true, force: true });
  });

  test('imports waiting lots, files them under done/ or rejected/ with a report, and leaves files still being written', async () => {
    await writeFile(path.join(inboxDir, '2026-01-15-cpam751.dcpt1'), EXAMPLE_LOT);
    await writeFile(path.join(inboxDir, 'bad.dcpt1'), EXAMPLE_LOT.replace('T|000123|1|2|4000|4000|2750', 'T|000123|1|3|4000|4000|2750'));
    await writeFile(path.join(inboxDir, 'arriving.dcpt1.part'), 'H|DCPT1|');
    const results = await run();
    expect(results.map((r) => [r.file, r.report.status])).toEqual([
      ['2026-01-15-cpam751.dcpt1', 'imported'],
      ['bad.dcpt1', 'rejected'],
    ]);
    expect(await readdir(path.join(inboxDir, 'done'))).toEqual(['2026-01-15-cpam751.dcpt1']);
    const rejected = (await readdir(path.join(inboxDir, 'rejected'))).sort();
    expect(rejected).toEqual([expect.stringMatching(/^20261126T080000Z-bad\.dcpt1$/), expect.stringMatching(/^20261126T080000Z-bad\.dcpt1\.rejet\.json$/)]);
    const report = JSON.parse(await readFile(path.join(inboxDir, 'rejected', rejected[1]!), 'utf8'));
    expect(report).toMatchObject({ file: 'bad.dcpt1', status: 'rejected', lot: '000123', errors: [{ line: 6, code: 'TRAILER_COUNT_MISMATCH', record: 'T|000123|1|3|4000|4000|2750' }] });
    expect(report.errors[0].message).toContain('annonce 3 lignes');
    expect((await readdir(inboxDir)).sort()).toEqual(['arriving.dcpt1.part', 'done', 'processing', 'rejected']);
  });

  test('a lot left in processing/ by a crash is taken again; an already imported lot is filed as done, unchanged', async () => {
    await writeFile(path.join(inboxDir, 'processing', 'again.dcpt1'), EXAMPLE_LOT);
    const results = await run();
    expect(results.map((r) => [r.file, r.report.status])).toEqual([['again.dcpt1', 'duplicate']]);
    expect((await readdir(path.join(inboxDir, 'done'))).sort()).toEqual(['2026-01-15-cpam751.dcpt1', 'again.dcpt1']);
    expect(await readdir(path.join(inboxDir, 'processing'))).toEqual([]);
  });

  test('an empty inbox does nothing', async () => {
    await mkdir(inboxDir, { recursive: true });
    expect(await run()).toEqual([]);
  });
});
