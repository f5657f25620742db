import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isObservabilityError, type ErrorCode } from '../../src/errors.js';
import { TENANT_OTHER } from '../../src/metrics/tenant-guard.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { testConfig } from '../support/config.js';
import { captureLogger, silentLogger } from './support/logger.js';

const isCode = (code: ErrorCode) => (error: unknown) => isObservabilityError(error, code);

describe('custom metrics', () => {
  it('registers a counter, gauge, histogram and summary on the package registry', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    metrics.counter({ name: 'grey_custom_operations_total', help: 'Total custom operations' }).inc();
    metrics.gauge({ name: 'grey_custom_inflight', help: 'In flight', labels: ['pool'] }).set({ pool: 'a' }, 3);
    const histogram = metrics.histogram({
      name: 'grey_custom_operation_duration_seconds',
      help: 'Custom operation latency',
      buckets: [0.001, 0.01, 0.1, 1.0, 10.0],
    });
    histogram.observe(0.05);
    const stop = histogram.startTimer();
    assert.ok(stop() >= 0);
    metrics.summary({ name: 'grey_custom_payload_bytes', help: 'Payload size', percentiles: [0.5, 0.99] }).observe(512);
    const text = await metrics.scrape('text');
    assert.match(text, /^grey_custom_operations_total 1$/m);
    assert.match(text, /^grey_custom_inflight\{pool="a"\} 3$/m);
    assert.match(text, /^grey_custom_operation_duration_seconds_bucket\{le="0\.1"\} 2$/m);
    assert.match(text, /^grey_custom_operation_duration_seconds_bucket\{le="10"\} 2$/m);
    assert.match(text, /^grey_custom_payload_bytes\{quantile="0\.99"\} 512$/m);
  });

  it('times operations with histogram and summary timers, labels taken at start', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    const summary = metrics.summary({ name: 'grey_custom_wait_seconds', help: 'w', labels: ['tenant'] });
    const stopSummary = summary.startTimer({ tenant: 'a' });
    const stopTask = metrics.tasks.duration.startTimer({ tenant: 'a' });
    assert.ok(stopSummary() >= 0);
    assert.ok(stopTask() >= 0);
    const text = await metrics.scrape('text');
    assert.match(text, /^grey_custom_wait_seconds_count\{tenant="a"\} 1$/m);
    assert.match(text, /^grey_task_duration_seconds_count\{tenant="a"\} 1$/m);
  });

  it('types catalog labels: required labels must be given, tenant is optional', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    metrics.tasks.submitted.inc({ type: 'stateless' });
    metrics.tasks.duration.observe(0.2);
    metrics.consensus.term.set(7);
    // @ts-expect-error `type` is a required label of grey_tasks_submitted_total
    metrics.tasks.submitted.inc({ tenant: 't' });
    // @ts-expect-error `node_id` is the only label of grey_consensus_leader
    metrics.consensus.leader.set({ leader: 'x' }, 1);
    const text = await metrics.scrape('text');
    assert.match(text, /^grey_consensus_term 7$/m);
    assert.match(text, /^grey_observability_metric_errors_total\{metric="grey_consensus_leader"\} 1$/m);
  });

  it('defaults histogram buckets to prometheus.latency_buckets', async () => {
    const metrics = createMetrics(testConfig({ prometheus: { latency_buckets: [0.5, 5] } }), silentLogger());
    metrics.histogram({ name: 'grey_custom_seconds', help: 'h' }).observe(1);
    const bounds = [...(await metrics.scrape('text')).matchAll(/^grey_custom_seconds_bucket\{le="([^"]+)"\}/gm)].map(
      (m) => m[1],
    );
    assert.deepEqual(bounds, ['0.5', '5', '+Inf']);
  });

  it('applies the tenant guard and baggage rules when a tenant label is declared', async () => {
    const config = testConfig({ tenancy: { ...testConfig().tenancy, max_tenants_per_metric: 1 } });
    const metrics = createMetrics(config, silentLogger());
    const counter = metrics.counter({
      name: 'grey_tenant_tasks_total',
      help: 'Tasks by tenant',
      labels: ['tenant', 'task_type'],
    });
    counter.inc({ tenant: 'a', task_type: 'x' });
    counter.inc({ tenant: 'b', task_type: 'x' });
    assert.ok(metrics.tenantGuard('grey_tenant_tasks_total'));
    const text = await metrics.scrape('text');
    assert.match(text, /^grey_tenant_tasks_total\{tenant="a",task_type="x"\} 1$/m);
    assert.match(text, new RegExp(`^grey_tenant_tasks_total\\{tenant="${TENANT_OTHER}",task_type="x"\\} 1$`, 'm'));
  });

  it('returns the existing helper when the same metric is registered again', () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    const first = metrics.counter({ name: 'grey_custom_total', help: 'h', labels: ['a'] });
    assert.equal(metrics.counter({ name: 'grey_custom_total', help: 'h', labels: ['a'] }), first);
    assert.equal(
      metrics.counter({ name: 'grey_tasks_submitted_total', help: 'x', labels: ['tenant', 'type'] }),
      metrics.tasks.submitted,
    );
  });

  it('throws OBS_ERR_METRIC_CONFLICT for a name registered with another type or labels', () => {
    const metrics = createMetrics(testConfig({ prometheus: { default_metrics: true } }), silentLogger());
    metrics.counter({ name: 'grey_custom_total', help: 'h', labels: ['a'] });
    assert.throws(
      () => metrics.counter({ name: 'grey_custom_total', help: 'h', labels: ['b'] }),
      isCode('OBS_ERR_METRIC_CONFLICT'),
    );
    assert.throws(() => metrics.gauge({ name: 'grey_queue_depth', help: 'h' }), isCode('OBS_ERR_METRIC_CONFLICT'));
    assert.throws(
      () => metrics.gauge({ name: 'process_start_time_seconds', help: 'h' }),
      isCode('OBS_ERR_METRIC_CONFLICT'),
    );
  });

  const invalid: Array<[string, () => unknown]> = [];
  const metrics = createMetrics(testConfig(), silentLogger());
  invalid.push(
    ['a bad name', () => metrics.gauge({ name: 'grey-bad', help: 'h' })],
    ['a counter without _total', () => metrics.counter({ name: 'grey_ops', help: 'h' })],
    ['a gauge with _total', () => metrics.gauge({ name: 'grey_things_total', help: 'h' })],
    ['an empty help', () => metrics.gauge({ name: 'grey_x', help: '' })],
    [
      'a reserved label le on a histogram',
      () => metrics.histogram({ name: 'grey_h_seconds', help: 'h', labels: ['le'] }),
    ],
    ['a label starting with __', () => metrics.gauge({ name: 'grey_y', help: 'h', labels: ['__x'] })],
    ['a duplicate label', () => metrics.gauge({ name: 'grey_z', help: 'h', labels: ['a', 'a'] })],
    ['unsorted buckets', () => metrics.histogram({ name: 'grey_b_seconds', help: 'h', buckets: [1, 0.5] })],
    ['a quantile of 1', () => metrics.summary({ name: 'grey_s', help: 'h', percentiles: [1] })],
  );
  for (const [what, register] of invalid) {
    it(`throws OBS_ERR_METRIC_INVALID for ${what}`, () => {
      assert.throws(register, isCode('OBS_ERR_METRIC_INVALID'));
    });
  }

  it('counts and warns once about rejected measurements instead of throwing', async () => {
    const { logger, lines } = captureLogger();
    const metrics = createMetrics(testConfig(), logger);
    const counter = metrics.counter({ name: 'grey_custom_total', help: 'h', labels: ['a'] });
    assert.doesNotThrow(() => counter.inc({ a: 'x' }, -1));
    assert.doesNotThrow(() => counter.inc({ b: 'x' } as unknown as { a: string }));
    assert.doesNotThrow(() => metrics.tasks.duration.observe({ tenant: 't' }, Number.NaN));
    assert.doesNotThrow(() => metrics.queue.depth.set({ priority: 'high' } as unknown as number));
    const text = await metrics.scrape('text');
    assert.match(text, /^grey_observability_metric_errors_total\{metric="grey_custom_total"\} 2$/m);
    assert.match(text, /^grey_observability_metric_errors_total\{metric="grey_task_duration_seconds"\} 1$/m);
    assert.match(text, /^grey_observability_metric_errors_total\{metric="grey_queue_depth"\} 1$/m);
    assert.doesNotMatch(text, /^grey_queue_depth\{/m);
    const warnings = lines.filter((l) => l.code === 'OBS_WARN_METRIC_REJECTED').map((l) => l.metric);
    assert.deepEqual(warnings, ['grey_custom_total', 'grey_task_duration_seconds', 'grey_queue_depth']);
  });
});
