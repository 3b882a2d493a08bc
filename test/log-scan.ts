import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isValidIban } from '../src/domain/identity/iban.ts';
import { isValidNir } from '../src/domain/identity/nir.ts';

// Not inside a longer number, nor in the fraction of a decimal (response times): those are not NIRs.
const NIR_CANDIDATE = /(?<!\d)(?<!\d\.)[12378][\s.]?\d{2}[\s.]?\d{2}[\s.]?(?:\d{2}|2[AB])[\s.]?\d{3}[\s.]?\d{3}[\s.]?\d{2}(?!\d)/g;
const IBAN_CANDIDATE = /[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?/g;

/** Valid NIRs and IBANs found in a text (LOG-02): candidates are checked with their keys, so timestamps do not count. */
export function findSensitive(text: string): string[] {
  const nirs = (text.match(NIR_CANDIDATE) ?? []).filter((c) => isValidNir(c));
  const ibans = (text.match(IBAN_CANDIDATE) ?? []).filter((c) => isValidIban(c));
  return [...nirs, ...ibans];
}

/** Every log file written by the test run, scanned; returns `file: finding` lines. */
export function scanLogs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((file) => findSensitive(readFileSync(path.join(dir, file), 'utf8')).map((finding) => `${file}: ${finding.slice(0, 4)}…`));
}
