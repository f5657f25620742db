import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { register as globalRegistry } from 'prom-client';
import { isObservabilityError } from '../../src/errors.js';
import { METRIC_CATALOG } from '../../src/metric-catalog.js';
import { CounterHelper, GaugeHelper, HistogramHelper, SummaryHelper } from '../../src/metrics/instruments.js';
import { validateDefinition } from '../../src/metrics/metric-factory.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { testConfig } from '../support/config.js';
import { silentLogger } from './support/logger.js';

// The spec's "Exposed Metrics", transcribed: name, type, labels (sorted).
const SPEC_METRICS: Array<[string, string, string[]]> = [
  ['grey_cluster_nodes_total', 'gauge', ['role', 'status']],
  ['grey_consensus_term', 'gauge', []],
  ['grey_consensus_leader', 'gauge', ['node_id']],
  ['grey_consensus_quorum_size', 'gauge', []],
  ['grey_consensus_commit_index', 'gauge', []],
  ['grey_cluster_cpu_utilization_ratio', 'gauge', []],
  ['grey_cluster_memory_utilization_ratio', 'gauge', []],
  ['grey_tasks_submitted_total', 'counter', ['tenant', 'type']],
  ['grey_tasks_completed_total', 'counter', ['tenant', 'type']],
  ['grey_tasks_failed_total', 'counter', ['tenant', 'type']],
  // The spec's labels and `outcome` (completed or failed): failed tasks' durations are counted too,
  // and `outcome="completed"` keeps the spec's meaning (issue 19).
  ['grey_task_duration_seconds', 'histogram', ['outcome', 'tenant']],
  ['grey_queue_depth', 'gauge', ['priority', 'tenant']],
  ['grey_tee_attestations_total', 'counter', ['platform', 'result']],
  ['grey_tee_attestation_duration_seconds', 'summary', []],
  ['grey_tee_enclaves_active', 'gauge', ['platform']],
  ['grey_tee_enclave_memory_bytes', 'gauge', ['enclave_id']],
  ['grey_db_connections_active', 'gauge', ['backend', 'shard']],
  ['grey_db_connections_idle', 'gauge', ['backend', 'shard']],
  ['grey_db_query_duration_seconds', 'histogram', ['backend', 'operation']],
  ['grey_db_replication_lag_seconds', 'gauge', ['backend', 'replica']],
];

const HELPER_CLASS = { counter: CounterHelper, gauge: GaugeHelper, histogram: HistogramHelper, summary: SummaryHelper };

describe('METRIC_CATALOG', () => {
  it('holds every spec metric with its exact name, type and labels', () => {
    const spec = METRIC_CATALOG.filter((d) => d.group !== 'observability' && d.backs === undefined).map((d) => [
      d.name,
      d.type,
      [...d.labels].sort(),
    ]);
    assert.deepEqual(spec, SPEC_METRICS);
  });

  it('marks exactly the metrics with a tenant label as tenant-aware', () => {
    for (const definition of METRIC_CATALOG) {
      assert.equal(definition.tenantAware, definition.labels.includes('tenant'), definition.name);
    }
  });

  it('has one lint exception, grey_cluster_nodes_total, and every other entry passes custom-metric validation', () => {
    assert.deepEqual(
      METRIC_CATALOG.filter((d) => d.lintException !== undefined).map((d) => d.name),
      ['grey_cluster_nodes_total'],
    );
    for (const definition of METRIC_CATALOG) {
      const resolved = { ...definition, buckets: definition.buckets ? [0.1, 1] : undefined };
      if (definition.lintException === undefined)
        assert.doesNotThrow(() => validateDefinition(resolved), definition.name);
      else
        assert.throws(
          () => validateDefinition(resolved),
          (e: unknown) => isObservabilityError(e, 'OBS_ERR_METRIC_INVALID'),
        );
    }
  });

  it('is documented metric by metric in docs/metrics.md', () => {
    const page = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
    for (const definition of METRIC_CATALOG) {
      assert.ok(page.includes(`| \`${definition.name}\` | ${definition.type}`), definition.name);
      if (definition.helper !== undefined)
        assert.ok(page.includes(`\`metrics.${definition.helper}\``), definition.helper);
    }
  });

  it('is reachable as typed helpers of the right kind on the metrics handle', () => {
    const metrics = createMetrics(testConfig(), silentLogger()) as unknown as Record<string, Record<string, unknown>>;
    for (const definition of METRIC_CATALOG) {
      if (definition.helper === undefined) continue;
      const [section, member] = definition.helper.split('.') as [string, string];
      const helper = metrics[section]?.[member] as { name: string } | undefined;
      assert.ok(helper instanceof HELPER_CLASS[definition.type], definition.helper);
      assert.equal(helper.name, definition.name);
    }
  });
});

describe('createMetrics', () => {
  it('uses prometheus.latency_buckets for task and query durations', async () => {
    const metrics = createMetrics(testConfig({ prometheus: { latency_buckets: [0.25, 2.5] } }), silentLogger());
    metrics.tasks.duration.observe({ tenant: 't' }, 1);
    metrics.db.queryDuration.observe({ backend: 'pg', operation: 'read' }, 1);
    // The failed series of the tenant exists at 0 beside the completed one: one series is enough.
    const text = (await metrics.scrape('text'))
      .split('\n')
      .filter((line) => !line.includes('outcome="failed"'))
      .join('\n');
    for (const name of ['grey_task_duration_seconds_bucket', 'grey_db_query_duration_seconds_bucket']) {
      const bounds = [...text.matchAll(new RegExp(`^${name}\\{[^}]*le="([^"]+)"\\}`, 'gm'))].map((m) => m[1]);
      assert.deepEqual(bounds, ['0.25', '2.5', '+Inf'], name);
    }
  });

  it('uses its own registry and never the prom-client global one', async () => {
    const metrics = createMetrics(testConfig({ prometheus: { default_metrics: true } }), silentLogger());
    metrics.tasks.submitted.inc({ type: 'x', tenant: 't' });
    assert.notEqual(metrics.registry, globalRegistry);
    assert.equal(globalRegistry.getMetricsAsArray().length, 0);
    assert.ok(metrics.registry.getSingleMetric('grey_tasks_submitted_total'));
  });

  it('can be created twice in one process (tests, reload) without name clashes', () => {
    const config = testConfig({ prometheus: { default_metrics: true } });
    assert.doesNotThrow(() => {
      createMetrics(config, silentLogger());
      createMetrics(config, silentLogger());
    });
  });

  it('leaves out Node.js default metrics when default_metrics is false', async () => {
    const metrics = createMetrics(testConfig({ prometheus: { default_metrics: false } }), silentLogger());
    assert.doesNotMatch(await metrics.scrape('text'), /process_cpu|nodejs_/);
  });
});

describe('the metrics part', () => {
  it('imports nothing of tracing: tracing defines and registers its own self-metrics', () => {
    const dir = new URL('../../../src/metrics/', import.meta.url);
    const offending = readdirSync(dir)
      .filter((name) => name.endsWith('.ts'))
      .filter((name) => /from '\.\.\/tracing\//.test(readFileSync(new URL(name, dir), 'utf8')));
    assert.deepEqual(offending, []);
    assert.equal(
      METRIC_CATALOG.some((d) => 'registeredBy' in d),
      false,
    );
  });
});
