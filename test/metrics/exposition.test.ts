import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOffSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { Registry } from 'prom-client';
import { negotiateFormat } from '../../src/metrics/exposition.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { testConfig } from '../support/config.js';
import { KNOWN_PROMTOOL_EXCEPTION, promtoolCheckMetrics } from '../support/prometheus.js';
import { silentLogger } from './support/logger.js';

const HOSTILE_VALUES = [
  'quote"inside',
  'back\\slash',
  'trailing\\',
  'new\nline',
  'carriage\rreturn',
  'tab\there',
  'ünïcødé 租户 \u{1F600}',
  'lone\uD800surrogate',
  '{braces},commas=and"all\\of\nit"',
  '# HELP not a comment',
  'x'.repeat(10 * 1024),
];

function recordEverything(metrics: ReturnType<typeof createMetrics>, values: readonly string[]): void {
  metrics.cluster.nodes.set({ role: 'worker', status: 'active' }, 14);
  metrics.cluster.nodes.set({ role: 'coordinator', status: 'active' }, 3);
  metrics.cluster.cpuUtilization.set(0.72);
  metrics.cluster.memoryUtilization.set(0.65);
  metrics.consensus.term.set(42);
  metrics.consensus.leader.set({ node_id: 'grey-coordinator-0' }, 1);
  metrics.consensus.quorumSize.set(3);
  metrics.consensus.commitIndex.set(12345);
  metrics.tee.attestations.inc({ platform: 'sgx', result: 'success' });
  metrics.tee.attestationDuration.observe(0.05);
  metrics.tee.enclavesActive.set({ platform: 'sgx' }, 10);
  metrics.tee.enclaveMemory.set({ enclave_id: 'enc-1' }, 268435456);
  metrics.db.connectionsActive.set({ backend: 'postgres', shard: 0 }, 15);
  metrics.db.connectionsIdle.set({ backend: 'postgres', shard: 0 }, 5);
  metrics.db.queryDuration.observe({ backend: 'postgres', operation: 'read' }, 0.002);
  metrics.db.replicationLag.set({ backend: 'postgres', replica: 'replica-1' }, 0.1);
  for (const value of values) {
    metrics.tasks.submitted.inc({ tenant: value, type: value });
    metrics.tasks.completed.inc({ tenant: value, type: 'stateless' });
    metrics.tasks.failed.inc({ tenant: value, type: 'stateless' });
    metrics.tasks.duration.observe({ tenant: value }, 0.3);
    metrics.queue.depth.set({ tenant: value, priority: value }, 7);
    metrics.tee.enclaveMemory.set({ enclave_id: value }, 1);
  }
  const custom = metrics.histogram({
    name: 'grey_custom_operation_duration_seconds',
    help: 'Custom "latency" with \\ and\nnewline',
    labels: ['op'],
  });
  custom.observe({ op: values[0] ?? 'op' }, 1);
}

