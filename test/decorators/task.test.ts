import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { SpanStatusCode, propagation, trace, type Attributes } from '@opentelemetry/api';
import { TraceIdRatioBasedSampler, type Sampler } from '@opentelemetry/sdk-trace';
import { isObservabilityError } from '../../src/errors.js';
import { Task } from '../../src/decorators/index.js';
import { getRuntime, setRuntime } from '../../src/runtime.js';
import { AlwaysSampleRuleSampler } from '../../src/tracing/samplers/always-sample-rule-sampler.js';
import { currentTenant } from '../../src/tenancy/tenant-context.js';
import type { Gauge, Histogram } from 'prom-client';
import { counterValue, installCountingTracer, installTestRuntime, type TestRuntime } from './support/runtime.js';
import { CriticalOnlySampler } from './support/samplers.js';

describe('Task', () => {
  let runtime: TestRuntime | undefined;
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
  });

  it('rejects a missing or empty task type at decoration', () => {
    for (const type of ['', '  ', undefined]) {
      assert.throws(
        () => Task({ type } as never),
        (error) => isObservabilityError(error, 'OBS_ERR_DECORATOR_OPTIONS'),
      );
    }
  });

  it('does no span work for calls the sampler drops (but runs the attributes function), and still counts and logs them', () => {
    const sampler = new CriticalOnlySampler();
    runtime = installTestRuntime(sampler);
    let hookCalls = 0;
    class Worker {
      @Task({ type: 'batch', attributes: () => ({ hooked: ++hookCalls }) })
      run(job: { taskId: string }): string {
        return job.taskId;
      }
      @Task({ type: 'batch', priority: 'critical', attributes: () => ({ hooked: ++hookCalls }) })
      runCritical(job: { taskId: string }): string {
        return job.taskId;
      }
    }
    const worker = new Worker();
    assert.equal(worker.run({ taskId: 'a' }), 'a');
    assert.equal(worker.runCritical({ taskId: 'b' }), 'b');
    assert.equal(hookCalls, 2, 'the attributes function runs before the sampling decision, on every call');
    assert.equal(sampler.seen[0]?.hooked, 1, 'its result is a start attribute');
    const spans = runtime.tracing.exporter.getFinishedSpans();
    assert.deepEqual(
      spans.map((s) => s.attributes['grey.task_id']),
      ['b'],
    );
    assert.deepEqual(
      sampler.seen.map((a) => a.priority),
      [undefined, 'critical'],
      'priority is a start attribute',
    );
    return (async () => {
      assert.equal(await counterValue(runtime!.metrics.counters.completed, { type: 'batch' }), 2);
      const completed = runtime!.logs.lines.filter((l) => l.msg === 'task completed');
      assert.deepEqual(
        completed.map((l) => l.trace_flags),
        ['00', '01'],
      );
    })();
  });

  it('puts a tenant found in the arguments into the baggage for the call', async () => {
    runtime = installTestRuntime();
    let seen: string | undefined;
    class Worker {
      @Task({ type: 'tenant' })
      async run(job: { tenantId: string }): Promise<void> {
        await new Promise((resolve) => setImmediate(resolve));
        seen = currentTenant();
        getRuntime()?.logger.info({ arg: job.tenantId }, 'inside the task');
      }
    }
    await new Worker().run({ tenantId: 'tenant-z' });
    assert.equal(seen, 'tenant-z');
    assert.equal(currentTenant(), undefined, 'the caller context is unchanged');
    const inside = runtime.logs.lines.find((l) => l.msg === 'inside the task');
    assert.equal(inside?.tenant_id, 'tenant-z');
  });

  it('still counts and logs when tracing is off (the API no-op tracer)', async () => {
    runtime = installTestRuntime();
    const live = getRuntime()!;
    setRuntime({ ...live, tracer: trace.getTracer('disabled') });
    class Worker {
      @Task({ type: 'untraced' })
      run(job: { taskId: string }): string {
        return job.taskId;
      }
    }
    assert.equal(new Worker().run({ taskId: 'u-1' }), 'u-1');
    assert.equal(runtime.tracing.exporter.getFinishedSpans().length, 0);
    assert.equal(await counterValue(runtime.metrics.counters.completed, { type: 'untraced' }), 1);
    const completed = runtime.logs.lines.find((l) => l.msg === 'task completed')!;
    assert.equal(completed.task_id, 'u-1');
    assert.ok(!('trace_id' in completed), 'no trace fields for an invalid span context');
  });

  it('passes the attributes-function result at span start, where an always-sample rule matches it at ratio 0', () => {
    const rules = new AlwaysSampleRuleSampler(['tenant_tier=gold'], new TraceIdRatioBasedSampler(0));
    const seen: Attributes[] = [];
    const sampler: Sampler = {
      shouldSample: (...args: Parameters<Sampler['shouldSample']>) => {
        seen.push({ ...args[4] });
        return rules.shouldSample(...args);
      },
      toString: () => 'RecordingRuleSampler',
    };
    runtime = installTestRuntime(sampler);
    interface Job {
      taskId?: string;
      tenantId?: string;
      tier?: string;
    }
    class Billing {
      @Task({
        type: 'billing',
        priority: 'low',
        attributes: (args) => {
          const tier = (args[0] as Job).tier;
          return tier === undefined ? {} : { tenant_tier: tier };
        },
      })
      run(job: Job): string {
        return job.tier ?? 'none';
      }
    }
    const billing = new Billing();
    assert.equal(billing.run({ taskId: 'g-1', tenantId: 'tenant-g', tier: 'gold' }), 'gold');
    assert.equal(billing.run({ taskId: 's-1', tenantId: 'tenant-s', tier: 'silver' }), 'silver');
    assert.equal(billing.run({ tier: 'gold' }), 'gold', 'no task id or tenant: the shared start attributes');
    assert.equal(billing.run({}), 'none');
    assert.deepEqual(
      seen.map((a) => a.tenant_tier),
      ['gold', 'silver', 'gold', undefined],
      'the shared start attributes are never mutated',
    );
    const spans = runtime.tracing.exporter.getFinishedSpans();
    assert.deepEqual(
      spans.map((s) => s.attributes),
      [
        {
          'grey.task_type': 'billing',
          priority: 'low',
          'grey.tenant_id': 'tenant-g',
          'grey.task_id': 'g-1',
          tenant_tier: 'gold',
        },
        { 'grey.task_type': 'billing', priority: 'low', tenant_tier: 'gold' },
      ],
      'only the rule matches are sampled (ratio 0), with every start attribute kept',
    );
  });

  it('leaves the result unchanged and ends every span when the attributes function or its result throws', async () => {
    runtime = installTestRuntime();
    const startedSpans = installCountingTracer();
    class Worker {
      @Task({
        type: 'throwing',
        attributes: () => {
          throw new Error('attributes boom');
        },
      })
      run(job: { taskId: string }): string {
        return `ran ${job.taskId}`;
      }
      @Task({
        type: 'throwing-async',
        attributes: () => {
          throw new Error('attributes boom');
        },
      })
      async later(job: { taskId: string }): Promise<string> {
        await new Promise((resolve) => setImmediate(resolve));
        return `later ${job.taskId}`;
      }
      @Task({
        type: 'throwing-getter',
        attributes: () =>
          ({
            get tenant_tier(): string {
              throw new Error('getter boom');
            },
          }) as unknown as Attributes,
      })
      viaGetter(): number {
        return 7;
      }
    }
    const worker = new Worker();
    assert.equal(worker.run({ taskId: 'a' }), 'ran a');
    assert.equal(worker.run({ taskId: 'b' }), 'ran b');
    assert.equal(await worker.later({ taskId: 'c' }), 'later c');
    assert.equal(worker.viaGetter(), 7);
    await new Promise((resolve) => setImmediate(resolve));
    const spans = runtime.tracing.exporter.getFinishedSpans();
    assert.equal(startedSpans(), 4);
    assert.equal(spans.length, startedSpans(), 'every started span was ended and exported');
    assert.deepEqual(
      spans.map((s) => s.attributes),
      [
        { 'grey.task_type': 'throwing', 'grey.task_id': 'a' },
        { 'grey.task_type': 'throwing', 'grey.task_id': 'b' },
        { 'grey.task_type': 'throwing-async', 'grey.task_id': 'c' },
        { 'grey.task_type': 'throwing-getter' },
      ],
      'the span starts with its other attributes',
    );
    assert.deepEqual(
      spans.map((s) => s.status.code),
      [SpanStatusCode.UNSET, SpanStatusCode.UNSET, SpanStatusCode.UNSET, SpanStatusCode.UNSET],
    );
    const warnings = runtime.logs.lines.filter((l) => l.code === 'OBS_WARN_HOOK_FAILED');
    assert.deepEqual(
      warnings.map((l) => l.step),
      ['attributes', 'attributes', 'attributes'],
      'one warning per decorated method, not per call',
    );
    assert.equal(await counterValue(runtime.metrics.counters.completed, { type: 'throwing' }), 2);
  });

  it('ends a started span when recording the call fails after it started', () => {
    runtime = installTestRuntime();
    const createBaggage = propagation.createBaggage;
    propagation.createBaggage = () => {
      throw new Error('baggage boom');
    };
    try {
      class Worker {
        @Task({ type: 'baggage' })
        run(job: { tenantId: string }): string {
          return job.tenantId;
        }
      }
      assert.equal(new Worker().run({ tenantId: 'tenant-x' }), 'tenant-x', 'the call runs untraced');
    } finally {
      propagation.createBaggage = createBaggage;
    }
    assert.equal(runtime.tracing.exporter.getFinishedSpans().length, 1, 'the started span was ended');
    const warning = runtime.logs.lines.find((l) => l.code === 'OBS_WARN_INSTRUMENTATION_FAILED');
    assert.equal(warning?.step, 'starting the span');
  });

  it('writes only the log lines asked for', () => {
    runtime = installTestRuntime();
    class Worker {
      @Task({ type: 'quiet', logs: 'errors' })
      ok(): number {
        return 1;
      }
      @Task({ type: 'quiet', logs: 'errors' })
      fail(): number {
        throw new Error('loud');
      }
      @Task({ type: 'silent', logs: 'none' })
      failSilently(): number {
        throw new Error('quiet');
      }
    }
    const worker = new Worker();
    worker.ok();
    assert.throws(() => worker.fail());
    assert.throws(() => worker.failSilently());
    assert.deepEqual(
      runtime.logs.lines.map((l) => l.msg),
      ['task failed'],
    );
  });
});

