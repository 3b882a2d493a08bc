/**
 * Document generation time (issue 7, acceptance 5): the carte de tiers payant (A4 front and back + phone page,
 * DataMatrix, signed verification code and its QR) and the attestation de droits (A4, QR), each rendered from its
 * facts as a download renders it, against an empty one-page PDF made by the same library (pdfkit) in the same run.
 * Prints the median and p99 CPU time per document and documents per CPU second, on one core (one process, one
 * document at a time; CPU time, because the machine may be shared), with the wall time for reference.
 * Run: npm run bench:documents [-- documents-per-kind]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type PdfKit from 'pdfkit';
import { CARD_DOMAINS, amcDataMatrixPayload, domainMention } from '../src/domain/documents/tp-card.ts';
import { factsHash, type CardFacts, type RightsFacts } from '../src/features/documents/document-facts.ts';
import { documentPdf, signerOf } from '../src/features/documents/document-output.ts';
import type { StoredDocument } from '../src/features/documents/member-documents.ts';
import { generateDocumentSigningKey, loadConfig } from '../src/platform/config.ts';

const RUNS = Number(process.argv[2] ?? 400);
const WARM_UP = 30;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'espace-bench-documents-'));
const hex = () => randomBytes(32).toString('hex');
const config = loadConfig({
  NODE_ENV: 'production', PUBLIC_URL: 'https://espace.mutuelle-des-tilleuls.example', DATA_DIR: dataDir, LOG_LEVEL: 'warn',
  SESSION_SECRET: hex(), CODE_PEPPER: hex(), DATA_ENCRYPTION_KEY: hex(), BLIND_INDEX_KEY: hex(),
  DOCUMENT_SIGNING_KEYS: JSON.stringify([generateDocumentSigningKey('bench')]),
});
const sign = signerOf(config);

// A family of five (two parents, three children, twins among them): the largest demo household.
const organisation = {
  name: 'Mutuelle des Tilleuls', amcNumber: '123456789', addressLines: ['12 rue des Tilleuls', 'CS 40012', '69003 Lyon'], phone: '04 72 00 00 00',
  professionalPhone: '04 72 00 00 10', email: 'contact@mutuelle-tilleuls.example', operator: 'SP santé',
};
const people = [
  ['MARTIN', 'Marie', '1985-01-10', 1, 'Adhérente', '2 85 •• •• ••• ••• 24'],
  ['MARTIN', 'François', '1983-06-02', 1, 'Conjoint', '1 83 •• •• ••• ••• 51'],
  ['MARTIN', 'Léa', '2012-03-14', 1, 'Enfant', null],
  ['MARTIN', 'Noé', '2016-09-21', 1, 'Enfant', null],
  ['MARTIN', 'Inès', '2016-09-21', 2, 'Enfant', null],
] as const;
const beneficiaries = people.map(([lastName, firstName, birthDate, birthRank, relationship, nir]) => ({ lastName, firstName, birthDate, birthRank, relationship, nir }));
const card: CardFacts = {
  kind: 'CARTE_TP', organisation, memberNumber: 'A0000001', conventionType: 'SP', routingCriterion: '', contractNumber: 'C-A0000001', productName: 'CONFORT', responsable: true,
  validFrom: '2026-01-01', validUntil: '2026-12-31', beneficiaries, domains: CARD_DOMAINS.map((d) => ({ code: d.code, label: d.label, mention: domainMention(d) })),
  dataMatrix: amcDataMatrixPayload({ amcNumber: '123456789', routingCriterion: '', memberNumber: 'A0000001', conventions: [{ type: 'SP', letters: CARD_DOMAINS.map((d) => d.letter).join('') }] }),
};
const rights: RightsFacts = {
  kind: 'ATTESTATION_DROITS', organisation, memberNumber: 'A0000001', holder: beneficiaries[0]!,
  contract: { number: 'C-A0000001', productName: 'CONFORT', kind: 'INDIVIDUAL', employerName: null, responsable: true, startDate: '2020-01-01', endDate: null },
  validFrom: '2026-01-01', validUntil: '2026-12-31', beneficiaries: beneficiaries.map((b) => ({ ...b, rights: ['Contrat CONFORT du 01/01/2026 au 31/12/2026'] })),
  aids: [
    { person: 'Marie MARTIN', kind: 'ACS_C', label: 'Aide au paiement d’une complémentaire santé (ACS), contrat C', startDate: '2016-11-01', endDate: '2017-10-31' },
    { person: 'Marie MARTIN', kind: 'ACS_C', label: 'Aide au paiement d’une complémentaire santé (ACS), contrat C', startDate: '2017-11-01', endDate: '2018-10-31' },
    { person: 'Marie MARTIN', kind: 'ACS_C', label: 'Aide au paiement d’une complémentaire santé (ACS), contrat C', startDate: '2018-11-01', endDate: '2019-10-31' },
  ],
};

/** What a download does: sign at issue, then render the stored version (QR included). */
function stored(facts: CardFacts | RightsFacts, issuedAt: Date): StoredDocument {
  const hash = factsHash(facts);
  return { id: '', kind: facts.kind, scope: '', version: 1, issuedAt, current: true, title: '', facts, factsHash: hash, verificationCode: sign(facts, hash, issuedAt) };
}

