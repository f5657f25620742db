import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createMetrics } from '../../src/metrics/metrics.js';
import { TENANT_NONE, TENANT_OTHER } from '../../src/tenancy/tenant-guard.js';
import { tenantBucketLabel } from '../../src/tenancy/tenant-hash.js';
import { testConfig } from '../support/config.js';
import { captureLogger, silentLogger } from '../metrics/support/logger.js';

type Sample = { labels: Record<string, string | number>; value: number };

async function samples(metrics: ReturnType<typeof createMetrics>, name: string): Promise<Sample[]> {
  const metric = metrics.registry.getSingleMetric(name);
  assert.ok(metric, name);
  return (await metric.get()).values as Sample[];
}

function tenancy(overrides: Partial<ReturnType<typeof testConfig>['tenancy']>) {
  return testConfig({ tenancy: { ...testConfig().tenancy, ...overrides } });
}

describe('tenant guard', () => {
  it('admits the first N tenants and folds the rest into __other__, keeping totals exact', async () => {
    const metrics = createMetrics(tenancy({ max_tenants_per_metric: 3, overflow: 'other' }), silentLogger());
    for (let i = 0; i < 10; i++) metrics.tasks.submitted.inc({ type: 'stateless', tenant: `t${i}` }, 2);
    metrics.tasks.submitted.inc({ type: 'stateless', tenant: 't0' }); // admitted for the life of the process
    const values = await samples(metrics, 'grey_tasks_submitted_total');
    const byTenant = Object.fromEntries(values.map((s) => [s.labels.tenant, s.value]));
    assert.deepEqual(byTenant, { t0: 3, t1: 2, t2: 2, [TENANT_OTHER]: 14 });
    assert.equal(
      values.reduce((sum, s) => sum + s.value, 0),
      21,
    );
  });

  it('keeps allowlisted tenants outside the budget', async () => {
    const metrics = createMetrics(
      tenancy({ max_tenants_per_metric: 1, allowlist: ['vip-a', 'vip-b'] }),
      silentLogger(),
    );
    metrics.tasks.completed.inc({ type: 'batch', tenant: 'first' });
    metrics.tasks.completed.inc({ type: 'batch', tenant: 'second' });
    metrics.tasks.completed.inc({ type: 'batch', tenant: 'vip-b' });
    metrics.tasks.completed.inc({ type: 'batch', tenant: 'vip-a' });
    const tenants = (await samples(metrics, 'grey_tasks_completed_total')).map((s) => s.labels.tenant).sort();
    assert.deepEqual(tenants, [TENANT_OTHER, 'first', 'vip-a', 'vip-b']);
    assert.equal(metrics.tenantGuard('grey_tasks_completed_total')?.admitted, 1);
  });

  it('has a budget per metric', async () => {
    const metrics = createMetrics(tenancy({ max_tenants_per_metric: 1 }), silentLogger());
    metrics.tasks.submitted.inc({ type: 'x', tenant: 'a' });
    metrics.queue.depth.set({ priority: 'high', tenant: 'b' }, 3);
    assert.deepEqual(
      (await samples(metrics, 'grey_tasks_submitted_total')).map((s) => s.labels.tenant),
      ['a'],
    );
    assert.deepEqual(
      (await samples(metrics, 'grey_queue_depth')).map((s) => s.labels.tenant),
      ['b'],
    );
  });

  it('admits the tenants of sibling task metrics in the same order, so their series agree', async () => {
    const metrics = createMetrics(tenancy({ max_tenants_per_metric: 1 }), silentLogger());
    metrics.tasks.submitted.inc({ type: 'x', tenant: 'a' });
    // b fails before it was ever submitted: the failed metric's budget already holds a.
    metrics.tasks.failed.inc({ type: 'x', tenant: 'b' });
    const tenants = async (name: string) =>
      (await samples(metrics, name)).map((s) => `${s.labels.tenant}=${s.value}`).sort();
    assert.deepEqual(await tenants('grey_tasks_submitted_total'), ['__other__=0', 'a=1']);
    assert.deepEqual(await tenants('grey_tasks_completed_total'), ['__other__=0', 'a=0']);
    assert.deepEqual(await tenants('grey_tasks_failed_total'), ['__other__=1', 'a=0']);
    const overflowed = (await samples(metrics, 'grey_observability_tenant_overflow_total')).filter((s) => s.value > 0);
    assert.deepEqual(overflowed, [{ labels: { metric: 'grey_tasks_failed_total', reason: 'budget' }, value: 1 }]);
  });

  it('maps overflowing tenants to bucket-NN by FNV-1a 64 + jump hash in bucket mode', async () => {
    const metrics = createMetrics(
      tenancy({ max_tenants_per_metric: 2, overflow: 'bucket', buckets: 10 }),
      silentLogger(),
    );
    const tenants = Array.from({ length: 50 }, (_, i) => `tenant-${i}`);
    for (const tenant of tenants) metrics.queue.depth.inc({ priority: 'normal', tenant });
    const values = await samples(metrics, 'grey_queue_depth');
    const expected = new Map<string, number>([
      ['tenant-0', 1],
      ['tenant-1', 1],
    ]);
    for (const tenant of tenants.slice(2)) {
      const label = tenantBucketLabel(tenant, 10);
      expected.set(label, (expected.get(label) ?? 0) + 1);
    }
    assert.deepEqual(new Map(values.map((s) => [String(s.labels.tenant), s.value])), expected);
    for (const label of expected.keys()) assert.match(label, /^(tenant-[01]|bucket-0\d)$/);
  });

  it('gives a tenant the same bucket in two fresh instances (as after a restart)', async () => {
    const config = tenancy({ max_tenants_per_metric: 0, overflow: 'bucket', buckets: 100 });
    const labelsOf = async () => {
      const metrics = createMetrics(config, silentLogger());
      for (let i = 0; i < 200; i++) metrics.tasks.duration.observe({ tenant: `customer-${i}` }, 0.01);
      metrics.tasks.duration.observe({ tenant: 'customer-7' }, 0.01);
      const values = await samples(metrics, 'grey_task_duration_seconds');
      return values
        .filter((s) => s.labels.le === '+Inf')
        .map((s) => [s.labels.tenant, s.value])
        .sort();
    };
    assert.deepEqual(await labelsOf(), await labelsOf());
  });

  it('keeps series within the budget and totals exact with 1,000,000 distinct tenants', async () => {
    for (const overflow of ['other', 'bucket'] as const) {
      const metrics = createMetrics(tenancy({ max_tenants_per_metric: 100, overflow, buckets: 50 }), silentLogger());
      const count = 1_000_000;
      for (let i = 0; i < count; i++) metrics.tasks.submitted.inc({ type: 'stateless', tenant: `t-${i}` });
      const values = await samples(metrics, 'grey_tasks_submitted_total');
      const limit = overflow === 'other' ? 101 : 150;
      assert.ok(values.length <= limit, `${overflow}: ${values.length} series`);
      assert.equal(
        values.reduce((sum, s) => sum + s.value, 0),
        count,
      );
      const overflowed = await samples(metrics, 'grey_observability_tenant_overflow_total');
      assert.deepEqual(
        overflowed.filter((s) => s.value > 0),
        [{ labels: { metric: 'grey_tasks_submitted_total', reason: 'budget' }, value: count - 100 }],
      );
      assert.ok(
        overflowed.every((s) => s.labels.metric === 'grey_tasks_submitted_total' || s.value === 0),
        'every other metric has its overflow series, at 0',
      );
    }
  });

  it('reports admitted tenants and the limit as gauges', async () => {
    const metrics = createMetrics(tenancy({ max_tenants_per_metric: 5 }), silentLogger());
    metrics.tasks.submitted.inc({ type: 'x', tenant: 'a' });
    metrics.tasks.submitted.inc({ type: 'x', tenant: 'b' });
    const admitted = await samples(metrics, 'grey_observability_tenant_admitted');
    const limit = await samples(metrics, 'grey_observability_tenant_limit');
    assert.equal(admitted.find((s) => s.labels.metric === 'grey_tasks_submitted_total')?.value, 2);
    assert.equal(limit.find((s) => s.labels.metric === 'grey_tasks_submitted_total')?.value, 5);
  });

  it('warns once per metric with a stable code, then at most once per warn interval', async () => {
    const { logger, lines } = captureLogger();
    const metrics = createMetrics(tenancy({ max_tenants_per_metric: 1, warn_interval_ms: 3_600_000 }), logger);
    for (let i = 0; i < 100; i++) metrics.tasks.submitted.inc({ type: 'x', tenant: `t${i}` });
    for (let i = 0; i < 100; i++) metrics.tasks.failed.inc({ type: 'x', tenant: `t${i}` });
    const warnings = lines.filter((line) => line.code === 'OBS_WARN_TENANT_OVERFLOW');
    assert.deepEqual(
      warnings.map((w) => w.metric),
      ['grey_tasks_submitted_total', 'grey_tasks_failed_total'],
    );
    assert.equal(warnings[0]?.key, 'tenancy.max_tenants_per_metric');

    const { logger: every, lines: everyLines } = captureLogger();
    const chatty = createMetrics(tenancy({ max_tenants_per_metric: 0, warn_interval_ms: 0 }), every);
    chatty.tasks.submitted.inc({ type: 'x', tenant: 'a' });
    chatty.tasks.submitted.inc({ type: 'x', tenant: 'b' });
    assert.equal(everyLines.filter((line) => line.code === 'OBS_WARN_TENANT_OVERFLOW').length, 2);
  });

  it('never throws, whatever the tenant value', () => {
    const metrics = createMetrics(tenancy({ max_tenants_per_metric: 2, overflow: 'bucket' }), silentLogger());
    const odd = ['', '\n', 'x'.repeat(10_000), '\uD800', '__other__', 'bucket-01', 'constructor', '__proto__'];
    for (const tenant of odd) {
      assert.doesNotThrow(() => metrics.tasks.submitted.inc({ type: 'x', tenant }));
      assert.doesNotThrow(() => metrics.tasks.duration.observe({ tenant: tenant as string }, 0.1));
    }
    assert.doesNotThrow(() => metrics.tasks.submitted.inc({ type: 'x', tenant: 42 as unknown as string }));
  });
});

