/**
 * Deterministic CBOR encoding (RFC 8949 §4.2.1: shortest heads, definite lengths) of the few types the verification
 * payload uses. Written here because a general encoder cost ~50× JSON.stringify per card; decoding stays with cbor2.
 */
export type CborValue = number | string | Uint8Array | CborValue[] | Map<number, CborValue> | CborTagged;

export class CborTagged {
  constructor(
    readonly tag: number,
    readonly value: CborValue,
  ) {}
}

const text = new TextEncoder();

export function encodeCbor(value: CborValue): Uint8Array {
  const out: number[] = [];
  write(out, value);
  return Uint8Array.from(out);
}

function write(out: number[], value: CborValue): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`CBOR: only safe integers are encoded, not ${value}`);
    if (value >= 0) head(out, 0, value);
    else head(out, 1, -1 - value);
  } else if (typeof value === 'string') {
    const bytes = text.encode(value);
    head(out, 3, bytes.length);
    for (const b of bytes) out.push(b);
  } else if (value instanceof Uint8Array) {
    head(out, 2, value.length);
    for (const b of value) out.push(b);
  } else if (Array.isArray(value)) {
    head(out, 4, value.length);
    for (const item of value) write(out, item);
  } else if (value instanceof Map) {
    // Keys are written in the order given: callers give small unsigned integers in ascending order, which is the deterministic order.
    head(out, 5, value.size);
    for (const [key, item] of value) {
      write(out, key);
      write(out, item);
    }
  } else {
    head(out, 6, value.tag);
    write(out, value.value);
  }
}

function head(out: number[], major: number, n: number): void {
  const m = major << 5;
  if (n < 24) out.push(m | n);
  else if (n < 0x100) out.push(m | 24, n);
  else if (n < 0x10000) out.push(m | 25, n >>> 8, n & 0xff);
  else if (n < 0x100000000) out.push(m | 26, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  else {
    const high = Math.floor(n / 0x100000000);
    const low = n >>> 0;
    out.push(m | 27, high >>> 24, (high >>> 16) & 0xff, (high >>> 8) & 0xff, high & 0xff, low >>> 24, (low >>> 16) & 0xff, (low >>> 8) & 0xff, low & 0xff);
  }
}