describe('Task: running tasks, error codes, retries and the event log level', () => {
  let runtime: TestRuntime | undefined;
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
  });

  const gaugeValue = async (labels: Record<string, string>): Promise<number> => {
    const gauge = runtime!.metrics.registry.getSingleMetric('grey_tasks_running') as Gauge;
    const { values } = await gauge.get();
    return values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value ?? 0;
  };

  it('counts a task as running while it runs, and not after it completes or fails', async () => {
    runtime = installTestRuntime();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    class Worker {
      @Task({ type: 'gated' })
      async run(job: { tenantId: string; fail?: boolean }): Promise<void> {
        await gate;
        if (job.fail === true) throw new Error('no');
      }
    }
    const worker = new Worker();
    const ok = worker.run({ tenantId: 'acme' });
    const bad = worker.run({ tenantId: 'acme', fail: true });
    assert.equal(await gaugeValue({ type: 'gated', tenant: 'acme' }), 2);
    release();
    await ok;
    await assert.rejects(bad, /no/);
    assert.equal(await gaugeValue({ type: 'gated', tenant: 'acme' }), 0);
  });

  it("records every call through each metric's tenant guard: admitted tenants by name, the rest under other, counted", async () => {
    runtime = installTestRuntime(undefined, { tenancy: { max_tenants_per_metric: 2 } });
    class Worker {
      @Task({ type: 'guarded' })
      async run(_job: { tenantId: string }): Promise<void> {}
    }
    const worker = new Worker();
    // Three rounds: the first admits a and b (the budget) and sends c to overflow; later rounds
    // record with the labels kept for a and b, while c goes through the guard on every call.
    for (let round = 0; round < 3; round++) {
      for (const tenantId of ['a', 'b', 'c']) await worker.run({ tenantId });
    }
    const { submitted, completed } = runtime.metrics.counters;
    for (const counter of [submitted, completed]) {
      assert.equal(await counterValue(counter, { type: 'guarded', tenant: 'a' }), 3);
      assert.equal(await counterValue(counter, { type: 'guarded', tenant: 'b' }), 3);
      assert.equal(await counterValue(counter, { type: 'guarded', tenant: '__other__' }), 3);
      assert.equal(await counterValue(counter, { type: 'guarded', tenant: 'c' }), 0);
    }
    assert.equal(await gaugeValue({ type: 'guarded', tenant: 'a' }), 0);
    const overflow = runtime.metrics.registry.getSingleMetric('grey_observability_tenant_overflow_total')!;
    const perMetric = (await overflow.get()).values.find((v) => v.labels.metric === 'grey_tasks_submitted_total');
    assert.equal(perMetric?.value, 3, 'every measurement of the over-budget tenant is counted');
    const histogram = (await runtime.metrics.durationHistogram.get()).values;
    const count = (tenant: string) =>
      histogram.find((v) => v.metricName === 'grey_task_duration_seconds_count' && v.labels.tenant === tenant)?.value;
    assert.deepEqual([count('a'), count('b'), count('__other__')], [3, 3, 3]);

    // A new runtime with other metric settings: the labels kept for the old metrics are not reused.
    await runtime.stop();
    runtime = installTestRuntime(undefined, { prometheus: { include_tenant_labels: false } });
    await worker.run({ tenantId: 'a' });
    const { values } = await runtime.metrics.counters.submitted.get();
    assert.deepEqual(
      values.map((v) => ({ labels: v.labels, value: v.value })),
      [{ labels: { type: 'guarded' }, value: 1 }],
    );
  });

  it('counts failures by error code: the code property when short, else the error type', async () => {
    runtime = installTestRuntime();
    class Worker {
      @Task({ type: 'coded' })
      run(error: unknown): void {
        throw error;
      }
    }
    const worker = new Worker();
    const failures: unknown[] = [
      Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
      Object.assign(new Error('reset again'), { code: 'ECONNRESET' }),
      Object.assign(new Error('http'), { code: 503 }),
      new TypeError('plain'),
      Object.assign(new Error('long'), { code: 'x'.repeat(200) }),
    ];
    for (const failure of failures) assert.throws(() => worker.run(failure));
    const errors = runtime.metrics.registry.getSingleMetric('grey_task_errors_total')!;
    const { values } = await errors.get();
    const byCode = Object.fromEntries(values.map((v) => [v.labels.code, v.value]));
    assert.deepEqual(byCode, { ECONNRESET: 2, '503': 1, TypeError: 1, Error: 1 });
    assert.ok(values.every((v) => v.labels.type === 'coded'));
  });

  it('observes retries from the attempt option when a task completes, and nothing without it', async () => {
    runtime = installTestRuntime();
    class Worker {
      @Task({ type: 'retried', attempt: (args) => (args[0] as { attempt: number }).attempt })
      run(_job: { attempt: number }): string {
        return 'ok';
      }
      @Task({ type: 'plain' })
      plain(): string {
        return 'ok';
      }
    }
    const worker = new Worker();
    worker.run({ attempt: 1 });
    worker.run({ attempt: 3 });
    worker.run({ attempt: 0 }); // not a 1-based attempt: ignored
    worker.plain();
    const retries = runtime.metrics.registry.getSingleMetric('grey_task_retries') as Histogram;
    const { values } = await retries.get();
    const count = (type: string) =>
      values.find((v) => v.metricName === 'grey_task_retries_count' && v.labels.type === type)?.value ?? 0;
    const sum = values.find((v) => v.metricName === 'grey_task_retries_sum' && v.labels.type === 'retried')?.value;
    assert.equal(count('retried'), 2);
    assert.equal(sum, 2, 'attempts 1 and 3 are 0 and 2 retries');
    assert.equal(count('plain'), 0);
  });

  it('writes the start and completion lines at logging.task_events_level, failure lines at error', async () => {
    runtime = installTestRuntime(undefined, { logging: { level: 'info', task_events_level: 'debug' } });
    class Worker {
      @Task({ type: 'quiet' })
      run(fail: boolean): void {
        if (fail) throw new Error('loud');
      }
    }
    const worker = new Worker();
    worker.run(false);
    assert.throws(() => worker.run(true));
    assert.deepEqual(
      runtime.logs.lines.map((l) => [l.msg, l.level]),
      [['task failed', 'error']],
      'at info, the debug-level events are not written; the failure is',
    );
    await runtime.stop();
    runtime = installTestRuntime(undefined, { logging: { level: 'debug', task_events_level: 'debug' } });
    new Worker().run(false);
    assert.deepEqual(
      runtime.logs.lines.map((l) => [l.msg, l.level]),
      [
        ['task started', 'debug'],
        ['task completed', 'debug'],
      ],
    );
  });
});
