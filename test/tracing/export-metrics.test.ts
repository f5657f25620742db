import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { initObservability, type ObservabilityHandle } from '../../src/init.js';
import { METRIC_CATALOG } from '../../src/metric-catalog.js';
import type { MetricDefinition } from '../../src/metrics/catalog.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { EXPORT_FAILURE_REASONS, zeroHealth } from '../../src/tracing/export-health.js';
import { registerSpanExportMetrics, SPAN_EXPORT_METRICS } from '../../src/tracing/export-metrics.js';
import { testConfig } from '../support/config.js';
import { startHttpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { silentLogger } from '../metrics/support/logger.js';

/** One metric family of a text (0.0.4) or OpenMetrics exposition. */
interface Family {
  help: string | undefined;
  type: string | undefined;
  /** Sorted label names of each sample (every sample of the family, suffixes included). */
  labelSets: string[][];
  /** Values of each label over all samples. */
  values: Map<string, Set<string>>;
}

/**
 * The family `name` of `text`. In OpenMetrics a counter family is named without `_total` in its
 * HELP and TYPE lines, and its samples keep it.
 */
function family(text: string, name: string, openMetrics: boolean): Family {
  const familyName = openMetrics ? name.replace(/_total$/, '') : name;
  const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const help = new RegExp(`^# HELP ${escaped(familyName)} (.*)$`, 'm').exec(text)?.[1];
  const type = new RegExp(`^# TYPE ${escaped(familyName)} (\\S+)$`, 'm').exec(text)?.[1];
  const labelSets: string[][] = [];
  const values = new Map<string, Set<string>>();
  for (const [, labels = ''] of text.matchAll(new RegExp(`^${escaped(name)}(?:\\{([^}]*)\\})? `, 'gm'))) {
    const pairs = [...labels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key!, value!] as const);
    labelSets.push(pairs.map(([key]) => key).sort());
    for (const [key, value] of pairs) {
      if (!values.has(key)) values.set(key, new Set());
      values.get(key)!.add(value);
    }
  }
  return { help, type, labelSets, values };
}

/** The package's own metrics: what these tests compare with a running service. */
const SELF_METRICS = METRIC_CATALOG.filter((d) => d.group === 'observability');
const BY_TRACING = METRIC_CATALOG.filter((d) => SPAN_EXPORT_METRICS.includes(d));

function assertMatchesCatalog(text: string, definition: MetricDefinition, openMetrics: boolean): void {
  const exposed = family(text, definition.name, openMetrics);
  const where = `${definition.name} (${openMetrics ? 'OpenMetrics' : 'text'})`;
  assert.equal(exposed.help, definition.help, `${where}: HELP`);
  assert.equal(exposed.type, definition.type, `${where}: TYPE`);
  assert.ok(exposed.labelSets.length >= 1, `${where}: no sample`);
  for (const labels of exposed.labelSets) assert.deepEqual(labels, [...definition.labels].sort(), `${where}: labels`);
  for (const [label, values] of Object.entries(definition.labelValues ?? {}))
    assert.deepEqual([...(exposed.values.get(label) ?? [])].sort(), [...values].sort(), `${where}: ${label} values`);
}

describe('span export self-metrics and the catalog', () => {
  let receiver: OtlpReceiver;
  let handle: ObservabilityHandle;
  let text: string;
  let openMetrics: string;

  before(async () => {
    receiver = await startHttpReceiver();
    handle = await initObservability({
      env: {},
      overrides: {
        service: { name: 'self-metrics-fixture' },
        prometheus: { host: '127.0.0.1', port: 0, default_metrics: false },
        logging: { level: 'silent' },
        // A budget of one tenant, so that a second tenant overflows.
        tenancy: { max_tenants_per_metric: 1 },
        opentelemetry: {
          exporter: { protocol: 'http/protobuf', endpoint: receiver.url, timeout_ms: 1000 },
          batch: { scheduled_delay_ms: 10 },
          sampling: { strategy: 'always_on' },
        } as never,
      },
    });
    // Every self-metric gets a sample: an overflowing tenant, a rejected measurement, a span exported.
    handle.metrics.tasks.submitted.inc({ tenant: 'first', type: 'stateless' });
    handle.metrics.tasks.submitted.inc({ tenant: 'second', type: 'stateless' });
    handle.metrics.tasks.submitted.inc({ tenant: 'first', type: 'stateless' }, -1);
    handle.tracer.startSpan('self-metrics').end();
    await receiver.waitForSpans(1, 5000);
    for (let i = 0; i < 200 && handle.health().spans.exported === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const url = handle.metricsServer!.url;
    text = await (await fetch(url, { headers: { accept: 'text/plain; version=0.0.4' } })).text();
    openMetrics = await (
      await fetch(url, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } })
    ).text();
  });

  after(async () => {
    await handle?.shutdown();
    await receiver?.close();
  });

  it('are catalog entries registered by tracing, with every reason of export-health.ts', () => {
    assert.deepEqual(
      BY_TRACING.map((d) => d.name),
      [
        'grey_observability_spans_exported_total',
        'grey_observability_spans_failed_total',
        'grey_observability_spans_dropped_total',
      ],
    );
    const reasons = (name: string) => METRIC_CATALOG.find((d) => d.name === name)?.labelValues?.reason;
    assert.deepEqual(reasons('grey_observability_spans_failed_total'), EXPORT_FAILURE_REASONS);
    // The DropReason values other than export_failed (which is the failed counter).
    const drops = Object.keys(zeroHealth().spans.dropped);
    assert.deepEqual([...(reasons('grey_observability_spans_dropped_total') ?? [])].sort(), drops.sort());
  });

  it('are exposed by a running service with the catalog name, type, labels, label values and HELP text', () => {
    assert.ok(handle.health().spans.exported >= 1, 'a span was exported');
    assert.match(text, /^grey_observability_spans_exported_total [1-9]\d*$/m);
    for (const definition of BY_TRACING) {
      assertMatchesCatalog(text, definition, false);
      assertMatchesCatalog(openMetrics, definition, true);
    }
  });

  it('leave no self-metric of the catalog unexposed or different (tenant guard and rejected measurements too)', () => {
    assert.match(text, /^grey_observability_tenant_overflow_total\{[^}]*\} 1$/m);
    assert.match(text, /^grey_observability_metric_errors_total\{metric="grey_tasks_submitted_total"\} 1$/m);
    for (const definition of SELF_METRICS) {
      assertMatchesCatalog(text, definition, false);
      assertMatchesCatalog(openMetrics, definition, true);
    }
  });

  it('are left to registerSpanExportMetrics by createMetrics, which registers them without a clash', () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    for (const definition of BY_TRACING)
      assert.equal(metrics.registry.getSingleMetric(definition.name), undefined, definition.name);
    assert.doesNotThrow(() => registerSpanExportMetrics(metrics.registry, zeroHealth));
    for (const definition of BY_TRACING) assert.ok(metrics.registry.getSingleMetric(definition.name), definition.name);
  });

  it('expose 0 for every reason when the counts cannot be read (a scrape never fails for tracing)', async () => {
    const registry = new Registry();
    registerSpanExportMetrics(registry, () => {
      throw new Error('tracing is gone');
    });
    const exposition = await registry.metrics();
    for (const reason of EXPORT_FAILURE_REASONS)
      assert.match(exposition, new RegExp(`^grey_observability_spans_failed_total\\{reason="${reason}"\\} 0$`, 'm'));
    assert.match(exposition, /^grey_observability_spans_exported_total 0$/m);
  });
});