describe('tenant label source', () => {
  it('uses the explicit tenant, else baggage grey.tenant_id, else __none__', async (t) => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    t.after(() => context.disable());
    const metrics = createMetrics(testConfig(), silentLogger());
    const withBaggage = propagation.setBaggage(
      context.active(),
      propagation.createBaggage({ 'grey.tenant_id': { value: 'from-baggage' } }),
    );
    context.with(withBaggage, () => {
      metrics.tasks.submitted.inc({ type: 'a' });
      metrics.tasks.submitted.inc({ type: 'b', tenant: 'explicit' });
      metrics.tasks.duration.observe(0.5);
    });
    context.with(withBaggage, () => {
      metrics.tasks.submitted.inc({ type: 'd', tenant: undefined });
      metrics.tasks.submitted.inc({ type: 'e', tenant: '' });
    });
    metrics.tasks.submitted.inc({ type: 'c' });
    metrics.tasks.submitted.inc({ type: 'f', tenant: undefined });
    const tenants = (await samples(metrics, 'grey_tasks_submitted_total')).map(
      (s) => `${s.labels.type}:${s.labels.tenant}`,
    );
    assert.deepEqual(tenants.sort(), [
      'a:from-baggage',
      'b:explicit',
      `c:${TENANT_NONE}`,
      'd:from-baggage',
      'e:from-baggage',
      `f:${TENANT_NONE}`,
    ]);
    const observed = (await samples(metrics, 'grey_task_duration_seconds')).filter(
      (s) => (s as { metricName?: string }).metricName?.endsWith('_count') === true && s.value > 0,
    );
    assert.deepEqual(
      observed.map((s) => s.labels),
      [{ tenant: 'from-baggage', outcome: 'completed' }],
    );
  });

  it('drops the tenant label entirely when include_tenant_labels is false', async () => {
    const metrics = createMetrics(testConfig({ prometheus: { include_tenant_labels: false } }), silentLogger());
    metrics.tasks.submitted.inc({ type: 'stateless', tenant: 'a' });
    metrics.tasks.submitted.inc({ type: 'stateless', tenant: 'b' });
    metrics.queue.depth.set({ priority: 'high' }, 4);
    assert.deepEqual(await samples(metrics, 'grey_tasks_submitted_total'), [
      { labels: { type: 'stateless' }, value: 2 },
    ]);
    assert.deepEqual(await samples(metrics, 'grey_queue_depth'), [{ labels: { priority: 'high' }, value: 4 }]);
    assert.equal(metrics.tenantGuard('grey_tasks_submitted_total'), undefined);
    const text = await metrics.scrape('text');
    assert.doesNotMatch(text, /tenant="/);
  });
});
