import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.js';
import type { GaugeHelper } from '../../src/metrics/instruments.js';
import { testConfig } from '../support/config.js';
import { promtoolCheckMetrics, KNOWN_PROMTOOL_EXCEPTION } from '../support/prometheus.js';
import { silentLogger } from './support/logger.js';

/** The sample lines of `name` in the text exposition. */
async function samples(metrics: Metrics, name: string): Promise<string[]> {
  return (await metrics.scrape('text'))
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`));
}

/** Every catalog gauge without labels, with its helper. */
function labellessGauges(metrics: Metrics): Array<[string, GaugeHelper<never>]> {
  return metrics.catalog
    .filter((d) => d.type === 'gauge' && d.labels.length === 0 && d.helper !== undefined)
    .map((d) => {
      const [section, member] = (d.helper as string).split('.') as [string, string];
      const helper = (metrics as unknown as Record<string, Record<string, GaugeHelper<never>>>)[section]![member]!;
      return [d.name, helper];
    });
}

describe('a gauge nobody set', () => {
  it('is absent: grey_cluster_cpu_utilization_ratio has HELP and TYPE only, then 0.8 after set(0.8)', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    const text = await metrics.scrape('text');
    assert.match(text, /^# TYPE grey_cluster_cpu_utilization_ratio gauge$/m);
    assert.deepEqual(await samples(metrics, 'grey_cluster_cpu_utilization_ratio'), []);
    metrics.cluster.cpuUtilization.set(0.8);
    assert.deepEqual(await samples(metrics, 'grey_cluster_cpu_utilization_ratio'), [
      'grey_cluster_cpu_utilization_ratio 0.8',
    ]);
  });

  it('is absent for every gauge of the catalog without labels, in both formats and in getMetricsAsJSON()', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    const gauges = labellessGauges(metrics);
    assert.deepEqual(
      gauges.map(([name]) => name),
      [
        'grey_consensus_term',
        'grey_consensus_quorum_size',
        'grey_consensus_commit_index',
        'grey_cluster_cpu_utilization_ratio',
        'grey_cluster_memory_utilization_ratio',
      ],
    );
    const om = await metrics.scrape('openmetrics');
    const json = await metrics.registry.getMetricsAsJSON();
    for (const [name] of gauges) {
      assert.deepEqual(await samples(metrics, name), [], name);
      assert.doesNotMatch(om, new RegExp(`^${name} `, 'm'), name);
      assert.deepEqual(json.find((m) => m.name === name)?.values, [], name);
    }
    // Set, incremented, or set to 0 on purpose: each appears.
    metrics.consensus.term.set(42);
    metrics.consensus.quorumSize.inc();
    metrics.consensus.commitIndex.set(0);
    assert.deepEqual(await samples(metrics, 'grey_consensus_term'), ['grey_consensus_term 42']);
    assert.deepEqual(await samples(metrics, 'grey_consensus_quorum_size'), ['grey_consensus_quorum_size 1']);
    assert.deepEqual(await samples(metrics, 'grey_consensus_commit_index'), ['grey_consensus_commit_index 0']);
    assert.deepEqual(await samples(metrics, 'grey_cluster_memory_utilization_ratio'), []);
  });

  it('is absent again after a reset, through the helper, its metric or the registry', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    for (const reset of [
      () => metrics.cluster.cpuUtilization.reset(),
      () => metrics.cluster.cpuUtilization.metric.reset(),
      () => metrics.registry.resetMetrics(),
    ]) {
      metrics.cluster.cpuUtilization.set(0.8);
      reset();
      assert.deepEqual(await samples(metrics, 'grey_cluster_cpu_utilization_ratio'), []);
    }
    metrics.cluster.cpuUtilization.remove();
    metrics.cluster.cpuUtilization.set(0.5);
    metrics.cluster.cpuUtilization.remove();
    assert.deepEqual(await samples(metrics, 'grey_cluster_cpu_utilization_ratio'), []);
  });

  it('is absent for a custom gauge without labels too', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    const pool = metrics.gauge({ name: 'grey_custom_pool_size', help: 'Pool size.' });
    assert.deepEqual(await samples(metrics, 'grey_custom_pool_size'), []);
    pool.set(8);
    assert.deepEqual(await samples(metrics, 'grey_custom_pool_size'), ['grey_custom_pool_size 8']);
  });

  it('leaves the exposition promtool-clean while absent', async () => {
    const metrics = createMetrics(testConfig({ prometheus: { default_metrics: false } }), silentLogger());
    metrics.cluster.nodes.set({ role: 'worker', status: 'active' }, 3);
    assert.deepEqual((await promtoolCheckMetrics(await metrics.scrape('text'))).problems, [KNOWN_PROMTOOL_EXCEPTION]);
  });
});

describe('a summary with nothing observed', () => {
  const quantiles = async (metrics: Metrics, name: string): Promise<string[]> =>
    (await samples(metrics, name)).filter((line) => line.includes('quantile='));

  it('reports NaN quantiles (not 0) for grey_tee_attestation_duration_seconds, real ones once observed', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    assert.deepEqual(await quantiles(metrics, 'grey_tee_attestation_duration_seconds'), [
      'grey_tee_attestation_duration_seconds{quantile="0.5"} NaN',
      'grey_tee_attestation_duration_seconds{quantile="0.9"} NaN',
      'grey_tee_attestation_duration_seconds{quantile="0.99"} NaN',
    ]);
    assert.deepEqual(await samples(metrics, 'grey_tee_attestation_duration_seconds_count'), [
      'grey_tee_attestation_duration_seconds_count 0',
    ]);
    metrics.tee.attestationDuration.observe(0.05);
    assert.deepEqual(await quantiles(metrics, 'grey_tee_attestation_duration_seconds'), [
      'grey_tee_attestation_duration_seconds{quantile="0.5"} 0.05',
      'grey_tee_attestation_duration_seconds{quantile="0.9"} 0.05',
      'grey_tee_attestation_duration_seconds{quantile="0.99"} 0.05',
    ]);
  });

  it('reports NaN quantiles once its window holds no observation any more', async (t) => {
    mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    t.after(() => mock.timers.reset());
    const metrics = createMetrics(testConfig(), silentLogger());
    const wait = metrics.summary({
      name: 'grey_custom_wait_seconds',
      help: 'Wait.',
      labels: ['queue'],
      percentiles: [0.5],
      maxAgeSeconds: 60,
      ageBuckets: 2,
    });
    wait.observe({ queue: 'a' }, 2);
    wait.observe({ queue: 'b' }, 3);
    assert.deepEqual(await quantiles(metrics, 'grey_custom_wait_seconds'), [
      'grey_custom_wait_seconds{quantile="0.5",queue="a"} 2',
      'grey_custom_wait_seconds{quantile="0.5",queue="b"} 3',
    ]);
    mock.timers.tick(40_000);
    wait.observe({ queue: 'b' }, 3);
    assert.equal((await quantiles(metrics, 'grey_custom_wait_seconds')).length, 2);
    mock.timers.tick(30_000); // a: 70 s since its observation; b: 30 s
    assert.deepEqual(await quantiles(metrics, 'grey_custom_wait_seconds'), [
      'grey_custom_wait_seconds{quantile="0.5",queue="a"} NaN',
      'grey_custom_wait_seconds{quantile="0.5",queue="b"} 3',
    ]);
    assert.deepEqual(await samples(metrics, 'grey_custom_wait_seconds_count'), [
      'grey_custom_wait_seconds_count{queue="a"} 1',
      'grey_custom_wait_seconds_count{queue="b"} 2',
    ]);
  });
});
