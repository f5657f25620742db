import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import { Task } from '../../src/decorators/index.js';
import { installTestRuntime, type TestRuntime } from './support/runtime.js';

class TimeoutError extends Error {}
class NotFoundError extends Error {}

/** A worker whose calls take `seconds` of the (faked) clock, then succeed or throw `error`. */
function workerOn(clock: { now: number }) {
  class Worker {
    @Task({ type: 'batch', expectedErrors: [NotFoundError] })
    run(job: { tenantId: string; seconds: number; error?: Error }): string {
      clock.now += job.seconds * 1000;
      if (job.error !== undefined) throw job.error;
      return 'done';
    }

    @Task({ type: 'batch' })
    async runAsync(job: { tenantId: string; seconds: number; error?: Error }): Promise<string> {
      await new Promise((resolve) => setImmediate(resolve));
      clock.now += job.seconds * 1000;
      if (job.error !== undefined) throw job.error;
      return 'done';
    }
  }
  return new Worker();
}

/** A sample line with its labels in name order (the order prom-client keeps depends on which call made the series). */
function sortedLabels(line: string): string {
  return line.replace(/\{(.*)\}/, (_, body: string) => `{${body.split(',').sort().join(',')}}`);
}

/** The text exposition lines of `name`, labels in name order, with `match` in them. */
async function lines(runtime: TestRuntime, name: string, match = ''): Promise<string[]> {
  return (await runtime.metrics.scrape('text'))
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`))
    .map(sortedLabels)
    .filter((line) => line.includes(match));
}

describe('@Task series', () => {
  let runtime: TestRuntime | undefined;
  afterEach(async () => {
    mock.restoreAll();
    await runtime?.stop();
    runtime = undefined;
  });

  it('counts the duration of three tasks that failed after 6.5 s each, in the 10 s bucket of outcome failed', async () => {
    runtime = installTestRuntime();
    const clock = { now: 1_000 };
    mock.method(performance, 'now', () => clock.now);
    const worker = workerOn(clock);
    for (let i = 0; i < 3; i++) {
      assert.throws(() => worker.run({ tenantId: 'acme', seconds: 6.5, error: new TimeoutError('timed out') }));
    }
    await assert.rejects(worker.runAsync({ tenantId: 'globex', seconds: 6.5, error: new TimeoutError('late') }));
    const failed = (name: string) => lines(runtime!, name, 'outcome="failed",tenant="acme"');
    assert.deepEqual(await failed('grey_task_duration_seconds_count'), [
      'grey_task_duration_seconds_count{outcome="failed",tenant="acme"} 3',
    ]);
    assert.deepEqual(await failed('grey_task_duration_seconds_sum'), [
      'grey_task_duration_seconds_sum{outcome="failed",tenant="acme"} 19.5',
    ]);
    const buckets = await failed('grey_task_duration_seconds_bucket');
    assert.ok(
      buckets.includes('grey_task_duration_seconds_bucket{le="5",outcome="failed",tenant="acme"} 0'),
      buckets.join('\n'),
    );
    assert.ok(buckets.includes('grey_task_duration_seconds_bucket{le="10",outcome="failed",tenant="acme"} 3'));
    assert.deepEqual(await lines(runtime, 'grey_task_duration_seconds_count', 'outcome="failed",tenant="globex"'), [
      'grey_task_duration_seconds_count{outcome="failed",tenant="globex"} 1',
    ]);
    // None of them is a completed task.
    assert.deepEqual(await lines(runtime, 'grey_task_duration_seconds_count', 'outcome="completed"'), [
      'grey_task_duration_seconds_count{outcome="completed",tenant="acme"} 0',
      'grey_task_duration_seconds_count{outcome="completed",tenant="globex"} 0',
    ]);
    assert.deepEqual(await lines(runtime, 'grey_tasks_failed_total'), [
      'grey_tasks_failed_total{tenant="acme",type="batch"} 3',
      'grey_tasks_failed_total{tenant="globex",type="batch"} 1',
    ]);
  });

  it('keeps the completed meaning: successes and expected errors are outcome completed', async () => {
    runtime = installTestRuntime();
    const clock = { now: 1_000 };
    mock.method(performance, 'now', () => clock.now);
    const worker = workerOn(clock);
    worker.run({ tenantId: 'acme', seconds: 0.2 });
    assert.throws(() => worker.run({ tenantId: 'acme', seconds: 0.3, error: new NotFoundError('none') }));
    assert.deepEqual(await lines(runtime, 'grey_task_duration_seconds_count', 'tenant="acme"'), [
      'grey_task_duration_seconds_count{outcome="completed",tenant="acme"} 2',
      'grey_task_duration_seconds_count{outcome="failed",tenant="acme"} 0',
    ]);
    assert.deepEqual(await lines(runtime, 'grey_task_duration_seconds_sum', 'outcome="completed"'), [
      'grey_task_duration_seconds_sum{outcome="completed",tenant="acme"} 0.5',
    ]);
  });

  it("creates a tenant's failed series at 0 with its first task, so a later burst is an increase", async () => {
    runtime = installTestRuntime();
    const worker = workerOn({ now: 0 });
    for (let i = 0; i < 40; i++) worker.run({ tenantId: 'steady', seconds: 0 });
    assert.deepEqual(await lines(runtime, 'grey_tasks_failed_total'), [
      'grey_tasks_failed_total{tenant="steady",type="batch"} 0',
    ]);
    for (let i = 0; i < 20; i++)
      assert.throws(() => worker.run({ tenantId: 'steady', seconds: 0, error: new Error('x') }));
    assert.deepEqual(await lines(runtime, 'grey_tasks_failed_total'), [
      'grey_tasks_failed_total{tenant="steady",type="batch"} 20',
    ]);
    assert.deepEqual(await lines(runtime, 'grey_tasks_completed_total'), [
      'grey_tasks_completed_total{tenant="steady",type="batch"} 40',
    ]);
  });

  it('lets remove() through the helper or its metric stick after @Task calls, pending sums included', async () => {
    runtime = installTestRuntime();
    const worker = workerOn({ now: 0 });
    const tasks = runtime.metrics.tasks;
    for (let i = 0; i < 4; i++) worker.run({ tenantId: 'acme', seconds: 0 });
    await runtime.metrics.scrape('text'); // some sums were handed to prom-client ...
    for (let i = 0; i < 3; i++) worker.run({ tenantId: 'acme', seconds: 0 }); // ... and 3 are pending
    tasks.completed.metric.remove({ type: 'batch', tenant: 'acme' });
    tasks.submitted.remove({ type: 'batch', tenant: 'acme' });
    assert.deepEqual(await lines(runtime, 'grey_tasks_completed_total'), []);
    assert.deepEqual(await lines(runtime, 'grey_tasks_submitted_total'), []);
    const json = await runtime.metrics.registry.getMetricsAsJSON();
    assert.deepEqual(json.find((m) => m.name === 'grey_tasks_completed_total')?.values, []);
    assert.deepEqual(await lines(runtime, 'grey_tasks_completed_total'), [], 'a later scrape');
    // The next task records again, from 0.
    worker.run({ tenantId: 'acme', seconds: 0 });
    assert.deepEqual(await lines(runtime, 'grey_tasks_completed_total'), [
      'grey_tasks_completed_total{tenant="acme",type="batch"} 1',
    ]);
    tasks.completed.reset();
    runtime.metrics.registry.resetMetrics();
    assert.deepEqual(await lines(runtime, 'grey_tasks_completed_total'), []);
    assert.deepEqual(await lines(runtime, 'grey_tasks_running'), []);
  });

  it('puts the registry default labels on the series @Task records, pending sums included', async () => {
    runtime = installTestRuntime();
    runtime.metrics.registry.setDefaultLabels({ region: 'eu-1' });
    const worker = workerOn({ now: 0 });
    for (let i = 0; i < 3; i++) worker.run({ tenantId: 'acme', seconds: 0 });
    for (const format of ['text', 'openmetrics'] as const) {
      const text = await runtime.metrics.scrape(format);
      assert.match(
        text,
        /^grey_tasks_completed_total\{(type="batch",tenant="acme"|tenant="acme",type="batch"),region="eu-1"\} 3$/m,
        format,
      );
      assert.match(
        text,
        /^grey_tasks_running\{(type="batch",tenant="acme"|tenant="acme",type="batch"),region="eu-1"\} 0$/m,
        format,
      );
    }
  });
});
