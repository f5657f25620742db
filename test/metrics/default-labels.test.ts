import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Gauge } from 'prom-client';
import { createMetrics } from '../../src/metrics/metrics.js';
import { startMetricsServer } from '../../src/metrics/server.js';
import { testConfig } from '../support/config.js';
import { promtoolCheckMetrics } from '../support/prometheus.js';
import { silentLogger } from './support/logger.js';

/** Sample lines (no comments, no EOF) of an exposition. */
const sampleLines = (text: string): string[] => text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));

function recorded() {
  const metrics = createMetrics(testConfig({ prometheus: { default_metrics: true } }), silentLogger());
  metrics.tasks.submitted.inc({ type: 'batch', tenant: 'acme' });
  // A pending sum, as @Task records it.
  metrics.tasks.completed.inc({ type: 'batch', tenant: 'acme' }, 0);
  metrics.tasks.completed
    .pendingSeries(metrics.tasks.completed.stableLabels({ type: 'batch', tenant: 'acme' })!)!
    .add(3);
  metrics.tasks.duration.observe({ tenant: 'acme' }, 0.2);
  metrics.tee.attestationDuration.observe(0.05);
  metrics.cluster.cpuUtilization.set(0.8);
  metrics.cluster.regionNodes.set({ region: 'us-east-1', status: 'active' }, 4);
  new Gauge({
    name: 'service_pool_connections',
    help: 'A prom-client gauge of the service.',
    registers: [metrics.registry],
  }).set(1);
  return metrics;
}

describe('registry default labels', () => {
  it('appear on every series of the registry, in text and OpenMetrics, as prom-client does', async () => {
    const metrics = recorded();
    metrics.registry.setDefaultLabels({ region: 'eu-1' });
    for (const format of ['text', 'openmetrics'] as const) {
      const lines = sampleLines(await metrics.scrape(format)).filter((line) => line !== '# EOF');
      assert.ok(lines.length > 50, `${lines.length} samples`);
      const without = lines.filter((line) => !/[{,]region="[^"]+"/.test(line));
      assert.deepEqual(without, [], format);
      assert.ok(lines.includes('grey_cluster_cpu_utilization_ratio{region="eu-1"} 0.8'), format);
      assert.ok(lines.includes('grey_tasks_completed_total{tenant="acme",type="batch",region="eu-1"} 3'), format);
      assert.ok(lines.includes('grey_tasks_failed_total{tenant="acme",type="batch",region="eu-1"} 0'), format);
      assert.ok(lines.includes('service_pool_connections{region="eu-1"} 1'), format);
      // A series' own label of the same name wins.
      assert.ok(lines.includes('grey_cluster_region_nodes{region="us-east-1",status="active"} 4'), format);
    }
    assert.match(
      await metrics.registry.metrics(),
      /^grey_tasks_submitted_total\{type="batch",tenant="acme",region="eu-1"\} 1$/m,
    );
  });

  it('appear in getMetricsAsJSON() and on the endpoint, and the exposition stays promtool-clean', async (t) => {
    const metrics = recorded();
    metrics.registry.setDefaultLabels({ region: 'eu-1', cell: 'c7' });
    const json = await metrics.registry.getMetricsAsJSON();
    const values = json.flatMap((m) => m.values);
    assert.ok(values.length > 50);
    assert.ok(values.every((v) => v.labels.cell === 'c7'));
    const config = testConfig();
    const server = await startMetricsServer(config, metrics);
    t.after(() => server.close());
    const body = await (await fetch(server.url)).text();
    assert.deepEqual(
      sampleLines(body).filter((line) => !line.includes('cell="c7"')),
      [],
    );
    const problems = (await promtoolCheckMetrics(body)).problems;
    assert.deepEqual(problems, []);
  });

  it('are replaced by the next setDefaultLabels() and dropped by clear()', async () => {
    const metrics = recorded();
    metrics.registry.setDefaultLabels({ region: 'eu-1' });
    metrics.registry.setDefaultLabels({});
    assert.doesNotMatch(await metrics.scrape('text'), /region="eu-1"/);
    metrics.registry.setDefaultLabels({ region: 'eu-2' });
    assert.match(await metrics.scrape('text'), /region="eu-2"/);
    metrics.registry.clear();
    const other = new Gauge({ name: 'after_clear', help: 'h', registers: [metrics.registry] });
    other.set(1);
    assert.deepEqual(sampleLines(await metrics.scrape('text')), ['after_clear 1']);
  });
});
