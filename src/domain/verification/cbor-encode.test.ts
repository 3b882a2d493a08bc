import { encode, Tag } from 'cbor2';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CborTagged, encodeCbor, type CborValue } from './cbor-encode.ts';

// The same value for cbor2 (its Tag class) as a reference encoder.
function forCbor2(value: CborValue): unknown {
  if (value instanceof CborTagged) return new Tag(value.tag, forCbor2(value.value));
  if (Array.isArray(value)) return value.map(forCbor2);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, forCbor2(v)]));
  return value;
}

const cborValue: fc.Arbitrary<CborValue> = fc.letrec<{ value: CborValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.maxSafeInteger(),
    fc.integer({ min: -70_000, max: 70_000 }),
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.uint8Array({ maxLength: 300 }),
    fc.array(tie('value'), { maxLength: 30 }),
    fc.uniqueArray(fc.nat(30), { maxLength: 10 }).chain((keys) => fc.tuple(...keys.sort((a, b) => a - b).map((k) => fc.tuple(fc.constant(k), tie('value'))))).map((entries) => new Map(entries)),
    fc.tuple(fc.nat(1000), tie('value')).map(([tag, v]) => new CborTagged(tag, v)),
  ),
})).value;

describe('deterministic CBOR encoder', () => {
  test('writes the same bytes as cbor2 for every value the payload can hold (2 000 fuzzed values, every head size)', () => {
    for (const n of [0, 23, 24, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER, -1, -24, -25, -(2 ** 32) - 1]) {
      expect(encodeCbor(n), String(n)).toEqual(encode(n));
    }
    fc.assert(
      fc.property(cborValue, (value) => {
        expect(encodeCbor(value)).toEqual(encode(forCbor2(value)));
      }),
      { numRuns: 2_000 },
    );
  });

  test('refuses numbers CBOR would have to write as floats', () => {
    for (const n of [1.5, Number.NaN, 2 ** 53]) expect(() => encodeCbor(n)).toThrow(RangeError);
  });
});
