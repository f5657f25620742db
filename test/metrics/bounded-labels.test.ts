import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABEL_VALUE_OTHER, LabelValueLimiter, MAX_LABEL_VALUE_LENGTH } from '../../src/metrics/bounded-labels.js';
import { METRIC_CATALOG } from '../../src/metric-catalog.js';
import { RETRY_COUNT_BUCKETS } from '../../src/metrics/catalog.js';
import { CounterHelper, GaugeHelper } from '../../src/metrics/instruments.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { testConfig } from '../support/config.js';
import { silentLogger } from './support/logger.js';

const valuesOf = (text: string, metric: string, label: string): string[] =>
  [...text.matchAll(new RegExp(`^${metric}\\{[^}]*${label}="([^"]*)"`, 'gm'))].map((m) => m[1] as string);

describe('LabelValueLimiter', () => {
  it('keeps the first N values of a label and records later new ones as other', () => {
    const limiter = new LabelValueLimiter({ code: 2 });
    assert.deepEqual(limiter.apply({ code: 'A', type: 't' }), { code: 'A', type: 't' });
    assert.deepEqual(limiter.apply({ code: 'B', type: 't' }), { code: 'B', type: 't' });
    assert.deepEqual(limiter.apply({ code: 'C', type: 't' }), { code: LABEL_VALUE_OTHER, type: 't' });
    assert.deepEqual(limiter.apply({ code: 'A', type: 't' }), { code: 'A', type: 't' });
  });

  it('cuts very long values and never mutates the caller labels', () => {
    const limiter = new LabelValueLimiter({ code: 5 });
    const labels = { code: 'x'.repeat(1000) };
    const applied = limiter.apply(labels);
    assert.equal(String(applied.code).length, MAX_LABEL_VALUE_LENGTH);
    assert.equal(labels.code.length, 1000);
  });
});

describe('metrics added to back dashboard panels', () => {
  it('bound the error code label of grey_task_errors_total at 50 values on the real registry', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    assert.ok(metrics.tasks.errors instanceof CounterHelper);
    for (let i = 0; i < 80; i++) metrics.tasks.errors.inc({ type: 'stateless', code: `E${i}` });
    const codes = valuesOf(await metrics.scrape('text'), 'grey_task_errors_total', 'code');
    assert.equal(codes.length, 51);
    assert.ok(codes.includes(LABEL_VALUE_OTHER));
    assert.ok(codes.includes('E49') && !codes.includes('E50'));
  });

  it('bound regions of grey_cluster_region_nodes and keep gauge methods working', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    assert.ok(metrics.cluster.regionNodes instanceof GaugeHelper);
    for (let i = 0; i < 70; i++) metrics.cluster.regionNodes.set({ region: `r${i}`, status: 'active' }, 1);
    metrics.cluster.regionNodes.inc({ region: 'r0', status: 'active' });
    const text = await metrics.scrape('text');
    assert.equal(valuesOf(text, 'grey_cluster_region_nodes', 'region').length, 65);
    assert.match(text, /^grey_cluster_region_nodes\{region="r0",status="active"\} 2$/m);
  });

  it('count retries in buckets 0, 1, 2, 3, 5, 10', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    metrics.tasks.retries.observe({ type: 'stateless' }, 0);
    metrics.tasks.retries.observe({ type: 'stateless' }, 4);
    const text = await metrics.scrape('text');
    const bounds = [...text.matchAll(/^grey_task_retries_bucket\{[^}]*le="([^"]+)"\} (\d+)$/gm)].map((m) => [
      m[1],
      m[2],
    ]);
    assert.deepEqual(bounds, [
      ['0', '1'],
      ['1', '1'],
      ['2', '1'],
      ['3', '1'],
      ['5', '2'],
      ['10', '2'],
      ['+Inf', '2'],
    ]);
    assert.deepEqual(RETRY_COUNT_BUCKETS, [0, 1, 2, 3, 5, 10]);
  });

  it('put the tenant of the tenants.* helpers through the tenant guard like every tenant-aware metric', async () => {
    const metrics = createMetrics(testConfig({ tenancy: { max_tenants_per_metric: 1 } }), silentLogger());
    metrics.tenants.cost.inc({ tenant: 'a' }, 1.5);
    metrics.tenants.cost.inc({ tenant: 'b' }, 2);
    const tenants = valuesOf(await metrics.scrape('text'), 'grey_tenant_cost_total', 'tenant');
    assert.equal(tenants.length, 2);
    assert.ok(tenants.includes('a'));
    assert.ok(!tenants.includes('b'), 'the second tenant is folded into the overflow value');
  });

  it('name the panel each one backs, and only those carry valueLimits on non-tenant labels', () => {
    for (const definition of METRIC_CATALOG) {
      for (const label of Object.keys(definition.valueLimits ?? {})) {
        assert.ok(definition.labels.includes(label), `${definition.name}: ${label}`);
        assert.notEqual(label, 'tenant', 'the tenant guard bounds tenants');
      }
      if (definition.backs !== undefined)
        assert.match(definition.backs, /^[A-Z][\w ]+ \/ [A-Z][\w ]+$/, definition.name);
    }
  });
});
