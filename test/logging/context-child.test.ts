import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { contextChildOf } from '../../src/logging/context-child.js';
import { boundKeysOf, watchBindings } from '../../src/logging/logger-bindings.js';
import { captureLines } from './support/capture.js';

describe('contextChildOf', () => {
  it("gives a child bound to the context fields after the logger's own bindings, kept while the context stays", () => {
    const out = captureLines();
    const base = { service: 's' };
    const logger = pino({ base }, out).child({ component: 'api' });
    watchBindings(logger, base, undefined);
    const fields = { trace_id: 't1' };
    const child = contextChildOf(logger, fields);
    assert.equal(contextChildOf(logger, fields), child);
    child.info('m');
    assert.deepEqual(Object.keys(out.lines[0]!).slice(-3), ['component', 'trace_id', 'msg']);
    assert.equal(boundKeysOf(child).keys.has('trace_id'), true);
    assert.notEqual(contextChildOf(logger, { trace_id: 't2' }), child, 'another context, another child');
  });

  it('makes the child again when the logger gets new bindings', () => {
    const out = captureLines();
    const logger = pino({ base: {} }, out);
    watchBindings(logger, {}, undefined);
    const fields = { trace_id: 't1' };
    const before = contextChildOf(logger, fields);
    logger.setBindings({ late: 1 });
    const after = contextChildOf(logger, fields);
    assert.notEqual(after, before);
    after.info('m');
    assert.equal(out.lines[0]!.late, 1);
  });
});
