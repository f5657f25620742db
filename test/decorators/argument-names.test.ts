import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parameterNames } from '../../src/decorators/argument-names.js';

describe('parameterNames', () => {
  it('reads plain, defaulted and rest parameters of methods', () => {
    class Sample {
      run(taskId: string, payload = { a: [1, 2] }, ...rest: number[]): unknown {
        return [taskId, payload, rest];
      }
      async load(this: void, url: string, options = ',)'): Promise<unknown> {
        return [url, options];
      }
      *walk(depth: number): Iterable<number> {
        yield depth;
      }
      [Symbol.for('computed(x)')](first: string, /* note, */ second: number): unknown {
        return [first, second];
      }
      none(): number {
        return 1;
      }
    }
    const proto = Sample.prototype as unknown as Record<string | symbol, (...args: never[]) => unknown>;
    assert.deepEqual(parameterNames(proto.run!), ['taskId', 'payload', 'rest']);
    assert.deepEqual(parameterNames(proto.load!), ['url', 'options']);
    assert.deepEqual(parameterNames(proto.walk!), ['depth']);
    assert.deepEqual(parameterNames(proto[Symbol.for('computed(x)')]!), ['first', 'second']);
    assert.deepEqual(parameterNames(proto.none!), []);
  });

  it('gives undefined for destructured parameters', () => {
    const fn = function (this: void, { id }: { id: string }, [first]: string[], name: string) {
      return [id, first, name];
    };
    assert.deepEqual(parameterNames(fn), [undefined, undefined, 'name']);
  });
});
