import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runInNewContext } from 'node:vm';
import 'reflect-metadata';
import { SpanStatusCode } from '@opentelemetry/api';
import { getRuntime, setRuntime } from '../../../src/runtime.js';
import { counterValue } from '../support/runtime.js';
import { finishedSpans, logLines, onlySpan, originalOf, settle, type CaseContext } from './helpers.js';

/** Registers one test per failure mode of issue 5 (modes 1-14; 15 is in misuse.ts). */
export function registerFailureModeTests(ctx: CaseContext): void {
  const fx = () => ctx.build().fixture;

  it('1. keeps a sync method sync and ends its span before it returns', () => {
    const service = new (fx().TaskService)();
    const result = service.runSync({ n: 3 });
    assert.equal(result, 6);
    assert.equal(onlySpan(ctx, 'grey.task.run').attributes['grey.task_type'], 'stateless');
    assert.throws(() => service.failSync({ n: 4 }), /sync boom 4/);
    const spans = finishedSpans(ctx);
    assert.equal(spans.length, 2);
    assert.equal(spans[1]!.status.code, SpanStatusCode.ERROR);
  });

  it('2. records a rejected promise (exception event, ERROR status) and rethrows the same error', async () => {
    const service = new (fx().TaskService)();
    const error = new Error('exact error');
    await assert.rejects(service.rejectWith(error), (thrown) => thrown === error);
    await assert.rejects(
      service.failAsync({ n: 1 }),
      (thrown) => thrown instanceof RangeError && thrown.message === 'async boom 1',
    );
    await settle();
    const [first, second] = finishedSpans(ctx);
    assert.equal(first!.status.code, SpanStatusCode.ERROR);
    assert.equal(first!.status.message, 'exact error');
    assert.equal(second!.status.message, 'async boom 1');
    assert.equal(second!.attributes['error.type'], 'RangeError');
    const event = second!.events.find((e) => e.name === 'exception');
    assert.equal(event?.attributes?.['exception.type'], 'RangeError');
    assert.equal(event?.attributes?.['exception.message'], 'async boom 1');
    assert.equal(await counterValue(ctx.runtime().metrics.counters.failed, { type: 'stateless' }), 2);
  });

  it('3. detects async from the returned value, not the function kind', async () => {
    const service = new (fx().TaskService)();
    const pending = service.returnsPromise({ n: 2 });
    assert.ok(pending instanceof Promise);
    assert.equal(finishedSpans(ctx).length, 0, 'the span stays open until the promise settles');
    assert.equal(await pending, 20);
    await settle();
    assert.equal(finishedSpans(ctx).length, 1);
    await assert.rejects(service.returnsRejectedPromise({ n: 5 }), /late boom 5/);
    await settle();
    assert.equal(finishedSpans(ctx)[1]!.status.code, SpanStatusCode.ERROR);
    // The legacy build targets ES2015: its async methods are plain functions returning a Promise.
    const source = Function.prototype.toString.call(originalOf(fx().TaskService.prototype.runAsync));
    if (ctx.build().mode === 'legacy') assert.match(source, /__awaiter/);
    else assert.match(source, /^async /);
    assert.equal(await service.runAsync({ n: 1 }), 2);
    await settle();
    assert.equal(finishedSpans(ctx).length, 3);
  });

  it('3. observes a native promise from another realm (vm) until it settles', async () => {
    const service = new (fx().TaskService)();
    const sandbox: { pending?: Promise<string>; resolve?: (value: string) => void } = {};
    runInNewContext('pending = new Promise((r) => { resolve = r; })', sandbox);
    const returned = service.lazy(sandbox.pending as never) as unknown as Promise<string>;
    await settle();
    assert.equal(finishedSpans(ctx).length, 0, 'the span stays open until the promise settles');
    sandbox.resolve!('done');
    assert.equal(await returned, 'done');
    await settle();
    assert.equal(onlySpan(ctx, 'grey.task.run').status.code, SpanStatusCode.UNSET);
  });

  it('4. never triggers a lazy thenable', async () => {
    const service = new (fx().TaskService)();
    const thenable = fx().makeLazyThenable();
    assert.equal(service.lazy(thenable), thenable);
    await settle();
    assert.equal(thenable.thenCalls, 0);
    assert.equal(onlySpan(ctx, 'grey.task.run').attributes['grey.task_type'], 'query');
  });

  it('4. never triggers a lazy Promise subclass (p-lazy style: the work starts in then)', async () => {
    const service = new (fx().TaskService)();
    class LazyPromise extends Promise<string> {
      static override get [Symbol.species](): PromiseConstructor {
        return Promise;
      }
      thenCalls = 0;
      override then<A = string, B = never>(
        onFulfilled?: ((value: string) => A | PromiseLike<A>) | null,
        onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
      ): Promise<A | B> {
        this.thenCalls++;
        return super.then(onFulfilled, onRejected);
      }
    }
    const lazy = new LazyPromise((resolve) => resolve('ran'));
    assert.equal(service.lazy(lazy as never), lazy, 'the very same object is returned');
    await settle();
    assert.equal(lazy.thenCalls, 0, 'the wrapper never called then');
    assert.equal(onlySpan(ctx, 'grey.task.run').attributes['grey.task_type'], 'query', 'ended as a plain return');
    assert.equal(await lazy, 'ran');
    assert.equal(lazy.thenCalls, 1, 'the spy counts the caller’s own then');
  });

  it('4. does not throw into the caller when a Promise subclass has a throwing then', async () => {
    const service = new (fx().TaskService)();
    class ThrowingThen extends Promise<string> {
      override then(): never {
        throw new Error('then boom');
      }
    }
    const odd = new ThrowingThen((resolve) => resolve('value'));
    assert.equal(service.lazy(odd as never), odd);
    await settle();
    const span = onlySpan(ctx, 'grey.task.run');
    assert.equal(span.status.code, SpanStatusCode.UNSET);
    assert.equal(await counterValue(ctx.runtime().metrics.counters.completed, { type: 'query' }), 1);
  });

  it('5. covers generator iteration and ends on completion, early return and throw', async () => {
    const service = new (fx().TaskService)();
    const iterator = service.items(3)[Symbol.iterator]();
    assert.equal(iterator.next().value, 0);
    assert.equal(finishedSpans(ctx).length, 0, 'still iterating');
    assert.deepEqual([...{ [Symbol.iterator]: () => iterator }], [1, 2]);
    assert.equal(finishedSpans(ctx).length, 1);
    for (const item of service.items(10)) if (item === 1) break;
    assert.equal(finishedSpans(ctx).length, 2);
    assert.throws(() => [...service.itemsThatThrow()], /generator boom/);
    assert.equal(finishedSpans(ctx)[2]!.status.code, SpanStatusCode.ERROR);

    const seen: number[] = [];
    for await (const item of service.asyncItems(3)) {
      seen.push(item);
      assert.equal(finishedSpans(ctx).length, 3, 'async iteration still open');
    }
    assert.deepEqual(seen, [0, 1, 2]);
    assert.equal(finishedSpans(ctx).length, 4);
    for await (const item of service.asyncItems(10)) if (item === 1) break;
    assert.equal(finishedSpans(ctx).length, 5);
    await assert.rejects(async () => {
      for await (const item of service.asyncItemsThatThrow()) void item;
    }, /async generator boom/);
    const spans = finishedSpans(ctx);
    assert.equal(spans.length, 6);
    assert.equal(spans[5]!.status.code, SpanStatusCode.ERROR);
    assert.deepEqual(spans.map((s) => s.status.code).slice(3, 5), [SpanStatusCode.UNSET, SpanStatusCode.UNSET]);
    const completed = logLines(ctx, 'task completed');
    assert.equal(completed.length, 4);
    completed.forEach((line, index) => {
      const span = spans.filter((s) => s.status.code === SpanStatusCode.UNSET)[index]!;
      assert.equal(line.trace_id, span.spanContext().traceId, 'the end of an iteration is logged in its span');
    });
  });

  it('6. gives thrown non-Error values a useful message and a low-cardinality type', () => {
    const service = new (fx().TaskService)();
    const cases: Array<[unknown, string, RegExp]> = [
      ['plain string', 'string', /^plain string$/],
      [42, 'number', /^42$/],
      [null, 'null', /null thrown/],
      [undefined, 'undefined', /undefined thrown/],
      [{ code: 'E_QUOTA' }, 'object', /E_QUOTA/],
    ];
    for (const [value] of cases)
      assert.throws(
        () => service.throwValue(value),
        (thrown) => thrown === value,
      );
    const spans = finishedSpans(ctx);
    cases.forEach(([, type, message], index) => {
      assert.equal(spans[index]!.attributes['error.type'], type);
      assert.match(spans[index]!.status.message ?? '', message);
      assert.equal(spans[index]!.events[0]!.attributes?.['exception.type'], type);
    });
    assert.deepEqual(
      logLines(ctx, 'task failed').map((l) => l.error_type),
      cases.map(([, type]) => type),
    );
  });

  it('7. can mark expected errors as not failures', async () => {
    const service = new (fx().TaskService)();
    const { counters } = ctx.runtime().metrics;
    await assert.rejects(service.findMissing('r1'), (e) => e instanceof fx().NotFoundError);
    assert.throws(
      () => service.checkMissing('r2'),
      (e) => e instanceof fx().NotFoundError,
    );
    await assert.rejects(service.findBroken('r3'), /database down for r3/);
    await settle();
    const [missing, checked, broken] = finishedSpans(ctx);
    for (const span of [missing!, checked!]) {
      assert.equal(span.status.code, SpanStatusCode.UNSET);
      assert.equal(span.attributes['grey.error.expected'], true);
      assert.equal(span.events[0]!.name, 'exception');
    }
    assert.equal(broken!.status.code, SpanStatusCode.ERROR);
    assert.equal(await counterValue(counters.completed, { type: 'lookup' }), 2);
    assert.equal(await counterValue(counters.failed, { type: 'lookup' }), 1);
    assert.equal(logLines(ctx, 'task completed with an expected error').length, 2);
  });

  it('8. does not let a throwing hook, attribute function or metric change the outcome', async () => {
    const service = new (fx().TaskService)();
    assert.equal(await service.hooked({ n: 1 }), 'done 1');
    assert.equal(await service.hooked({ n: 2 }), 'done 2');
    await assert.rejects(service.hookedFailing({ n: 3 }), /own failure 3/);
    await settle();
    const spans = finishedSpans(ctx);
    assert.equal(spans.length, 3);
    assert.equal(
      spans[2]!.status.code,
      SpanStatusCode.ERROR,
      'a throwing expectedErrors predicate means "not expected"',
    );
    const warnings = ctx.runtime().logs.lines.filter((l) => l.code === 'OBS_WARN_HOOK_FAILED');
    assert.equal(warnings.length, 2, 'one warning per decorated method, not per call');

    const live = getRuntime()!;
    const broken = {
      inc: () => {
        throw new Error('metrics down');
      },
      observe: () => {
        throw new Error('metrics down');
      },
    };
    const tasks = { submitted: broken, completed: broken, failed: broken, duration: broken };
    setRuntime({ ...live, metrics: { ...live.metrics, tasks: tasks as unknown as typeof live.metrics.tasks } });
    try {
      assert.equal(service.runSync({ n: 5 }), 10);
      assert.equal(await service.runAsync({ n: 5 }), 6);
    } finally {
      setRuntime(live);
    }
    assert.ok(ctx.runtime().logs.lines.some((l) => l.code === 'OBS_WARN_INSTRUMENTATION_FAILED'));
  });

  it('9. preserves this and computes the span name once', async () => {
    const { Scaler } = fx();
    class FastScaler extends Scaler {}
    assert.equal(new FastScaler(5).scale(2), 10, 'first call through a subclass instance');
    assert.equal(new Scaler(3).scale(2), 6);
    assert.equal(await new Scaler(4).scaleLater(2), 8);
    const original = Object.getOwnPropertyDescriptor(Scaler, 'name')!;
    Object.defineProperty(Scaler, 'name', { value: 'Renamed' });
    try {
      assert.equal(new Scaler(1).scale(1), 1);
    } finally {
      Object.defineProperty(Scaler, 'name', original);
    }
    await settle();
    assert.deepEqual(
      finishedSpans(ctx).map((s) => s.name),
      ['Scaler.scale', 'Scaler.scale', 'Scaler.scaleLater', 'Scaler.scale'],
    );
  });

  it('9. never names the span after the receiver of a call with a foreign this', () => {
    const { Unconstructed } = fx();
    const run = Unconstructed.prototype.run;
    assert.equal(run.call({}), 'ran', 'first call of the method, with a foreign this');
    assert.equal(new Unconstructed().run(), 'ran');
    assert.equal(run.call(new Map()), 'ran');
    const names = finishedSpans(ctx).map((s) => s.name);
    // Legacy decorators know the class at decoration. TC39 method decorators are not told it: the
    // name is fixed when the first instance is constructed, and is the bare method name before.
    const first = ctx.build().mode === 'legacy' ? 'Unconstructed.run' : 'run';
    assert.deepEqual(names, [first, 'Unconstructed.run', 'Unconstructed.run']);
  });

  it('10. keeps the method name, length and reflect-metadata', () => {
    const { Handler, ROUTE_METADATA } = fx();
    const proto = Handler.prototype;
    assert.equal(proto.handle.name, 'handle');
    assert.equal(proto.handle.length, 2);
    assert.equal(proto.handleInner.name, 'handleInner');
    assert.equal(proto.handleInner.length, 3);
    assert.equal(Reflect.getMetadata(ROUTE_METADATA, proto.handle), '/outer');
    assert.equal(
      Reflect.getMetadata(ROUTE_METADATA, proto.handleInner),
      '/inner',
      'metadata set before wrapping is copied',
    );
    assert.equal(new Handler().handleInner(1, 2, 3), 6);
    assert.equal(onlySpan(ctx, 'Handler.handleInner').name, 'Handler.handleInner');
  });

  it('11. names static methods Class.method', () => {
    const { Registry } = fx();
    assert.equal(Registry.lookup('k'), 'value of k');
    assert.equal(Registry.helper(), 'value of via helper');
    assert.deepEqual(
      finishedSpans(ctx).map((s) => s.name),
      ['Registry.lookup', 'Registry.lookup'],
    );
  });

  it('12. does not wrap twice, alone or with a class-level decorator', async () => {
    const twice = new (fx().Twice)();
    assert.equal(twice.twice(), 2);
    const both = new (fx().Both)();
    assert.equal(both.run({ n: 7 }), 7);
    assert.equal(both.other(), 1);
    assert.equal(twice.taskOverInstrument(), 3);
    assert.equal(twice.instrumentOverTask(), 4);
    assert.equal(fx().Twice.prototype.taskOverInstrument.name, 'taskOverInstrument');
    const spans = finishedSpans(ctx).map((s) => s.name);
    assert.deepEqual(spans, ['Twice.twice', 'grey.task.run', 'Both.other', 'grey.task.run', 'grey.task.run']);
    assert.equal(
      await counterValue(ctx.runtime().metrics.counters.completed, { type: 'mixed' }),
      2,
      '@Task wins in either order',
    );
  });

  it('13. gives nested decorated calls the right parent across awaits', async () => {
    const pipeline = new (fx().Pipeline)();
    const results = await Promise.all([pipeline.run({ n: 1 }), pipeline.run({ n: 2 })]);
    assert.deepEqual(results, [
      ['a1', 'b1'],
      ['a2', 'b2'],
    ]);
    await settle();
    const spans = finishedSpans(ctx);
    const runs = spans.filter((s) => s.name === 'grey.task.run');
    const steps = spans.filter((s) => s.name === 'Pipeline.step');
    assert.equal(runs.length, 2);
    assert.equal(steps.length, 4);
    assert.notEqual(runs[0]!.spanContext().traceId, runs[1]!.spanContext().traceId);
    for (const step of steps) {
      const parent = runs.find((run) => run.spanContext().spanId === step.parentSpanContext?.spanId);
      assert.ok(parent, `step ${step.name} has a run span as parent`);
      assert.equal(parent.spanContext().traceId, step.spanContext().traceId);
    }
  });

  it('14. records after init even when decorated before it, and runs untouched with no runtime', async () => {
    const live = getRuntime()!;
    const service = new (fx().TaskService)();
    setRuntime(undefined);
    try {
      assert.equal(service.runSync({ n: 2 }), 4);
      assert.equal(await service.runAsync({ n: 2 }), 3);
    } finally {
      setRuntime(live);
    }
    assert.equal(finishedSpans(ctx).length, 0);
    assert.equal(await counterValue(ctx.runtime().metrics.counters.submitted, { type: 'stateless' }), 0);
    assert.equal(service.runSync({ n: 2 }), 4);
    assert.equal(finishedSpans(ctx).length, 1);
    assert.equal(await counterValue(ctx.runtime().metrics.counters.submitted, { type: 'stateless' }), 1);
  });
}
