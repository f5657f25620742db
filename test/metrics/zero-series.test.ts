import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.js';
import { MAX_KNOWN_SERIES } from '../../src/metrics/zero-series.js';
import { testConfig } from '../support/config.js';
import { silentLogger } from './support/logger.js';

/** The exposition lines of `name` (its samples, not HELP/TYPE), in order. */
async function lines(metrics: Metrics, name: string): Promise<string[]> {
  return (await metrics.scrape('text'))
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

/** `{labels} value` of every `_count` sample of the task duration histogram. */
async function durationCounts(metrics: Metrics): Promise<string[]> {
  return (await lines(metrics, 'grey_task_duration_seconds_count')).map((line) =>
    line.slice('grey_task_duration_seconds_count'.length),
  );
}

describe('series at 0 before their first increment', () => {
  for (const [first, record] of [
    ['submitted', (m: Metrics) => m.tasks.submitted.inc({ tenant: 'steady', type: 'batch' })],
    ['completed', (m: Metrics) => m.tasks.completed.inc({ tenant: 'steady', type: 'batch' })],
    ['failed', (m: Metrics) => m.tasks.failed.inc({ tenant: 'steady', type: 'batch' })],
  ] as const) {
    it(`gives a tenant and type first ${first} its submitted, completed and failed series, the others at 0`, async () => {
      const metrics = createMetrics(testConfig(), silentLogger());
      record(metrics);
      for (const name of ['submitted', 'completed', 'failed']) {
        assert.deepEqual(
          await lines(metrics, `grey_tasks_${name}_total`),
          [`grey_tasks_${name}_total{tenant="steady",type="batch"} ${name === first ? 1 : 0}`],
          name,
        );
      }
      // The duration series of both outcomes exist too, so the latency rule sees the first slow failure.
      assert.deepEqual(await durationCounts(metrics), [
        '{tenant="steady",outcome="completed"} 0',
        '{tenant="steady",outcome="failed"} 0',
      ]);
    });
  }

  it('lets 20 failures after 40 successes show as an increase of 20 from one scrape to the next', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    for (let i = 0; i < 40; i++) {
      metrics.tasks.submitted.inc({ tenant: 'steady', type: 'batch' });
      metrics.tasks.completed.inc({ tenant: 'steady', type: 'batch' });
    }
    const before = await lines(metrics, 'grey_tasks_failed_total');
    for (let i = 0; i < 20; i++) metrics.tasks.failed.inc({ tenant: 'steady', type: 'batch' });
    assert.deepEqual(before, ['grey_tasks_failed_total{tenant="steady",type="batch"} 0']);
    assert.deepEqual(await lines(metrics, 'grey_tasks_failed_total'), [
      'grey_tasks_failed_total{tenant="steady",type="batch"} 20',
    ]);
  });

  it('gives a duration observation of one outcome the series of the other at 0', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    metrics.tasks.duration.observe({ tenant: 'acme', outcome: 'failed' }, 6.5);
    metrics.tasks.duration.observe({ tenant: 'globex' }, 0.2); // outcome defaults to completed
    assert.deepEqual(await durationCounts(metrics), [
      '{tenant="acme",outcome="failed"} 1',
      '{tenant="acme",outcome="completed"} 0',
      '{tenant="globex",outcome="completed"} 1',
      '{tenant="globex",outcome="failed"} 0',
    ]);
    // A duration gives no task type, so the task counters get nothing.
    assert.deepEqual(await lines(metrics, 'grey_tasks_failed_total'), []);
  });

  it('gives attestations and proofs of one result the other result at 0, per platform', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    metrics.tee.attestations.inc({ platform: 'sgx', result: 'success' }, 5);
    metrics.tee.attestations.inc({ platform: 'tdx', result: 'failure' });
    metrics.tee.proofs.inc({ platform: 'sev', result: 'success' }, 2);
    assert.deepEqual(await lines(metrics, 'grey_tee_attestations_total'), [
      'grey_tee_attestations_total{platform="sgx",result="success"} 5',
      'grey_tee_attestations_total{platform="sgx",result="failure"} 0',
      'grey_tee_attestations_total{platform="tdx",result="failure"} 1',
      'grey_tee_attestations_total{platform="tdx",result="success"} 0',
    ]);
    assert.deepEqual(await lines(metrics, 'grey_tee_proofs_total'), [
      'grey_tee_proofs_total{platform="sev",result="success"} 2',
      'grey_tee_proofs_total{platform="sev",result="failure"} 0',
    ]);
  });

  it('gives every tenant-aware metric its overflow series at 0 from the start', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    const overflow = await lines(metrics, 'grey_observability_tenant_overflow_total');
    assert.ok(
      overflow.includes('grey_observability_tenant_overflow_total{metric="grey_tasks_failed_total",reason="budget"} 0'),
    );
    assert.ok(overflow.every((line) => line.endsWith(' 0')));
    const tenantAware = metrics.catalog.filter((d) => d.tenantAware && d.helper !== undefined).length;
    assert.equal(overflow.length, tenantAware);
  });

  it('works on the type alone when include_tenant_labels is false', async () => {
    const metrics = createMetrics(testConfig({ prometheus: { include_tenant_labels: false } }), silentLogger());
    metrics.tasks.submitted.inc({ tenant: 'a', type: 'batch' });
    assert.deepEqual(await lines(metrics, 'grey_tasks_failed_total'), ['grey_tasks_failed_total{type="batch"} 0']);
    assert.deepEqual((await lines(metrics, 'grey_task_duration_seconds_count')).sort(), [
      'grey_task_duration_seconds_count{outcome="completed"} 0',
      'grey_task_duration_seconds_count{outcome="failed"} 0',
    ]);
  });

  it('folds an overflowing tenant alike on every sibling, counting the overflow only where it was recorded', async () => {
    const metrics = createMetrics(
      testConfig({ tenancy: { ...testConfig().tenancy, max_tenants_per_metric: 1 } }),
      silentLogger(),
    );
    metrics.tasks.failed.inc({ tenant: 'a', type: 'x' });
    metrics.tasks.failed.inc({ tenant: 'b', type: 'x' }); // folded: __other__ on every task metric
    assert.deepEqual(await lines(metrics, 'grey_tasks_submitted_total'), [
      'grey_tasks_submitted_total{tenant="a",type="x"} 0',
      'grey_tasks_submitted_total{tenant="__other__",type="x"} 0',
    ]);
    const overflow = (await lines(metrics, 'grey_observability_tenant_overflow_total')).filter(
      (l) => !l.endsWith(' 0'),
    );
    assert.deepEqual(overflow, [
      'grey_observability_tenant_overflow_total{metric="grey_tasks_failed_total",reason="budget"} 1',
    ]);
  });

  it('creates no sibling where the budget has no room for the tenant, and counts no overflow for it', async () => {
    const metrics = createMetrics(
      testConfig({ tenancy: { ...testConfig().tenancy, max_tenants_per_metric: 1 } }),
      silentLogger(),
    );
    metrics.tenantGuard('grey_tasks_completed_total')?.resolve('z'); // completed's budget is full
    metrics.tasks.submitted.inc({ tenant: 'b', type: 'x' });
    assert.deepEqual(await lines(metrics, 'grey_tasks_completed_total'), []);
    assert.deepEqual(await lines(metrics, 'grey_tasks_failed_total'), [
      'grey_tasks_failed_total{tenant="b",type="x"} 0',
    ]);
    assert.ok((await lines(metrics, 'grey_observability_tenant_overflow_total')).every((l) => l.endsWith(' 0')));
  });

  it('keeps a removed sibling removed until its label set is recorded again', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    metrics.tasks.submitted.inc({ tenant: 'a', type: 'x' });
    metrics.tasks.failed.remove({ tenant: 'a', type: 'x' });
    metrics.tasks.submitted.inc({ tenant: 'a', type: 'x' });
    metrics.tasks.completed.inc({ tenant: 'a', type: 'x' });
    assert.deepEqual(
      await lines(metrics, 'grey_tasks_failed_total'),
      [],
      'the submitted and completed series were known',
    );
    metrics.tasks.failed.inc({ tenant: 'a', type: 'x' });
    assert.deepEqual(await lines(metrics, 'grey_tasks_failed_total'), [
      'grey_tasks_failed_total{tenant="a",type="x"} 1',
    ]);
  });

  it('creates the siblings again after a reset, once a label set is recorded again', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    metrics.tasks.submitted.inc({ tenant: 'a', type: 'x' });
    metrics.registry.resetMetrics();
    assert.deepEqual(await lines(metrics, 'grey_tasks_failed_total'), []);
    metrics.tasks.completed.inc({ tenant: 'b', type: 'x' });
    assert.deepEqual(await lines(metrics, 'grey_tasks_failed_total'), [
      'grey_tasks_failed_total{tenant="b",type="x"} 0',
    ]);
    assert.deepEqual(await lines(metrics, 'grey_tasks_submitted_total'), [
      'grey_tasks_submitted_total{tenant="b",type="x"} 0',
    ]);
  });

  it('never resets a histogram series that was observed: the sibling of a known series is left alone', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    metrics.tasks.duration.observe({ tenant: 'a', outcome: 'failed' }, 1);
    metrics.tasks.duration.observe({ tenant: 'a', outcome: 'failed' }, 1);
    metrics.tasks.submitted.inc({ tenant: 'a', type: 'x' }); // would create both outcomes at 0
    assert.deepEqual(await durationCounts(metrics), [
      '{tenant="a",outcome="failed"} 2',
      '{tenant="a",outcome="completed"} 0',
    ]);
  });

  it(`remembers at most ${MAX_KNOWN_SERIES} label sets per metric, then creates no more siblings`, async () => {
    const metrics = createMetrics(
      testConfig({ tenancy: { ...testConfig().tenancy, max_tenants_per_metric: MAX_KNOWN_SERIES + 10 } }),
      silentLogger(),
    );
    for (let i = 0; i <= MAX_KNOWN_SERIES; i++) metrics.tee.attestations.inc({ platform: `p${i}`, result: 'success' });
    const failures = (await lines(metrics, 'grey_tee_attestations_total')).filter((l) =>
      l.includes('result="failure"'),
    );
    // Each label set remembered costs the series and its sibling: half the budget each.
    assert.equal(failures.length, MAX_KNOWN_SERIES / 2);
  });
});
