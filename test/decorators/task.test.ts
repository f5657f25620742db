import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { trace } from '@opentelemetry/api';
import { isObservabilityError } from '../../src/errors.js';
import { Task } from '../../src/decorators/index.js';
import { getRuntime, setRuntime } from '../../src/runtime.js';
import { currentTenant } from '../../src/tenant-context.js';
import { counterValue, installTestRuntime, type TestRuntime } from './support/runtime.js';
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

  it('does no span work for calls the sampler drops, and still counts and logs them', () => {
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
    assert.equal(hookCalls, 1, 'the attributes hook runs only for the recording span');
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
