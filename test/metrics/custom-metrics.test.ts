import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isObservabilityError, type ErrorCode } from '../../src/errors.js';
import { TENANT_OTHER } from '../../src/tenancy/tenant-guard.js';
import { METRIC_CATALOG } from '../../src/metric-catalog.js';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.js';
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
    assert.match(text, /^grey_task_duration_seconds_count\{tenant="a",outcome="completed"\} 1$/m);
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

  it('returns the existing helper only for an identical definition', () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    const first = metrics.counter({ name: 'grey_custom_total', help: 'h', labels: ['a'] });
    assert.equal(metrics.counter({ name: 'grey_custom_total', help: 'h', labels: ['a'] }), first);
    const catalog = METRIC_CATALOG.find((d) => d.name === 'grey_tasks_submitted_total');
    assert.equal(
      metrics.counter({ name: 'grey_tasks_submitted_total', help: catalog?.help ?? '', labels: ['tenant', 'type'] }),
      metrics.tasks.submitted,
    );
    const latency = metrics.histogram({ name: 'grey_lat_seconds', help: 'h', buckets: [0.5, 5] });
    assert.equal(metrics.histogram({ name: 'grey_lat_seconds', help: 'h', buckets: [0.5, 5] }), latency);
  });

  it('throws OBS_ERR_METRIC_REDEFINED naming the metric and the option when buckets differ', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    const op = metrics.histogram({ name: 'acc_op_seconds', help: 'Op', buckets: [0.1, 1] });
    assert.throws(
      () => metrics.histogram({ name: 'acc_op_seconds', help: 'Op', buckets: [5, 10, 20] }),
      (error: unknown) =>
        isObservabilityError(error, 'OBS_ERR_METRIC_REDEFINED') &&
        error.message.includes('acc_op_seconds') &&
        error.message.includes('buckets') &&
        error.message.includes('[0.1,1]'),
    );
    op.observe(7);
    const bounds = [...(await metrics.scrape('text')).matchAll(/^acc_op_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)];
    assert.deepEqual(
      bounds.map((m) => `${m[1]}=${m[2]}`),
      ['0.1=0', '1=0', '+Inf=1'],
    );
  });

  const redefinitions: Array<[string, (m: Metrics) => unknown, (m: Metrics) => unknown, string]> = [
    ['help', (m) => m.gauge({ name: 'grey_g', help: 'a' }), (m) => m.gauge({ name: 'grey_g', help: 'b' }), 'help'],
    [
      'labels',
      (m) => m.counter({ name: 'grey_c_total', help: 'h', labels: ['a'] }),
      (m) => m.counter({ name: 'grey_c_total', help: 'h', labels: ['b'] }),
      'labels',
    ],
    ['type', (m) => m.gauge({ name: 'grey_t', help: 'h' }), (m) => m.summary({ name: 'grey_t', help: 'h' }), 'type'],
    [
      'default buckets against explicit ones',
      (m) => m.histogram({ name: 'grey_d_seconds', help: 'h' }),
      (m) => m.histogram({ name: 'grey_d_seconds', help: 'h', buckets: [1, 2] }),
      'buckets',
    ],
    [
      'exemplars',
      (m) => m.histogram({ name: 'grey_e_seconds', help: 'h' }),
      (m) => m.histogram({ name: 'grey_e_seconds', help: 'h', exemplars: false }),
      'exemplars',
    ],
    [
      'percentiles',
      (m) => m.summary({ name: 'grey_p', help: 'h', percentiles: [0.5] }),
      (m) => m.summary({ name: 'grey_p', help: 'h', percentiles: [0.9] }),
      'percentiles',
    ],
    [
      'the summary window',
      (m) => m.summary({ name: 'grey_w', help: 'h', maxAgeSeconds: 60 }),
      (m) => m.summary({ name: 'grey_w', help: 'h', maxAgeSeconds: 600 }),
      'maxAgeSeconds',
    ],
    [
      'the cluster aggregator',
      (m) => m.gauge({ name: 'grey_a', help: 'h' }),
      (m) => m.gauge({ name: 'grey_a', help: 'h', aggregator: 'max' }),
      'aggregator',
    ],
    [
      'a catalog metric with another help',
      () => undefined,
      (m) => m.counter({ name: 'grey_tasks_submitted_total', help: 'x', labels: ['tenant', 'type'] }),
      'help',
    ],
  ];
  for (const [what, first, second, option] of redefinitions) {
    it(`throws OBS_ERR_METRIC_REDEFINED when ${what} differ`, () => {
      const metrics = createMetrics(testConfig(), silentLogger());
      first(metrics);
      assert.throws(
        () => second(metrics),
        (error: unknown) => isObservabilityError(error, 'OBS_ERR_METRIC_REDEFINED') && error.message.includes(option),
      );
    });
  }

  it('throws OBS_ERR_METRIC_CONFLICT for a name taken by a metric the package did not define', () => {
    const metrics = createMetrics(testConfig({ prometheus: { default_metrics: true } }), silentLogger());
    assert.throws(
      () => metrics.gauge({ name: 'process_start_time_seconds', help: 'h' }),
      isCode('OBS_ERR_METRIC_CONFLICT'),
    );
    assert.throws(
      () => metrics.counter({ name: 'grey_observability_metric_errors_total', help: 'h', labels: ['metric'] }),
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

  const invalidMeasurements: Array<[string, (m: Metrics) => void, RegExp]> = [
    [
      'counter inc(NaN) between valid increments',
      (m) => {
        const c = m.counter({ name: 'grey_m_total', help: 'h' });
        c.inc(5);
        c.inc(Number.NaN);
        c.inc(2);
      },
      /^grey_m_total 7$/m,
    ],
    [
      'counter inc with labels and Infinity',
      (m) => {
        m.tasks.completed.inc({ type: 'batch' }, 3);
        m.tasks.completed.inc({ type: 'batch' }, Number.POSITIVE_INFINITY);
      },
      /^grey_tasks_completed_total\{tenant="__none__",type="batch"\} 3$/m,
    ],
    [
      'counter inc by a negative value',
      (m) => {
        const c = m.counter({ name: 'grey_m_total', help: 'h' });
        c.inc(1);
        c.inc(-1);
      },
      /^grey_m_total 1$/m,
    ],
    [
      'counter inc by a string',
      (m) => {
        const c = m.counter({ name: 'grey_m_total', help: 'h' });
        c.inc(1);
        c.inc({} as never, '2' as unknown as number);
      },
      /^grey_m_total 1$/m,
    ],
    [
      'gauge set(NaN)',
      (m) => {
        m.consensus.term.set(4);
        m.consensus.term.set(Number.NaN);
      },
      /^grey_consensus_term 4$/m,
    ],
    [
      'gauge inc(NaN) and dec(-Infinity)',
      (m) => {
        m.consensus.term.set(4);
        m.consensus.term.inc(Number.NaN);
        m.consensus.term.dec(Number.NEGATIVE_INFINITY);
      },
      /^grey_consensus_term 4$/m,
    ],
    [
      'summary observe(NaN)',
      (m) => {
        const s = m.summary({ name: 'grey_m_bytes', help: 'h' });
        s.observe(10);
        s.observe(Number.NaN);
      },
      /^grey_m_bytes_sum 10$/m,
    ],
    [
      'histogram observe(Infinity)',
      (m) => {
        const h = m.histogram({ name: 'grey_m_seconds', help: 'h', buckets: [1] });
        h.observe(0.5);
        h.observe(Number.POSITIVE_INFINITY);
      },
      /^grey_m_seconds_sum 0\.5$/m,
    ],
  ];
  for (const [what, record, expected] of invalidMeasurements) {
    it(`drops and counts ${what}, keeping the series right`, async () => {
      const metrics = createMetrics(testConfig(), silentLogger());
      assert.doesNotThrow(() => record(metrics));
      const text = await metrics.scrape('text');
      assert.match(text, expected);
      // NaN only where nothing was observed: the quantiles of the attestation summary.
      assert.deepEqual(
        text
          .split('\n')
          .filter((l) => /^grey_.* NaN$/.test(l) && !l.startsWith('grey_tee_attestation_duration_seconds{')),
        [],
      );
      const counted = [...text.matchAll(/^grey_observability_metric_errors_total\{metric="[^"]+"\} (\d+)$/gm)];
      assert.equal(
        counted.reduce((sum, m) => sum + Number(m[1]), 0),
        what.includes('dec(-Infinity)') ? 2 : 1,
      );
    });
  }

  it('drops an invalid measurement before its tenant is admitted to the guard', async () => {
    const config = testConfig({ tenancy: { ...testConfig().tenancy, max_tenants_per_metric: 1 } });
    const metrics = createMetrics(config, silentLogger());
    metrics.tasks.completed.inc({ tenant: 'a', type: 'x' }, Number.NaN);
    metrics.tasks.completed.inc({ tenant: 'b', type: 'x' });
    assert.match(await metrics.scrape('text'), /^grey_tasks_completed_total\{tenant="b",type="x"\} 1$/m);
  });
});
