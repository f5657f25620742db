import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { contextChildOf } from '../../src/logging/context-child.js';
import { boundKeysOf, watchBindings } from '../../src/logging/logger-bindings.js';
import { captureLines } from './support/capture.js';

function watched(base: Record<string, unknown>) {
  const out = captureLines();
  const logger = pino({ base }, out);
  watchBindings(logger, base, undefined);
  return { out, logger };
}

describe('contextChildOf', () => {
  it("gives a child bound to the context fields after the logger's own bindings, kept while the context stays", () => {
    const { out, logger: root } = watched({ service: 's' });
    const logger = root.child({ component: 'api' });
    const fields = { trace_id: 't1' };
    const made = contextChildOf(logger, fields, boundKeysOf(logger));
    assert.equal(contextChildOf(logger, fields, boundKeysOf(logger)), made);
    assert.equal(made.repeated, false);
    made.logger.info('m');
    assert.deepEqual(Object.keys(out.lines[0]!).slice(-3), ['component', 'trace_id', 'msg']);
    assert.notEqual(contextChildOf(logger, { trace_id: 't2' }, boundKeysOf(logger)), made, 'another context');
  });

  it('says when a context field is bound by the logger too', () => {
    const { logger: root } = watched({ service: 's' });
    const logger = root.child({ tenant_id: 'acme' });
    assert.equal(contextChildOf(logger, { tenant_id: 'globex' }, boundKeysOf(logger)).repeated, true);
    assert.equal(contextChildOf(logger, { trace_id: 't' }, boundKeysOf(logger)).repeated, false);
  });

  it('makes the child again when the logger gets new bindings', () => {
    const { out, logger } = watched({});
    const fields = { trace_id: 't1' };
    const before = contextChildOf(logger, fields, boundKeysOf(logger));
    logger.setBindings({ late: 1 });
    const after = contextChildOf(logger, fields, boundKeysOf(logger));
    assert.notEqual(after, before);
    after.logger.info('m');
    assert.equal(out.lines[0]!.late, 1);
  });
});
