import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { boundKeysOf, watchBindings } from '../../src/logging/logger-bindings.js';
import { captureLines } from './support/capture.js';

function watched() {
  const out = captureLines();
  const base = { service: 's', pid: 1, hostname: 'h' };
  const logger = pino({ base }, out);
  watchBindings(logger, base, (name) => name === 'token');
  return { out, logger };
}

describe('watchBindings', () => {
  it('records the keys of the base, of each child and of setBindings(), and whether one is bound twice', () => {
    const { logger } = watched();
    assert.deepEqual([...boundKeysOf(logger).keys], ['service', 'pid', 'hostname']);
    const child = logger.child({ a: 1, skipped: undefined });
    assert.deepEqual(boundKeysOf(child), { keys: new Set(['service', 'pid', 'hostname', 'a']), repeated: false });
    const grandchild = child.child({ b: 2 });
    assert.equal(boundKeysOf(grandchild).repeated, false);
    assert.equal(boundKeysOf(grandchild.child({ a: 3 })).repeated, true);
    grandchild.setBindings({ service: 'x' });
    assert.equal(boundKeysOf(grandchild).repeated, true);
    assert.equal(boundKeysOf(child).repeated, false, 'the parent is unchanged');
  });

  it('censors secret-named bindings of child() and setBindings(), nested too, without changing the objects given', () => {
    const { out, logger } = watched();
    const bound = { nested: { token: 'v1', keep: 'k' } };
    const child = logger.child({ token: 'v2', ...bound });
    child.setBindings({ extra: { token: 'v3' } });
    child.info('m');
    assert.ok(!/v1|v2|v3/.test(out.raw[0]!), out.raw[0]);
    assert.deepEqual(out.lines[0]!.nested, { token: '[REDACTED]', keep: 'k' });
    assert.equal(bound.nested.token, 'v1');
  });

  it('treats a logger it did not make as repeating a key, with the keys bindings() gives', () => {
    const other = pino({ base: { service: 's' } }, captureLines()).child({ a: 1 });
    const bound = boundKeysOf(other);
    assert.equal(bound.repeated, true);
    assert.ok(bound.keys.has('a') && bound.keys.has('service') && bound.keys.has('pid'));
  });
});
