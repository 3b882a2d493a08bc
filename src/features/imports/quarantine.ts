/**
 * Rejected lots go to `<inbox>/rejected/` with a machine-readable report beside them (`<file>.rejet.json`):
 * line number, record, error code and French message for each defect.
 */
import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImportReport } from './import-batch.ts';

export type QuarantineResult = { filePath: string; reportPath: string };

/** Copies (CLI: the operator keeps the original) or moves (inbox) a rejected lot, then writes its report. */
export async function quarantineRejected(sourcePath: string, report: ImportReport, rejectedDir: string, mode: 'copy' | 'move', now: Date): Promise<QuarantineResult> {
  await mkdir(rejectedDir, { recursive: true });
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const filePath = path.join(rejectedDir, `${stamp}-${path.basename(sourcePath)}`);
  if (mode === 'move') await rename(sourcePath, filePath);
  else await copyFile(sourcePath, filePath);
  const reportPath = `${filePath}.rejet.json`;
  const content = { file: path.basename(sourcePath), rejectedAt: now.toISOString(), ...report };
  await writeFile(`${reportPath}.tmp`, `${JSON.stringify(content, null, 2)}\n`);
  await rename(`${reportPath}.tmp`, reportPath);
  return { filePath, reportPath };
}
