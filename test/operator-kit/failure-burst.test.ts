import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Task } from '../../src/decorators/index.js';
import { initObservability, type ObservabilityHandle } from '../../src/init.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { startMetricsServer, type MetricsServer } from '../../src/metrics/server.js';
import { ruleArtifacts } from '../../src/operator-kit/artifacts.js';
import { buildDashboard } from '../../src/operator-kit/dashboard-builder.js';
import { dashboardSpecs } from '../../src/operator-kit/dashboards/index.js';
import { testConfig } from '../support/config.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { silentLogger } from '../metrics/support/logger.js';

/**
 * Issue 19 (1, 2) on a real Prometheus running the generated rules: a task service whose tenant
 * `steady` runs 40 successful @Task calls, then 20 failures between two scrapes, beside a second
 * service that only reports a CPU utilization of 0.8. The burst must show in increase() and in the
 * success-rate rule, and the gauges nobody set must read "No data", not 0.
 */

class Worker {
  @Task({ type: 'stateless' })
  async run(job: { tenantId: string; fail: boolean }): Promise<string> {
    if (job.fail) throw new Error('task failed');
    await new Promise((resolve) => setTimeout(resolve, 100));
    return 'done';
  }
}

/** Grafana's substitution of the dashboard variables for "All". */
function panelExpr(dashboard: string, panel: string, legend: string): string {
  const spec = dashboardSpecs().find((s) => s.title === dashboard);
  assert.ok(spec, dashboard);
  const found = (buildDashboard(spec).panels ?? []).find((p) => (p as { title?: string }).title === panel) as
    { targets?: Array<{ expr?: string; legendFormat?: string }> } | undefined;
  const target = found?.targets?.find((t) => t.legendFormat === legend);
  assert.ok(target?.expr, `${dashboard} / ${panel} / ${legend}`);
  return target.expr.replaceAll('$job', '.*').replaceAll('$tenant', '.*');
}

describe('a failure burst on a real Prometheus with the generated rules', () => {
  let tasks: ObservabilityHandle;
  let reporter: MetricsServer;
  let prometheus: RunningPrometheus;
  const value = (samples: Array<{ value: [number, string] }>): number => Number(samples[0]?.value[1]);

  before(async () => {
    tasks = await initObservability({
      env: {},
      overrides: {
        service: { name: 'grey-burst-fixture' },
        prometheus: { host: '127.0.0.1', port: 0, default_metrics: false },
        logging: { level: 'silent' },
        opentelemetry: { enabled: false },
      },
    });
    const config = testConfig({ prometheus: { default_metrics: false } });
    const other = createMetrics(config, silentLogger());
    other.cluster.cpuUtilization.set(0.8);
    reporter = await startMetricsServer(config, other);
    prometheus = await startPrometheus(
      { address: '' },
      {
        config: [
          'global:',
          '  scrape_interval: 1s',
          '  scrape_timeout: 1s',
          '  evaluation_interval: 1s',
          'rule_files: [grey-rules.yml]',
          'scrape_configs:',
          '  - job_name: grey',
          '    static_configs:',
          `      - targets: ['127.0.0.1:${tasks.metricsServer?.port}', '127.0.0.1:${reporter.port}']`,
          '',
        ].join('\n'),
        files: { 'grey-rules.yml': (ruleArtifacts()[0] as { content: string }).content },
      },
    );
    await prometheus.waitFor('up == 1', (s) => s.length === 2);
  });

  after(async () => {
    await prometheus?.stop();
    await reporter?.close();
    await tasks?.shutdown();
  });

  it('sees 20 failures after 40 successes in increase() and in grey:task_success_rate:5m', async () => {
    const worker = new Worker();
    // 40 successes over about 4 s: several scrapes see them come in.
    for (let i = 0; i < 40; i++) await worker.run({ tenantId: 'steady', fail: false });
    const seen = await prometheus.waitFor(
      'grey_tasks_completed_total{tenant="steady"} == 40 and on (tenant) grey_tasks_failed_total{tenant="steady"} == 0',
      (s) => s.length === 1,
    );
    assert.equal(seen.length, 1, 'Prometheus saw 40 completed tasks and the failed series at 0');
    // 20 failures between two scrapes: all in one turn of the event loop.
    const failures = Array.from({ length: 20 }, () => worker.run({ tenantId: 'steady', fail: true }));
    assert.deepEqual(new Set((await Promise.allSettled(failures)).map((r) => r.status)), new Set(['rejected']));
    await prometheus.waitFor('grey_tasks_failed_total{tenant="steady"} == 20', (s) => s.length === 1);

    const increase = value(await prometheus.query('increase(grey_tasks_failed_total{tenant="steady"}[30s])'));
    // Prometheus extrapolates increase() to the window's edges: 20 or a little more.
    assert.ok(increase >= 20 && increase < 25, `increase ${increase}`);
    const rate = await prometheus.waitFor('grey:task_success_rate:5m{tenant="steady"} < 0.95', (s) => s.length === 1);
    // About 40 of 60 finished tasks succeeded in the window.
    assert.ok(value(rate) > 0.5 && value(rate) < 0.8, `success rate ${value(rate)}`);
    const alert = await prometheus.waitFor(
      'ALERTS{alertname="GreyHighTaskFailureRate",tenant="steady"}',
      (s) => s.length === 1,
    );
    assert.equal(alert[0]?.metric.alertstate, 'pending', 'the alert is on its way (for: 5m)');
  });

  it('reads No data for the gauges nobody set, and 0.8 for the one reporter of CPU utilization', async () => {
    const overview = 'Grey / Cluster Overview';
    const cpu = await prometheus.query(panelExpr(overview, 'Resource Utilization', 'CPU'));
    assert.equal(value(cpu), 0.8, 'the average over the reporters only');
    assert.deepEqual(await prometheus.query(panelExpr(overview, 'Resource Utilization', 'Memory')), []);
    for (const legend of ['Term', 'Commit index', 'Quorum size']) {
      assert.deepEqual(await prometheus.query(panelExpr(overview, 'Consensus Status', legend)), [], legend);
    }
    // Both targets expose the families (HELP and TYPE), without samples.
    assert.deepEqual(await prometheus.query('grey_consensus_quorum_size'), []);
  });
});
