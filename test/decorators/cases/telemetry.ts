import assert from 'node:assert/strict';
import { it } from 'node:test';
import { counterValue } from '../support/runtime.js';
import { finishedSpans, logLines, onlySpan, settle, type CaseContext } from './helpers.js';

/** What @Task and @Instrument record: attributes, metrics with exemplars, correlated log lines. */
export function registerTelemetryTests(ctx: CaseContext): void {
  const fx = () => ctx.build().fixture;

  it('records the task span attributes, metrics with an exemplar, and log lines with its trace_id', async () => {
    const service = new (fx().TaskService)();
    assert.equal(await service.runAsync({ taskId: 'task-1', tenantId: 'tenant-a', n: 1 }), 2);
    await settle();
    const span = onlySpan(ctx, 'grey.task.run');
    assert.deepEqual(span.attributes, {
      'grey.task_type': 'stateless',
      'grey.tenant_id': 'tenant-a',
      'grey.task_id': 'task-1',
    });
    const { counters, scrape } = ctx.runtime().metrics;
    const labels = { type: 'stateless', tenant: 'tenant-a' };
    assert.equal(await counterValue(counters.submitted, labels), 1);
    assert.equal(await counterValue(counters.completed, labels), 1);
    assert.equal(await counterValue(counters.failed, labels), 0);
    // The endpoint's own OpenMetrics exposition of the real metrics part (exemplars: trace and span).
    const exposition = await scrape('openmetrics');
    assert.match(
      exposition,
      new RegExp(
        `grey_task_duration_seconds_bucket\\{(?=[^}]*le=")[^}]*tenant="tenant-a"[^}]*\\} 1 # \\{trace_id="${span.spanContext().traceId}",span_id="${span.spanContext().spanId}"\\}`,
      ),
    );
    const lines = [...logLines(ctx, 'task started'), ...logLines(ctx, 'task completed')];
    assert.equal(lines.length, 2);
    for (const line of lines) {
      assert.equal(line.trace_id, span.spanContext().traceId);
      assert.equal(line.span_id, span.spanContext().spanId);
      assert.equal(line.tenant_id, 'tenant-a');
      assert.equal(line.task_id, 'task-1');
      assert.equal(line.task_type, 'stateless');
    }
    assert.equal(typeof lines[1]!.duration_ms, 'number');
  });

  it('logs a failure with the trace_id and the error', () => {
    const service = new (fx().TaskService)();
    assert.throws(() => service.failSync({ n: 9 }));
    const span = onlySpan(ctx, 'grey.task.run');
    const [line] = logLines(ctx, 'task failed');
    assert.equal(line!.level, 'error');
    assert.equal(line!.trace_id, span.spanContext().traceId);
    assert.equal((line!.err as { message: string }).message, 'sync boom 9');
  });

  it('passes priority as a start attribute and honours name, taskId, tenantId and attributes options', () => {
    const service = new (fx().TaskService)();
    service.critical({ n: 1 });
    service.custom({ n: 5 });
    const [critical, custom] = finishedSpans(ctx);
    assert.equal(critical!.attributes.priority, 'critical');
    assert.equal(custom!.name, 'grey.worker.execute');
    assert.equal(custom!.attributes['grey.task_id'], 'custom-5');
    assert.equal(custom!.attributes['grey.tenant_id'], 'tenant-from-hook');
    assert.equal(custom!.attributes['job.n'], 5);
  });

  it('records named arguments as attributes, keeps skipped and object arguments out', () => {
    const args = new (fx().Arguments)();
    args.submit('t-1', 'tenant-b', { secret: 'payload-secret' }, 2);
    args.plain('label-x', 3, { secret: 'p' });
    args.nested({ taskId: 't-2', body: 'xyz' });
    const spans = finishedSpans(ctx);
    assert.deepEqual(
      spans.map((s) => s.name),
      ['Arguments.submit', 'Arguments.plain', 'grey.scheduler.submit_task'],
    );
    assert.deepEqual(spans[0]!.attributes, { taskId: 't-1', tenantId: 'tenant-b' });
    assert.deepEqual(spans[1]!.attributes, { count: 3 });
    assert.deepEqual(spans[2]!.attributes, { 'request.taskId': 't-2' });
  });
}
