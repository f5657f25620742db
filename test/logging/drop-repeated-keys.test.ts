import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dropRepeatedKeys } from '../../src/logging/drop-repeated-keys.js';

describe('dropRepeatedKeys', () => {
  it('returns a line without repeated keys as it is', () => {
    const line = '{"level":"info","time":1,"a":{"b":[1,"}"]},"msg":"m"}\n';
    assert.equal(dropRepeatedKeys(line), line);
  });

  it('keeps the last member of a repeated key, where it was written, and the newline', () => {
    const line = '{"level":"info","time":1,"a":1,"b":2,"a":2,"c":3,"a":3,"msg":"m"}\n';
    assert.equal(dropRepeatedKeys(line), '{"level":"info","time":1,"b":2,"c":3,"a":3,"msg":"m"}\n');
  });

  it('reads nested objects, arrays and strings holding quotes, commas, braces and backslashes whole', () => {
    const meta = { note: 'a,"tenant_id":"x"}', list: [1, { c: '}]' }], path: 'C:\\dir\\', deep: { e: null } };
    const line = `{"tenant_id":"acme","meta":${JSON.stringify(meta)},"k\\"ey":1,"tenant_id":"globex","k\\"ey":2}`;
    const out = dropRepeatedKeys(line);
    assert.equal(out, `{"meta":${JSON.stringify(meta)},"tenant_id":"globex","k\\"ey":2}`);
    assert.deepEqual(JSON.parse(out), { meta, tenant_id: 'globex', 'k"ey': 2 });
  });

  it('leaves text that is not a JSON object alone', () => {
    assert.equal(dropRepeatedKeys('plain text\n'), 'plain text\n');
    assert.equal(dropRepeatedKeys('{}\n'), '{}\n');
  });
});
