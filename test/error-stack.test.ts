import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readErrorStack } from '../src/error-stack.js';

describe('readErrorStack', () => {
  it('gives the text error.stack gives and leaves Error.prepareStackTrace as it was', () => {
    const before = Error.prepareStackTrace;
    const error = new Error('read me');
    const text = readErrorStack(error);
    assert.equal(Error.prepareStackTrace, before);
    assert.equal(text, error.stack);
    assert.match(text!, /^Error: read me\n\s+at /);
    assert.equal(readErrorStack(error), text, 'an already formatted stack comes back as it is');
  });

  it('uses a formatter the service installed, and restores it', () => {
    const before = Error.prepareStackTrace;
    const own = (error: Error, sites: NodeJS.CallSite[]): string => `custom ${error.message} ${sites.length > 0}`;
    Error.prepareStackTrace = own;
    try {
      const error = new Error('mine');
      assert.equal(readErrorStack(error), 'custom mine true');
      assert.equal(Error.prepareStackTrace, own);
      assert.equal(error.stack, 'custom mine true');
    } finally {
      Error.prepareStackTrace = before;
    }
  });

  it('reads plain stack properties and survives values without one or throwing formatters', () => {
    assert.equal(readErrorStack({ stack: 'plain text' }), 'plain text');
    assert.equal(readErrorStack({}), undefined);
    const before = Error.prepareStackTrace;
    Error.prepareStackTrace = () => {
      throw new Error('formatter broke');
    };
    try {
      assert.equal(readErrorStack(new Error('x')), undefined);
    } finally {
      Error.prepareStackTrace = before;
    }
  });
});
