import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Instrument, Task } from '../../src/decorators/index.js';
import { isObservabilityError, type ObservabilityError } from '../../src/errors.js';

function caught(make: () => unknown): ObservabilityError {
  try {
    make();
  } catch (error) {
    assert.ok(isObservabilityError(error, 'OBS_ERR_DECORATOR_OPTIONS'), String(error));
    return error;
  }
  assert.fail('no error at decoration');
}

describe('decorator options are checked at decoration', () => {
  it('names every wrong @Task option in one error, unknown options first', () => {
    const error = caught(() =>
      Task({
        type: 'x',
        logs: 'error',
        taskId: 7,
        tenantID: () => 't',
        expectedErrors: 'TimeoutError',
        attributes: 5,
        attempt: 'n',
        priority: 1,
        name: ' ',
      } as never),
    );
    assert.equal(error.key, 'tenantID');
    assert.match(error.message, /@Task has no option "tenantID"/);
    assert.deepEqual(
      error.others.map((other) => [other.key, other.value]),
      [
        ['logs', 'error'],
        ['taskId', 7],
        ['expectedErrors', 'TimeoutError'],
        ['attributes', 5],
        ['attempt', 'n'],
        ['priority', 1],
        ['name', ' '],
      ],
    );
    assert.match(error.message, /- @Task option logs is invalid \(value "error"; expected 'all', 'errors' or 'none'\)/);
  });

  it('refuses expectedErrors holding something other than error classes, and non-object options', () => {
    assert.equal(caught(() => Task({ type: 'x', expectedErrors: [TypeError, 'E'] } as never)).key, 'expectedErrors');
    assert.match(caught(() => Instrument('fast' as never)).message, /@Instrument takes an options object/);
  });

  it('names wrong @Instrument options', () => {
    const error = caught(() => Instrument({ skip: 'password', fields: [1], nme: 'x' } as never));
    assert.deepEqual([error.key, ...error.others.map((other) => other.key)], ['nme', 'skip', 'fields']);
  });

  it('takes every documented option, and undefined for any of them', () => {
    assert.equal(
      typeof Task({
        type: 'x',
        name: 'n',
        priority: 'critical',
        taskId: () => 1,
        tenantId: () => 't',
        expectedErrors: [TypeError],
        attributes: { a: 1 },
        logs: 'errors',
        attempt: () => 1,
      }),
      'function',
    );
    assert.equal(
      typeof Task({ type: 'x', expectedErrors: () => true, attributes: () => ({}), logs: undefined }),
      'function',
    );
    assert.equal(typeof Instrument({ name: 'n', skip: ['a'], fields: ['b.c'], attributes: () => ({}) }), 'function');
    assert.equal(typeof Instrument(), 'function');
  });
});
