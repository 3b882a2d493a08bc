import { expect, test } from 'vitest';
import { uuidv7 } from './ids.ts';

test('uuidv7 gives RFC 9562 version 7 ids carrying the time, in increasing order within one millisecond', () => {
  const ms = Date.UTC(2026, 10, 26, 8, 0, 0);
  const ids = Array.from({ length: 5000 }, () => uuidv7(ms));
  for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16)).toBe(ms);
  expect([...ids].sort()).toEqual(ids);
  expect(new Set(ids).size).toBe(ids.length);
  expect(uuidv7(ms + 10_000) > ids.at(-1)!).toBe(true);
});
