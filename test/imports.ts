/** Shared by the import tests: the example lot, an import call, a fingerprint of what an import writes, a household. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { computeNirKey } from '../src/domain/identity/nir.ts';
import { insertHousehold, type FieldKeys } from '../src/db/repositories/household.ts';
import { importBatch, type ImportReport } from '../src/features/imports/import-batch.ts';
import { testConfig, testLogger } from './app.ts';
import type { TestDatabase } from './db.ts';

const logger = testLogger('import');
const NOW = new Date('2026-11-26T08:00:00Z');
/** The example lot of domain.md §6.4 (E1 and E3), for the demo household A0000005. */
export const EXAMPLE_LOT = readFileSync(path.join(import.meta.dirname, 'fixtures/dcpt1-example.txt'), 'utf8');

async function* bytes(content: string | Uint8Array): AsyncGenerator<Uint8Array> {
  yield typeof content === 'string' ? Buffer.from(content) : content;
}

export function runImport(db: TestDatabase, content: string | Uint8Array, now = NOW): Promise<ImportReport> {
  return importBatch(db, { content: bytes(content), fileName: 'lot.dcpt1', today: now.toISOString().slice(0, 10), now, keys: testConfig().secrets, logger });
}

const TABLES = ['import_batch', 'statement', 'claim_line', 'claim_line_status', 'unmatched_claim_line', 'audit_log', 'member_event', 'payment'];

/** Row count and checksum of every table an import writes: equal fingerprints mean nothing was written. */
export async function fingerprint(db: TestDatabase): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const table of TABLES) {
    const { rows } = await db.query<{ n: number; sum: string | null }>(`SELECT count(*)::int AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS sum FROM ${table} t`);
    result[table] = `${rows[0]!.n}:${rows[0]!.sum ?? ''}`;
  }
  return result;
}

/** A one-person household on ESSENTIEL since 2025, with no history. */
export async function addHousehold(db: TestDatabase, keys: FieldKeys, nir: string, birthDate: string, memberNumber: string): Promise<void> {
  const { rows: org } = await db.query<{ id: string; product_id: string }>(`SELECT o.id, p.id AS product_id FROM organisation o JOIN guarantee_product p ON p.organisation_id = o.id AND p.code = 'ESSENTIEL'`);
  await db.transaction((tx) =>
    insertHousehold(tx, keys, {
      organisationId: org[0]!.id, memberNumber, nir,
      beneficiaries: [{ relationship: 'SELF', lastName: 'Nouvelle', firstName: 'Inès', sex: 'F', birthDate, birthRank: 1, insuredNir: nir, ownNir: nir, amoFund: '075', noemie: 'ACTIVE' }],
      contracts: [{ contractNumber: `C-${memberNumber}`, kind: 'INDIVIDUAL', employerName: null, employerSiret: null, productId: org[0]!.product_id, responsable: true, startDate: '2025-01-01', endDate: null, sepaMandateRef: null }],
      rights: [{ beneficiaryIndex: 0, kind: 'CONTRACT', startDate: '2025-01-01', endDate: '2026-12-31', contractIndex: 0 }],
      email: null, phones: [], address: { recipient: 'INÈS NOUVELLE', streetNumber: '3', street: 'rue des Lilas', complement: null, postalCode: '75011', city: 'Paris', country: 'FR' },
      bankAccount: null, createdAt: NOW,
    }),
  );
}

export const nirOf = (body: string) => `${body}${computeNirKey(body)}`;
