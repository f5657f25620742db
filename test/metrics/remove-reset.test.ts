import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.js';
import type { MetricDefinition } from '../../src/metrics/catalog.js';
import type { MetricHelper } from '../../src/metrics/instruments.js';
import type { LabelRecord } from '../../src/tenancy/tenant-labels.js';
import { testConfig } from '../support/config.js';
import { silentLogger } from './support/logger.js';

type AnyHelper = MetricHelper & {
  inc?(labels: LabelRecord, value?: number): void;
  set?(labels: LabelRecord, value: number): void;
  observe?(labels: LabelRecord, value: number): void;
  remove(labels?: LabelRecord): void;
  reset(): void;
};

function helperOf(metrics: Metrics, definition: MetricDefinition): AnyHelper {
  const [section, member] = (definition.helper as string).split('.') as [string, string];
  return (metrics as unknown as Record<string, Record<string, AnyHelper>>)[section]![member]!;
}

/** Labels for one series of `definition`: every label set, the tenant explicit. */
function labelsOf(definition: MetricDefinition): LabelRecord {
  const values: Record<string, string> = { tenant: 'acme', outcome: 'completed', result: 'success' };
  return Object.fromEntries(definition.labels.map((name) => [name, values[name] ?? `${name}-1`]));
}

function record(helper: AnyHelper, definition: MetricDefinition, labels: LabelRecord): void {
  if (definition.type === 'counter') helper.inc!(labels, 3);
  else if (definition.type === 'gauge') helper.set!(labels, 3);
  else helper.observe!(labels, 3);
}

/** True when `name` has a sample whose labels (without le/quantile) are exactly `labels`, in the JSON and the text. */
async function present(metrics: Metrics, name: string, labels: LabelRecord): Promise<{ json: boolean; text: boolean }> {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  const json = (await metrics.registry.getMetricsAsJSON())
    .find((m) => m.name === name)
    ?.values.some((v) => {
      const { le: _le, quantile: _q, ...own } = v.labels as Record<string, string | number>;
      return JSON.stringify(Object.entries(own).sort()) === wanted;
    });
  const text = (await metrics.scrape('text')).split('\n').some((line) => {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*?)(?:_bucket|_sum|_count)?(?:\{(.*)\})? /.exec(line);
    if (match?.[1] !== name) return false;
    const own = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="([^"]*)"/g)]
        .filter(([, key]) => key !== 'le' && key !== 'quantile')
        .map(([, key, value]) => [key, value]),
    );
    return JSON.stringify(Object.entries(own).sort()) === wanted;
  });
  return { json: json === true, text };
}

describe('remove() and reset()', () => {
  const catalog = createMetrics(testConfig(), silentLogger()).catalog.filter((d) => d.helper !== undefined);

  for (const definition of catalog) {
    it(`stick for ${definition.name}, through the helper and through its metric`, async () => {
      const metrics = createMetrics(testConfig(), silentLogger());
      const helper = helperOf(metrics, definition);
      const labels = labelsOf(definition);
      record(helper, definition, labels);
      assert.deepEqual(await present(metrics, definition.name, labels), { json: true, text: true });
      helper.remove(labels);
      assert.deepEqual(await present(metrics, definition.name, labels), { json: false, text: false }, 'helper.remove');
      record(helper, definition, labels);
      helper.metric.remove(labels);
      assert.deepEqual(await present(metrics, definition.name, labels), { json: false, text: false }, 'metric.remove');
      // A metric without labels other than a gauge restarts at 0 on reset(), as in prom-client.
      const restartsAtZero = definition.labels.length === 0 && definition.type !== 'gauge';
      const afterReset = { json: restartsAtZero, text: restartsAtZero };
      record(helper, definition, labels);
      helper.reset();
      assert.deepEqual(await present(metrics, definition.name, labels), afterReset, 'helper.reset');
      record(helper, definition, labels);
      helper.metric.reset();
      assert.deepEqual(await present(metrics, definition.name, labels), afterReset, 'metric.reset');
      if (restartsAtZero) assert.match(await metrics.scrape('text'), new RegExp(`^${definition.name}_count 0$`, 'm'));
      record(helper, definition, labels);
      assert.deepEqual(await present(metrics, definition.name, labels), { json: true, text: true }, 'recorded again');
    });
  }

  for (const kind of ['counter', 'gauge'] as const) {
    it(`drop the pending sums of a ${kind} series (what @Task records), which never come back`, async () => {
      const metrics = createMetrics(testConfig(), silentLogger());
      const helper = kind === 'counter' ? metrics.tasks.completed : metrics.tasks.running;
      const name = kind === 'counter' ? 'grey_tasks_completed_total' : 'grey_tasks_running';
      helper.inc({ type: 'batch', tenant: 'acme' }, 0); // admits acme: its labels are now stable
      const stable = helper.stableLabels({ type: 'batch', tenant: 'acme' })!;
      const pending = helper.pendingSeries(stable)!;
      for (let i = 0; i < 3; i++) pending.add(1);
      helper.metric.remove({ type: 'batch', tenant: 'acme' });
      assert.deepEqual(await present(metrics, name, stable), { json: false, text: false });
      assert.deepEqual(await present(metrics, name, stable), { json: false, text: false }, 'a later read');
      pending.add(1);
      assert.match(await metrics.scrape('text'), new RegExp(`^${name}\\{[^}]*\\} 1$`, 'm'));
      pending.add(2);
      helper.reset();
      assert.deepEqual(await present(metrics, name, stable), { json: false, text: false }, 'reset');
    });
  }

  it('take positional label values like prom-client, and name the series by its baggage-free tenant', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    metrics.tasks.failed.inc({ type: 'batch', tenant: 'acme' }, 2);
    metrics.tasks.failed.inc({ type: 'batch' }, 5);
    (metrics.tasks.failed.metric.remove as (...values: string[]) => void)('acme', 'batch');
    metrics.tasks.failed.remove({ type: 'batch' }); // no tenant, no baggage: __none__
    const text = await metrics.scrape('text');
    assert.doesNotMatch(text, /^grey_tasks_failed_total\{/m);
  });

  it('never throw: a remove with a label the metric does not have is counted as rejected', async () => {
    const metrics = createMetrics(testConfig(), silentLogger());
    assert.doesNotThrow(() => metrics.tasks.failed.remove({ type: 'x', region: 'eu' } as never));
    assert.match(
      await metrics.scrape('text'),
      /^grey_observability_metric_errors_total\{metric="grey_tasks_failed_total"\} 1$/m,
    );
  });
});
