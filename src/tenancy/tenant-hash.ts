/**
 * The stable hash behind bucket mode of the tenant guard: FNV-1a 64 over the UTF-8 bytes of the
 * tenant id, fed as the 64-bit key into Lamping & Veach's jump consistent hash
 * (arXiv:1406.2294). Both are the published reference algorithms, so a tenant's `bucket-NN` can be
 * recomputed in any language (Go `hash/fnv.New64a` + the paper's C++ loop give the same number),
 * the result never depends on process, platform or restart, and growing `tenancy.buckets` from n to
 * n+1 moves only about 1/(n+1) of the tenants (modulo would move almost all of them).
 *
 * 64-bit arithmetic is done on two unsigned 32-bit halves, because BigInt costs ~10x more here.
 */

const FNV64_OFFSET_HI = 0xcbf29ce4;
const FNV64_OFFSET_LO = 0x84222325;
// The 64-bit FNV prime is 2^40 + 0x1b3.
const FNV64_PRIME_LOW_PART = 0x1b3;
// Jump hash's LCG multiplier 2862933555777941757 = 0x27bb2ee6_87b0b0fd.
const LCG_MUL_HI = 0x27bb2ee6;
const LCG_MUL_LO = 0x87b0b0fd;
const TWO_POW_32 = 4294967296;
const TWO_POW_31 = 2147483648;

/** A 64-bit unsigned value as two unsigned 32-bit halves. */
export interface Uint64Parts {
  hi: number;
  lo: number;
}

/**
 * FNV-1a 64 of the UTF-8 encoding of `text` (lone surrogates encode as U+FFFD, as Buffer does).
 * Returns the two 32-bit halves; `fnv1a64Hex()` gives the usual 16-digit hex form.
 */
export function fnv1a64(text: string): Uint64Parts {
  let hi = FNV64_OFFSET_HI;
  let lo = FNV64_OFFSET_LO;
  const step = (byte: number): void => {
    lo ^= byte;
    const loTimesPrime = (lo >>> 0) * FNV64_PRIME_LOW_PART; // < 2^41: exact in a double
    const carry = Math.floor(loTimesPrime / TWO_POW_32);
    // (hi:lo) * (2^40 + 0x1b3) mod 2^64: the 2^40 term adds lo << 8 to the high half.
    hi = (Math.imul(hi, FNV64_PRIME_LOW_PART) + carry + (lo << 8)) >>> 0;
    lo = loTimesPrime >>> 0;
  };
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      step(code);
      continue;
    }
    // Anything beyond ASCII: encode the rest exactly as Buffer (UTF-8, U+FFFD for lone surrogates).
    for (const byte of Buffer.from(text.slice(i), 'utf8')) step(byte);
    break;
  }
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

/** FNV-1a 64 of `text` as 16 lower-case hex digits. */
export function fnv1a64Hex(text: string): string {
  const { hi, lo } = fnv1a64(text);
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** Full 64-bit product of two unsigned 32-bit numbers, as halves (16-bit limbs keep it exact). */
function multiply32(a: number, b: number): Uint64Parts {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const low = a0 * b0;
  const middle = a0 * b1 + a1 * b0 + (low >>> 16); // < 2^34: exact
  const lo = (((middle & 0xffff) << 16) | (low & 0xffff)) >>> 0;
  const hi = (a1 * b1 + Math.floor(middle / 65536)) >>> 0;
  return { hi, lo };
}

/**
 * Jump consistent hash (Lamping & Veach 2014): the bucket in `[0, buckets)` of the 64-bit `key`.
 * Same loop as the paper, with its LCG `key = key * 2862933555777941757 + 1 (mod 2^64)`.
 */
export function jumpConsistentHash(key: Uint64Parts, buckets: number): number {
  let hi = key.hi >>> 0;
  let lo = key.lo >>> 0;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    const low = multiply32(lo, LCG_MUL_LO);
    hi = (Math.imul(hi, LCG_MUL_LO) + Math.imul(lo, LCG_MUL_HI) + low.hi) >>> 0;
    lo = low.lo;
    // + 1, with the carry into the high half
    if (lo === 0xffffffff) {
      lo = 0;
      hi = (hi + 1) >>> 0;
    } else {
      lo += 1;
    }
    // j = floor((b + 1) * (2^31 / ((key >> 33) + 1))) in doubles, in the paper's order of
    // operations so results match other implementations bit for bit; key >> 33 is hi >>> 1.
    j = Math.floor((b + 1) * (TWO_POW_31 / ((hi >>> 1) + 1)));
  }
  return b;
}

/** Zero-padded width of bucket numbers: two digits (`bucket-07`), more when buckets exceed 100. */
function bucketLabelWidth(buckets: number): number {
  return Math.max(2, String(Math.max(0, buckets - 1)).length);
}

/** The overflow label of `tenant` in bucket mode: `bucket-NN` from FNV-1a 64 + jump hash. */
export function tenantBucketLabel(tenant: string, buckets: number): string {
  const bucket = jumpConsistentHash(fnv1a64(tenant), buckets);
  return `bucket-${String(bucket).padStart(bucketLabelWidth(buckets), '0')}`;
}
