import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeError, matchesExpected, MAX_MESSAGE_LENGTH } from '../../src/decorators/error-info.js';

class QuotaError extends Error {}

describe('describeError', () => {
  it('names errors by their name or, for plain Error subclasses, their class', () => {
    assert.equal(describeError(new TypeError('bad')).type, 'TypeError');
    assert.equal(describeError(new QuotaError('over')).type, 'QuotaError');
    assert.equal(describeError(new Error('')).message, 'Error');
  });

  it('describes values that are not errors', () => {
    const table: Array<[unknown, string, string]> = [
      ['x', 'string', 'x'],
      ['', 'string', 'empty string thrown'],
      [7, 'number', '7'],
      [false, 'boolean', 'false'],
      [10n, 'bigint', '10'],
      [Symbol('s'), 'symbol', 'Symbol(s)'],
      [undefined, 'undefined', 'undefined thrown'],
      [null, 'null', 'null thrown'],
      [{ message: 'inner' }, 'object', 'inner'],
      [new Map(), 'Map', 'Map thrown: {}'],
    ];
    for (const [value, type, message] of table) {
      const info = describeError(value);
      assert.equal(info.type, type);
      assert.equal(info.message, message);
      assert.deepEqual(info.exception, { name: type, message });
    }
  });

  it('survives values that cannot be serialized and cuts long messages', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.equal(describeError(cyclic).message, 'object thrown');
    assert.equal(describeError('y'.repeat(5000)).message.length, MAX_MESSAGE_LENGTH);
  });
});

describe('matchesExpected', () => {
  it('matches error classes and predicates', () => {
    assert.equal(matchesExpected([QuotaError], new QuotaError()), true);
    assert.equal(matchesExpected([QuotaError], new Error()), false);
    assert.equal(
      matchesExpected((e) => e === 'x', 'x'),
      true,
    );
  });
});
