import { Registry, type Metric } from 'prom-client';

/** The two exposition formats the endpoint speaks. */
export type ExpositionFormat = 'text' | 'openmetrics';

/** Content-Type of each format. */
export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

interface SampleValue {
  value: number;
  labels?: Record<string, string | number>;
  sharedLabels?: Record<string, string | number>;
  metricName?: string;
  exemplar?: { labelSet: Record<string, string | number>; value: number; timestamp?: number } | null;
}

interface MetricSnapshot {
  name: string;
  help: string;
  type: string;
  values?: SampleValue[];
}

interface CollectableMetric {
  get(): Promise<MetricSnapshot> | MetricSnapshot;
  getForPromString?(): Promise<MetricSnapshot> | MetricSnapshot;
}

// The name each metric object was registered under. prom-client's `Registry.metrics()` on an
// OpenMetrics registry strips `_total` from a counter's `name` in place (client_js PR #829); any
// registry holding the same metric object can do it, so exposition never trusts `metric.name`.
const registeredNames = new WeakMap<object, string>();

/**
 * The package's registry. It is a prom-client `Registry` (register your own prom-client metrics on
 * it, pass it to `collectDefaultMetrics`, `Registry.merge`), typed OpenMetrics because prom-client
 * only admits exemplar-enabled histograms onto such a registry, with two differences that keep
 * the endpoint's output independent of what callers do with it: `metrics()` renders through
 * {@link serializeRegistry} (no metric is renamed), and the name a metric was registered under is
 * remembered, so that a rename by any other registry cannot change what the endpoint serves.
 */
export class ExpositionRegistry extends Registry {
  constructor() {
    super();
    // prom-client's typings bind a registry to the content type it was declared with.
    (this as unknown as { setContentType(type: string): void }).setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  }

  /** Registers `metric` under its current name (see prom-client's `Registry.registerMetric`). */
  override registerMetric<T extends string>(metric: Metric<T>): void {
    super.registerMetric(metric);
    registeredNames.set(metric, (metric as unknown as { name: string }).name);
  }

  /** The exposition in this registry's content type, without renaming any metric. */
  override metrics(): Promise<string> {
    return serializeRegistry(
      this,
      (this.contentType as string) === Registry.OPENMETRICS_CONTENT_TYPE ? 'openmetrics' : 'text',
    );
  }
}

/**
 * Writes every metric of `registry` in Prometheus text 0.0.4 or OpenMetrics 1.0.
 *
 * Reads the metric snapshots without changing them (prom-client's own `registry.metrics()` renames
 * counters in place when it writes OpenMetrics, and prints exemplars only when the whole registry
 * is typed OpenMetrics), names each metric as it was registered, so both formats can be served
 * from one registry whatever else reads it.
 */
export async function serializeRegistry(registry: Registry, format: ExpositionFormat): Promise<string> {
  const metrics = registry.getMetricsAsArray() as unknown as CollectableMetric[];
  const snapshots = await Promise.all(
    metrics.map(async (metric) => {
      const snapshot = await (typeof metric.getForPromString === 'function' ? metric.getForPromString() : metric.get());
      const name = registeredNames.get(metric);
      return name === undefined || name === snapshot.name ? snapshot : { ...snapshot, name };
    }),
  );
  return serializeSnapshots(snapshots, format);
}

/** Writes metric snapshots (as returned by prom-client's `get()`) in `format`. */
export function serializeSnapshots(snapshots: readonly MetricSnapshot[], format: ExpositionFormat): string {
  const openMetrics = format === 'openmetrics';
  const lines: string[] = [];
  for (const snapshot of snapshots) {
    const isCounter = snapshot.type === 'counter';
    // OpenMetrics names a counter family without _total and its sample with it.
    const family = openMetrics && isCounter ? snapshot.name.replace(/_total$/, '') : snapshot.name;
    const help = openMetrics ? escapeOpenMetricsHelp(snapshot.help) : escapeTextHelp(snapshot.help);
    if (openMetrics) {
      lines.push(`# TYPE ${family} ${snapshot.type}`, `# HELP ${family} ${help}`);
    } else {
      lines.push(`# HELP ${family} ${help}`, `# TYPE ${family} ${snapshot.type}`);
    }
    for (const sample of snapshot.values ?? []) {
      let name = sample.metricName ?? snapshot.name;
      if (openMetrics && isCounter && !name.endsWith('_total')) name = `${name}_total`;
      let line = `${name}${formatLabels(sample.sharedLabels, sample.labels)} ${formatNumber(sample.value)}`;
      const exemplar = sample.exemplar;
      if (openMetrics && exemplar && exemplar.labelSet && Object.keys(exemplar.labelSet).length > 0) {
        line += ` # ${formatLabels(exemplar.labelSet, undefined) || '{}'} ${formatNumber(exemplar.value)}`;
        if (exemplar.timestamp !== undefined) line += ` ${exemplar.timestamp}`;
      }
      lines.push(line);
    }
    if (!openMetrics) lines.push('');
  }
  if (openMetrics) lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

function formatLabels(
  first: Record<string, string | number> | undefined,
  second: Record<string, string | number> | undefined,
): string {
  let body = '';
  for (const set of [first, second]) {
    if (set === undefined) continue;
    for (const name of Object.keys(set)) {
      if (set === second && first !== undefined && Object.prototype.hasOwnProperty.call(first, name)) continue;
      const value = set[name];
      if (value === undefined) continue;
      body += `${body === '' ? '' : ','}${name}="${escapeLabelValue(String(value))}"`;
    }
  }
  return body === '' ? '' : `{${body}}`;
}

/** Label values escape backslash, double quote and newline (both formats). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeTextHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeOpenMetricsHelp(help: string): string {
  return escapeLabelValue(help);
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/**
 * The format to answer an `Accept` header with: OpenMetrics when the client lists
 * `application/openmetrics-text` (version 1.0.0, 0.0.1 or none) with a quality at least that of
 * any text match, else Prometheus text 0.0.4 (also for no header, `*\/*` and unknown types).
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (accept === undefined || accept === '') return 'text';
  let openMetricsQuality = 0;
  let textQuality = 0;
  for (const part of accept.split(',')) {
    const [rawType = '', ...rawParams] = part.split(';');
    const type = rawType.trim().toLowerCase();
    let quality = 1;
    let version: string | undefined;
    for (const param of rawParams) {
      const [key = '', value = ''] = param.split('=').map((s) => s.trim());
      if (key.toLowerCase() === 'q') quality = Number.isFinite(Number(value)) ? Number(value) : 0;
      else if (key.toLowerCase() === 'version') version = value;
    }
    if (
      type === 'application/openmetrics-text' &&
      (version === undefined || version === '1.0.0' || version === '0.0.1')
    ) {
      openMetricsQuality = Math.max(openMetricsQuality, quality);
    } else if (
      (type === 'text/plain' && (version === undefined || version === '0.0.4')) ||
      type === 'text/*' ||
      type === '*/*'
    ) {
      textQuality = Math.max(textQuality, quality);
    }
  }
  return openMetricsQuality > 0 && openMetricsQuality >= textQuality ? 'openmetrics' : 'text';
}
