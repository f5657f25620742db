import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { initObservability, type ObservabilityHandle } from '../../src/init.js';
import { ruleArtifacts } from '../../src/operator-kit/artifacts.js';
import { buildDashboard } from '../../src/operator-kit/dashboard-builder.js';
import { dashboardSpecs } from '../../src/operator-kit/dashboards/index.js';
import { recordingRules } from '../../src/operator-kit/rules.js';
import { kubernetesScrapeConfig } from '../../src/operator-kit/scrape-configs.js';
import { startHttpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { kitOptions } from './support/kit-options.js';
import { driveSyntheticLoad, LATE_TENANT, PIPELINE_METRIC, TENANTS } from './support/synthetic-load.js';

/**
 * The generated dashboards and rules against a real Prometheus that scrapes a service using this
 * package (initObservability + the metric helpers) under synthetic load from several tenants. The
 * Prometheus runs the generated Kubernetes scrape job (its relabelling of pod annotations
 * included), with the pod discovery replaced by a file listing what Kubernetes would report, and
 * evaluates the generated rule file. Tracing is on, exporting to a loopback OTLP receiver, so the
 * span counters of the Observability Pipeline dashboard are scraped too.
 */

/** What Grafana puts in place of the variables, with windows that fit a 1 s scrape interval. */
const ALL = { job: '.*', tenant: '.*', rateInterval: '15s', range: '5m' };

function substitute(expr: string, values: typeof ALL): string {
  return expr
    .replaceAll('$__rate_interval', values.rateInterval)
    .replaceAll('$__range', values.range)
    .replaceAll('$job', values.job)
    .replaceAll('$tenant', values.tenant);
}

interface PanelQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

function panelQueries(): PanelQuery[] {
  return dashboardSpecs().flatMap((spec) =>
    (buildDashboard(spec).panels ?? []).flatMap((panel) =>
      ((panel as { targets?: Array<{ expr?: string }> }).targets ?? []).map((target) => ({
        dashboard: spec.title,
        panel: String((panel as { title?: string }).title),
        expr: String(target.expr),
      })),
    ),
  );
}

/** The generated Kubernetes config with pod discovery swapped for a file of discovered pods. */
function prometheusConfig(): string {
  const config = kubernetesScrapeConfig(kitOptions({ namespace: 'grey' })) as {
    global: Record<string, string>;
    rule_files: string[];
    alerting?: unknown;
    scrape_configs: Array<Record<string, unknown>>;
  };
  config.global = { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' };
  config.rule_files = ['grey-rules.yml'];
  delete config.alerting;
  for (const job of config.scrape_configs) {
    // The 1 s interval above: the kit's per-job timeout (10 s) would exceed it.
    delete job.scrape_timeout;
    delete job.kubernetes_sd_configs;
    job.file_sd_configs = [{ files: ['pods.json'], refresh_interval: '1s' }];
  }
  return stringify(config);
}

/** Two pods as Kubernetes discovery reports them: one annotated for scraping, one not. */
function discoveredPods(port: number): string {
  const pod = (name: string, scrape: string) => ({
    // The container's own port: the prometheus.io/port annotation must replace it.
    targets: ['127.0.0.1:1'],
    labels: {
      __meta_kubernetes_namespace: 'grey',
      __meta_kubernetes_pod_name: name,
      __meta_kubernetes_pod_annotation_prometheus_io_scrape: scrape,
      __meta_kubernetes_pod_annotation_prometheus_io_port: String(port),
      __meta_kubernetes_pod_annotation_prometheus_io_path: '/metrics',
    },
  });
  return JSON.stringify([pod('grey-service-0', 'true'), pod('grey-sidecar-0', 'false')]);
}

describe('dashboards and rules on a real Prometheus', () => {
  let handle: ObservabilityHandle;
  let prometheus: RunningPrometheus;
  let receiver: OtlpReceiver;

  before(async () => {
    receiver = await startHttpReceiver();
    handle = await initObservability({
      env: {},
      overrides: {
        service: { name: 'grey-monitoring-fixture' },
        prometheus: { host: '127.0.0.1', port: 0, default_metrics: false },
        logging: { level: 'silent' },
        // Room for the load's tenants and no more: its late tenant overflows (PIPELINE_METRIC only).
        tenancy: { max_tenants_per_metric: TENANTS.length },
        opentelemetry: {
          exporter: { protocol: 'http/protobuf', endpoint: receiver.url, timeout_ms: 2000 },
          batch: { scheduled_delay_ms: 100 },
          sampling: { strategy: 'always_on' },
        } as never,
      },
    });
    const port = handle.metricsServer?.port as number;
    prometheus = await startPrometheus(
      { address: `127.0.0.1:${port}` },
      {
        config: prometheusConfig(),
        files: {
          'grey-rules.yml': (ruleArtifacts()[0] as { content: string }).content,
          'pods.json': discoveredPods(port),
        },
      },
    );
    // Load until Prometheus holds enough scrapes for rate() and increase() over a 15 s window.
    await driveSyntheticLoad(handle, async () => {
      const scrapes = await prometheus.query('count_over_time(up{job="grey-cluster"}[1m])');
      return Number(scrapes[0]?.value[1] ?? 0) >= 5;
    });
    await prometheus.waitFor('grey:task_latency_p99:5m', (s) => s.length > 0);
  });

  after(async () => {
    await prometheus?.stop();
    await handle?.shutdown();
    await receiver?.close();
  });

  it('scrapes only the annotated pod, on its annotated port and path, with namespace and pod labels', async () => {
    const up = await prometheus.query('up');
    assert.equal(up.length, 1, JSON.stringify(up));
    const port = handle.metricsServer?.port as number;
    assert.equal(up[0]?.metric.instance, `127.0.0.1:${port}`);
    assert.equal(up[0]?.metric.job, 'grey-cluster');
    assert.equal(up[0]?.metric.namespace, 'grey');
    assert.equal(up[0]?.metric.pod, 'grey-service-0');
    assert.equal(up[0]?.value[1], '1');
  });

  it('answers every panel query of the five dashboards with data', async () => {
    const queries = panelQueries();
    assert.ok(queries.length >= 30, `${queries.length} queries`);
    const empty: string[] = [];
    for (const query of queries) {
      const samples = await prometheus.query(substitute(query.expr, ALL));
      if (samples.length === 0) empty.push(`${query.dashboard} / ${query.panel}: ${query.expr}`);
    }
    assert.deepEqual(empty, [], 'panel queries without data');
  });

  it('shows the pipeline: spans exported and none lost, the rejected measurements and the overflowing metric', async () => {
    const pipeline = panelQueries().filter((q) => q.dashboard === 'Grey / Observability Pipeline');
    const values = async (panel: string): Promise<Record<string, number>> => {
      const query = pipeline.find((q) => q.panel === panel);
      assert.ok(query, panel);
      const samples = await prometheus.query(substitute(query.expr, ALL));
      return Object.fromEntries(
        samples.map((s) => [s.metric.reason ?? s.metric.metric ?? s.metric.job ?? '', Number(s.value[1])]),
      );
    };
    assert.ok(receiver.spans().length > 0, 'the receiver got spans');
    assert.ok((await values('Spans Exported'))['grey-cluster']! > 0, 'spans exported per second');
    // A healthy loopback collector: every reason is there, at 0.
    const failed = await values('Spans Failed by Reason');
    assert.deepEqual(Object.keys(failed).sort(), ['other', 'rejected', 'shutdown', 'timeout', 'unavailable']);
    assert.ok(
      Object.values(failed).every((v) => v === 0),
      JSON.stringify(failed),
    );
    const dropped = await values('Spans Dropped by Reason');
    assert.deepEqual(Object.keys(dropped).sort(), ['capture_trace_evicted', 'capture_trace_full', 'queue_full']);
    assert.ok(
      Object.values(dropped).every((v) => v === 0),
      JSON.stringify(dropped),
    );
    // One negative increment and one overflowing tenant (LATE_TENANT) of PIPELINE_METRIC per round.
    const rejected = await values('Measurements Rejected by Metric');
    assert.deepEqual(Object.keys(rejected), [PIPELINE_METRIC]);
    assert.ok(rejected[PIPELINE_METRIC]! > 0, JSON.stringify(rejected));
    const overflow = await values('Tenant Overflow by Metric');
    assert.deepEqual(
      Object.keys(overflow).filter((metric) => overflow[metric]! > 0),
      [PIPELINE_METRIC],
      `${LATE_TENANT} overflows ${PIPELINE_METRIC} only`,
    );
    // Every other tenant-aware metric has its overflow series, at 0, for the alert's rate() to start from.
    assert.ok(Object.keys(overflow).includes('grey_tasks_submitted_total'), JSON.stringify(overflow));
    // Its budget is full; the catalog metrics hold exactly the load's tenants, which is the budget too.
    const budget = await values('Tenants Admitted vs Limit');
    assert.equal(budget[PIPELINE_METRIC], 1);
    assert.equal(budget.grey_tasks_submitted_total, 1);
    assert.equal(budget.grey_tasks_running, 1);
    // The generated alerts read the same series: the overflow one is under way (pending: its `for`
    // is 5 m), the spans-lost one is not.
    const alerts = await prometheus.waitFor('ALERTS{alertname=~"GreyObservability.*"}', (a) => a.length > 0);
    assert.deepEqual(
      alerts.map((a) => [a.metric.alertname, a.metric.metric, a.metric.alertstate]),
      [['GreyObservabilityTenantOverflow', PIPELINE_METRIC, 'pending']],
    );
  });

  it('narrows tenant-aware panels to the tenants selected in the tenant variable', async () => {
    const selected = TENANTS.slice(0, 2);
    const values = { ...ALL, tenant: selected.join('|') };
    let checked = 0;
    for (const query of panelQueries().filter((q) => q.expr.includes('by (tenant'))) {
      const tenants = new Set((await prometheus.query(substitute(query.expr, values))).map((s) => s.metric.tenant));
      assert.deepEqual([...tenants].sort(), [...selected].sort(), `${query.panel}: ${query.expr}`);
      checked++;
    }
    assert.ok(checked >= 6, `${checked} per-tenant queries checked`);
  });

  it('lists the job and the tenants for the dashboards template variables', async () => {
    const dashboard = buildDashboard(dashboardSpecs()[0]!);
    const variables = (dashboard.templating?.list ?? []) as Array<{ name: string; query?: unknown }>;
    const expected: Record<string, string[]> = { job: ['grey-cluster'], tenant: [...TENANTS].sort() };
    for (const name of ['job', 'tenant']) {
      const query = String(variables.find((v) => v.name === name)?.query);
      const match = /^label_values\((.+), (\w+)\)$/.exec(query);
      assert.ok(match, query);
      const [, series, label] = match;
      const url = `${prometheus.url}/api/v1/label/${label}/values?match[]=${encodeURIComponent(substitute(series as string, ALL))}`;
      const body = (await (await fetch(url)).json()) as { status: string; data: string[] };
      assert.equal(body.status, 'success');
      assert.deepEqual([...body.data].sort(), expected[name], query);
    }
  });

  it('evaluates every recording rule of the rule file to data per job and tenant', async () => {
    for (const rule of recordingRules()) {
      const samples = await prometheus.waitFor(rule.record, (s) => s.length === TENANTS.length);
      assert.deepEqual(samples.map((s) => s.metric.tenant).sort(), [...TENANTS].sort(), rule.record);
      for (const sample of samples)
        assert.ok(Number.isFinite(Number(sample.value[1])), `${rule.record} ${sample.value[1]}`);
    }
  });
});
