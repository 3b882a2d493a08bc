import { expect, test } from 'vitest';
import { findSensitive } from './log-scan.ts';

test('LOG-02 the log scanner finds valid NIRs and IBANs, spaced or not, and ignores other numbers', () => {
  expect(findSensitive('{"msg":"x 185017505612324 y"}')).toHaveLength(1);
  expect(findSensitive('nir 1 85 01 75 056 123 24')).toHaveLength(1);
  expect(findSensitive('FR7630006000011234567890189')).toHaveLength(1);
  expect(findSensitive('FR76 3000 6000 0112 3456 7890 189')).toHaveLength(1);
  expect(findSensitive('"time":"2026-11-26T14:00:00Z","responseTime":1795703194154,"n":185017505612325')).toEqual([]);
  // A response time whose fraction happens to be a valid NIR (seen in CI) is not one.
  expect(findSensitive('"responseTime":0.185017505612324')).toEqual([]);
  expect(findSensitive('"nir":"x","note":"185017505612324."')).toHaveLength(1);
});
