import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { SpanStatusCode } from '@opentelemetry/api';
import { Instrument, isInstrumented } from '../../src/decorators/index.js';
import { isObservabilityError } from '../../src/errors.js';
import { getRuntime } from '../../src/runtime.js';
import { installCountingTracer, installTestRuntime, type TestRuntime } from './support/runtime.js';
import { CriticalOnlySampler } from './support/samplers.js';

describe('Instrument', () => {
  let runtime: TestRuntime | undefined;
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
  });

  it('adds fields to the log lines written inside the call, with its trace_id', async () => {
    runtime = installTestRuntime();
    class Scheduler {
      @Instrument({ skip: ['payload'], fields: ['taskId', 'tenantId'] })
      async submit(taskId: string, tenantId: string, payload: string): Promise<number> {
        await new Promise((resolve) => setImmediate(resolve));
        getRuntime()?.logger.info({ submitted: [taskId, tenantId].length }, 'Task submitted');
        return payload.length;
      }
    }
    assert.equal(await new Scheduler().submit('t-7', 'tenant-q', 'body'), 4);
    const span = runtime.tracing.exporter.getFinishedSpans()[0]!;
    const line = runtime.logs.lines.find((l) => l.msg === 'Task submitted')!;
    assert.equal(line.taskId, 't-7');
    assert.equal(line.tenantId, 'tenant-q');
    assert.equal(line.trace_id, span.spanContext().traceId);
    assert.ok(!JSON.stringify(runtime.logs.lines).includes('body'));
  });

  it('passes fixed, argument and attributes-function values at span start, where the sampler sees them', () => {
    const sampler = new CriticalOnlySampler();
    runtime = installTestRuntime(sampler);
    let hookCalls = 0;
    class Router {
      @Instrument({ attributes: { priority: 'critical' } })
      important(id: string): string {
        return id;
      }
      @Instrument({ attributes: () => ({ hooked: ++hookCalls }) })
      ordinary(id: string): string {
        return id;
      }
      @Instrument({ fields: ['priority'] })
      byArgument(priority: string): string {
        return priority;
      }
      @Instrument({ attributes: (args) => ({ priority: args[0] === 'urgent' ? 'critical' : 'normal' }) })
      byFunction(id: string): string {
        return id;
      }
    }
    const router = new Router();
    router.important('x');
    router.ordinary('y');
    router.byArgument('critical');
    router.byArgument('low');
    router.byFunction('urgent');
    router.byFunction('later');
    assert.equal(hookCalls, 1, 'the attributes function runs before the sampling decision');
    assert.deepEqual(sampler.seen[1], { id: 'y', hooked: 1 });
    const spans = runtime.tracing.exporter.getFinishedSpans();
    assert.deepEqual(
      spans.map((s) => [s.name, s.attributes]),
      [
        ['Router.important', { priority: 'critical', id: 'x' }],
        ['Router.byArgument', { priority: 'critical' }],
        ['Router.byFunction', { id: 'urgent', priority: 'critical' }],
      ],
    );
  });

  it('leaves the result unchanged and ends every span when a field getter or attributes function throws', async () => {
    runtime = installTestRuntime();
    const startedSpans = installCountingTracer();
    class Jobs {
      @Instrument({ fields: ['job.id', 'job.tenant'] })
      run(job: { id: string; tenant: string }): string {
        return `ran ${job.tenant}`;
      }
      @Instrument({
        fields: ['job.tenant'],
        attributes: () => {
          throw new Error('attributes boom');
        },
      })
      async later(job: { id: string; tenant: string }): Promise<string> {
        await new Promise((resolve) => setImmediate(resolve));
        return `later ${job.tenant}`;
      }
    }
    const job = {
      get id(): string {
        throw new Error('getter boom');
      },
      tenant: 'tenant-g',
    };
    const jobs = new Jobs();
    assert.equal(jobs.run(job), 'ran tenant-g');
    assert.equal(jobs.run(job), 'ran tenant-g');
    assert.equal(await jobs.later(job), 'later tenant-g');
    await new Promise((resolve) => setImmediate(resolve));
    const spans = runtime.tracing.exporter.getFinishedSpans();
    assert.equal(startedSpans(), 3);
    assert.equal(spans.length, startedSpans(), 'every started span was ended and exported');
    assert.deepEqual(
      spans.map((s) => [s.name, s.attributes]),
      [
        ['Jobs.run', { 'job.tenant': 'tenant-g' }],
        ['Jobs.run', { 'job.tenant': 'tenant-g' }],
        ['Jobs.later', { 'job.tenant': 'tenant-g' }],
      ],
    );
    const warnings = runtime.logs.lines.filter((l) => l.code === 'OBS_WARN_HOOK_FAILED');
    assert.deepEqual(
      warnings.map((l) => l.step),
      ['reading the field job.id', 'attributes'],
      'one warning per decorated method, not per call',
    );
  });

  it('instruments every method of a decorated class once', () => {
    runtime = installTestRuntime();
    @Instrument({ skip: ['secret'], name: 'ignored.on.a.class' })
    class Store {
      get size(): number {
        return 1;
      }
      put(key: string, secret: string): number {
        return key.length + secret.length;
      }
      @Instrument({ name: 'store.get' })
      get(key: string): string {
        return key;
      }
    }
    const store = new Store();
    assert.equal(store.put('k', 'shh'), 4);
    assert.equal(store.get('k'), 'k');
    assert.equal(store.size, 1);
    assert.ok(isInstrumented(Store.prototype.put));
    const spans = runtime.tracing.exporter.getFinishedSpans();
    assert.deepEqual(
      spans.map((s) => [s.name, s.attributes]),
      [
        ['Store.put', { key: 'k' }],
        ['store.get', { key: 'k' }],
      ],
    );
  });

  it('names symbol-keyed methods Class.[description] and honours expectedErrors', async () => {
    runtime = installTestRuntime();
    const RUN = Symbol('run');
    class Lookup {
      @Instrument()
      [RUN](): string {
        return 'ran';
      }
      @Instrument({ expectedErrors: (error) => error instanceof RangeError })
      async find(id: number): Promise<number> {
        throw new RangeError(`no ${id}`);
      }
    }
    const lookup = new Lookup();
    assert.equal(lookup[RUN](), 'ran');
    await assert.rejects(lookup.find(4), RangeError);
    await new Promise((resolve) => setImmediate(resolve));
    const [symbolSpan, findSpan] = runtime.tracing.exporter.getFinishedSpans();
    assert.equal(symbolSpan!.name, 'Lookup.[run]');
    assert.equal(findSpan!.name, 'Lookup.find');
    assert.equal(findSpan!.status.code, SpanStatusCode.UNSET);
    assert.equal(findSpan!.attributes['grey.error.expected'], true);
    assert.equal(findSpan!.attributes.id, 4);
  });

  it('rejects skip or fields names that are not parameters, at decoration', () => {
    const define = () => {
      class Bad {
        @Instrument({ fields: ['taskid'] })
        run(taskId: string): string {
          return taskId;
        }
      }
      return Bad;
    };
    assert.throws(
      define,
      (error) =>
        isObservabilityError(error, 'OBS_ERR_DECORATOR_OPTIONS') &&
        /taskid/.test(error.message) &&
        /taskId/.test(error.message),
    );
  });
});

describe('Instrument and secret arguments', () => {
  let runtime: TestRuntime | undefined;
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
  });

  it('never records an argument whose parameter name is a secret name, built-in or configured', () => {
    runtime = installTestRuntime(undefined, { logging: { level: 'info', redact: ['req.headers["pin"]'] } });
    class Auth {
      @Instrument()
      login(
        user: string,
        password: string,
        apiKey: string,
        api_key: string,
        sessionToken: string,
        clientSecret: string,
        authorization: string,
        cookie: string,
        pin: string,
        attempts: number,
      ): number {
        return (
          [user, password, apiKey, api_key, sessionToken, clientSecret, authorization, cookie, pin].length + attempts
        );
      }
    }
    new Auth().login('ada', 'hunter2', 'k-1', 'k-2', 't-1', 's-1', 'Bearer b', 'c=1', '1234', 3);
    const span = runtime.tracing.exporter.getFinishedSpans()[0]!;
    assert.deepEqual(span.attributes, { user: 'ada', attempts: 3 });
    const recorded = JSON.stringify(span.attributes);
    for (const secret of ['hunter2', 'k-1', 'k-2', 't-1', 's-1', 'Bearer b', 'c=1', '1234'])
      assert.ok(!recorded.includes(secret), secret);
  });
});