const require = createRequire(import.meta.url);
const PDFDocument = require('pdfkit') as typeof PdfKit;
function emptyPdf(): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4' });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.end();
  return done;
}

type Figures = { name: string; median: number; p99: number; perSecond: number; wallMedian: number; bytes: number };
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
/** CPU time of this process per document (the machine may be shared: wall time is printed too, for reference). */
async function measure(name: string, make: () => Promise<Buffer>): Promise<Figures> {
  for (let i = 0; i < WARM_UP; i++) await make();
  const cpu: number[] = [];
  const wall: number[] = [];
  let bytes = 0;
  const start = cpuMs();
  for (let i = 0; i < RUNS; i++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    bytes = (await make()).length;
    wall.push(performance.now() - t0);
    cpu.push(cpuMs() - c0);
  }
  const total = cpuMs() - start;
  const at = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(q * values.length) - 1)]!;
  return { name, median: at(cpu, 0.5), p99: at(cpu, 0.99), perSecond: (RUNS * 1000) / total, wallMedian: at(wall, 0.5), bytes };
}

const issuedAt = new Date('2026-11-26T10:00:00Z');
const results = [
  await measure('empty one-page PDF (pdfkit, baseline)', emptyPdf),
  await measure('carte de tiers payant (2 pages, DataMatrix, signed QR)', () => documentPdf(stored(card, issuedAt))),
  await measure('attestation de droits (A4, signed QR)', () => documentPdf(stored(rights, issuedAt))),
];
rmSync(dataDir, { recursive: true, force: true });

const ms = (v: number) => v.toFixed(2).padStart(8);
console.log(`Documents: ${RUNS} of each, sequential, CPU time of one process (${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)`);
console.log(`${'document'.padEnd(56)} ${'median ms'.padStart(9)} ${'p99 ms'.padStart(8)} ${'docs/s'.padStart(8)} ${'wall ms'.padStart(8)} ${'bytes'.padStart(7)}  × baseline`);
const base = results[0]!.median;
for (const r of results) {
  console.log(`${r.name.padEnd(56)} ${ms(r.median).padStart(9)} ${ms(r.p99)} ${r.perSecond.toFixed(0).padStart(8)} ${ms(r.wallMedian)} ${String(r.bytes).padStart(7)}  ${(r.median / base).toFixed(1)}`);
}
const cardMedian = results[1]!.median;
console.log(`Target: card median ≤ 25 ms of CPU on one core → ${cardMedian <= 25 ? 'met' : 'NOT met'} (${cardMedian.toFixed(2)} ms)`);