describe('exposition', () => {
  it('passes promtool check metrics with hostile label values, except the one documented exception', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    recordEverything(metrics, HOSTILE_VALUES);
    const text = await metrics.scrape('text');
    const result = await promtoolCheckMetrics(text);
    assert.deepEqual(result.problems, [KNOWN_PROMTOOL_EXCEPTION]);
    assert.ok(text.includes(`tenant="${'x'.repeat(10 * 1024)}"`));
    assert.ok(text.includes('tenant="{braces},commas=and\\"all\\\\of\\nit\\""'));
  });

  it('keeps the Node.js default metrics and drops the three *_total gauges promtool flags', async () => {
    const metrics = createMetrics(testConfig({ prometheus: { default_metrics: true } }), silentLogger());
    metrics.cluster.nodes.set({ role: 'worker', status: 'active' }, 1);
    const text = await metrics.scrape('text');
    assert.match(text, /^process_cpu_seconds_total /m);
    assert.match(text, /^# TYPE nodejs_active_handles gauge/m);
    assert.doesNotMatch(text, /nodejs_active_(handles|requests|resources)_total/);
    const result = await promtoolCheckMetrics(text);
    assert.deepEqual(result.problems, [KNOWN_PROMTOOL_EXCEPTION]);
  });

  it('writes OpenMetrics with counter families without _total, samples with it, and # EOF', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    metrics.tasks.submitted.inc({ type: 'stateless', tenant: 't1' }, 5);
    const om = await metrics.scrape('openmetrics');
    assert.match(om, /^# TYPE grey_tasks_submitted counter$/m);
    assert.match(om, /^grey_tasks_submitted_total\{type="stateless",tenant="t1"\} 5$/m);
    assert.match(om, /^# TYPE grey_cluster_nodes_total gauge$/m);
    assert.ok(om.endsWith('# EOF\n'));
    // A text scrape after an OpenMetrics one still has the _total names (prom-client would not).
    const text = await metrics.scrape('text');
    assert.match(text, /^# TYPE grey_tasks_submitted_total counter$/m);
    assert.match(text, /^grey_tasks_submitted_total\{type="stateless",tenant="t1"\} 5$/m);
  });

  it('attaches the trace_id of the active sampled span as an exemplar, only in OpenMetrics', async (t) => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const provider = new TracerProvider();
    const unsampled = new TracerProvider({ sampler: new AlwaysOffSampler() });
    t.after(async () => {
      await provider.shutdown();
      await unsampled.shutdown();
      context.disable();
    });
    const metrics = createMetrics(testConfig(), silentLogger());
    const tracer = provider.getTracer('test');
    let traceId = '';
    tracer.startActiveSpan('grey.task.run', (span) => {
      traceId = span.spanContext().traceId;
      metrics.tasks.duration.observe({ tenant: 't1' }, 0.3);
      span.end();
    });
    unsampled.getTracer('test').startActiveSpan('grey.task.run', (span) => {
      metrics.tasks.duration.observe({ tenant: 't2' }, 0.3);
      span.end();
    });
    metrics.tasks.duration.observe({ tenant: 't3' }, 0.3); // no span at all
    assert.equal(trace.getActiveSpan(), undefined);

    const om = await metrics.scrape('openmetrics');
    const withExemplar = om.split('\n').filter((line) => line.includes(' # {'));
    assert.equal(withExemplar.length, 1);
    assert.match(
      withExemplar[0] as string,
      new RegExp(
        `^grey_task_duration_seconds_bucket\\{tenant="t1",outcome="completed",le="0\\.5"\\} 1 # \\{trace_id="${traceId}",span_id="[0-9a-f]{16}"\\} 0\\.3 \\d+(\\.\\d+)?$`,
      ),
    );
    assert.doesNotMatch(await metrics.scrape('text'), / # \{/);
  });
});

describe('the handle registry', () => {
  const completed = /^grey_tasks_completed_total\{tenant="__none__",type="batch"\} 1$/m;

  it('keeps counters named *_total in later text scrapes after registry.metrics()', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    metrics.tasks.completed.inc({ type: 'batch' });
    const first = await metrics.registry.metrics();
    assert.match(first, /^grey_tasks_completed_total\{tenant="__none__",type="batch"\} 1$/m);
    for (let i = 0; i < 2; i++) {
      const text = await metrics.scrape('text');
      assert.match(text, completed);
      assert.doesNotMatch(text, /^grey_tasks_completed\{/m);
      assert.match(await metrics.scrape('openmetrics'), /^# TYPE grey_tasks_completed counter$/m);
    }
  });

  it('serves the registered name even when another OpenMetrics registry renamed the metric', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    metrics.tasks.completed.inc({ type: 'batch' });
    const other = new Registry();
    other.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as never);
    other.registerMetric(metrics.tasks.completed.metric);
    await other.metrics(); // prom-client strips _total from the shared counter object here
    assert.equal((metrics.tasks.completed.metric as unknown as { name: string }).name, 'grey_tasks_completed');
    assert.match(await metrics.scrape('text'), completed);
    assert.match(await metrics.registry.metrics(), /^grey_tasks_completed_total\{/m);
  });

  it('reads through getMetricsAsJSON and getSingleMetricAsString without changing a scrape', async () => {
    const metrics = createMetrics(testConfig({ prometheus: { default_metrics: false } }), silentLogger());
    metrics.tasks.completed.inc({ type: 'batch' });
    const before = await metrics.scrape('text');
    await metrics.registry.getMetricsAsJSON();
    await metrics.registry.getSingleMetricAsString('grey_tasks_completed_total');
    await metrics.registry.metrics();
    assert.equal(await metrics.scrape('text'), before);
  });
});

describe('negotiateFormat', () => {
  const cases: Array<[string | undefined, 'text' | 'openmetrics']> = [
    [undefined, 'text'],
    ['', 'text'],
    ['*/*', 'text'],
    ['text/plain', 'text'],
    ['text/plain;version=0.0.4', 'text'],
    ['application/openmetrics-text', 'openmetrics'],
    ['application/openmetrics-text; version=1.0.0; charset=utf-8', 'openmetrics'],
    // What Prometheus 2.42 sends
    [
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      'openmetrics',
    ],
    ['text/plain;version=0.0.4,application/openmetrics-text;q=0.5', 'text'],
    ['application/openmetrics-text;version=2.0.0', 'text'],
    ['application/openmetrics-text;q=0', 'text'],
    ['application/json', 'text'],
    ['text/*', 'text'],
    ['APPLICATION/OPENMETRICS-TEXT;VERSION=1.0.0', 'openmetrics'],
    // Equal quality: the client's order decides.
    ['application/openmetrics-text, text/plain', 'openmetrics'],
    ['text/plain, application/openmetrics-text', 'text'],
    ['application/openmetrics-text;version=0.0.1;q=0.9, text/plain;q=0.8', 'openmetrics'],
  ];
  for (const [accept, expected] of cases) {
    it(`answers ${expected} to Accept: ${accept ?? '(none)'}`, () => {
      assert.equal(negotiateFormat(accept), expected);
    });
  }
});
