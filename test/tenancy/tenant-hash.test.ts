import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fnv1a64, fnv1a64Hex, jumpConsistentHash, tenantBucketLabel } from '../../src/tenancy/tenant-hash.js';

// Independent reference implementations in BigInt, written from the published algorithms.
const MASK64 = (1n << 64n) - 1n;
function referenceFnv1a64(text: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & MASK64;
  }
  return hash;
}
function referenceJump(key: bigint, buckets: number): number {
  let b = -1n;
  let j = 0n;
  while (j < BigInt(buckets)) {
    b = j;
    key = (key * 2862933555777941757n + 1n) & MASK64;
    j = BigInt(Math.floor(Number(b + 1n) * (Number(1n << 31n) / Number((key >> 33n) + 1n))));
  }
  return Number(b);
}
const toParts = (value: bigint) => ({ hi: Number(value >> 32n), lo: Number(value & 0xffffffffn) });

const SAMPLE_IDS = [
  '',
  'a',
  'foobar',
  'tenant-123',
  't"1\\\n',
  'ünïcødé-租户',
  '\u{1F600}emoji',
  'lone\uD800surrogate',
  'x'.repeat(10_000),
  ...Array.from({ length: 500 }, (_, i) => `tenant-${i * 7919}`),
];

describe('fnv1a64', () => {
  it('matches the published FNV-1a 64 test vectors', () => {
    // From the FNV reference test suite (draft-eastlake-fnv, fnv_test.c).
    assert.equal(fnv1a64Hex(''), 'cbf29ce484222325');
    assert.equal(fnv1a64Hex('a'), 'af63dc4c8601ec8c');
    assert.equal(fnv1a64Hex('foobar'), '85944171f73967e8');
  });

  it('equals a BigInt reference on ASCII, non-ASCII, lone surrogates and 10 KB ids', () => {
    for (const id of SAMPLE_IDS) {
      const expected = referenceFnv1a64(id);
      assert.deepEqual(fnv1a64(id), toParts(expected), id.slice(0, 40));
    }
  });
});

describe('jumpConsistentHash', () => {
  it('equals a BigInt transcription of the paper for many keys and bucket counts', () => {
    for (const id of SAMPLE_IDS) {
      const key = referenceFnv1a64(id);
      for (const buckets of [1, 2, 7, 64, 65, 100, 1000, 10_000]) {
        assert.equal(
          jumpConsistentHash(toParts(key), buckets),
          referenceJump(key, buckets),
          `${id.slice(0, 20)}/${buckets}`,
        );
      }
    }
  });

  it('moves only about 1/(n+1) of tenants when the bucket count grows, and only into the new bucket', () => {
    const tenants = Array.from({ length: 10_000 }, (_, i) => `tenant-${i}`);
    let moved = 0;
    for (const tenant of tenants) {
      const before = jumpConsistentHash(fnv1a64(tenant), 64);
      const after = jumpConsistentHash(fnv1a64(tenant), 65);
      if (before !== after) {
        moved++;
        assert.equal(after, 64);
      }
    }
    // Expected 10000/65 ≈ 154; modulo hashing would move ~98%.
    assert.ok(moved > 50 && moved < 300, `moved ${moved}`);
  });

  it('spreads tenants over every bucket', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) seen.add(jumpConsistentHash(fnv1a64(`t${i}`), 100));
    assert.equal(seen.size, 100);
  });
});

describe('tenantBucketLabel', () => {
  it('pads to two digits, or to the width of the largest bucket', () => {
    assert.match(tenantBucketLabel('tenant-1', 100), /^bucket-\d{2}$/);
    assert.match(tenantBucketLabel('tenant-1', 5), /^bucket-0\d$/);
    assert.match(tenantBucketLabel('tenant-1', 1000), /^bucket-\d{3}$/);
  });

  it('gives the same labels in a fresh process (stable across restarts)', () => {
    const ids = SAMPLE_IDS.slice(0, 60);
    const here = ids.map((id) => tenantBucketLabel(id, 100));
    const moduleUrl = new URL('../../src/tenancy/tenant-hash.js', import.meta.url).href;
    const script =
      `const { tenantBucketLabel } = await import(${JSON.stringify(moduleUrl)});` +
      `const ids = JSON.parse(process.argv[1]);` +
      `process.stdout.write(JSON.stringify(ids.map((id) => tenantBucketLabel(id, 100))));`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(ids)], {
      encoding: 'utf8',
    });
    assert.deepEqual(JSON.parse(output), here);
  });
});
