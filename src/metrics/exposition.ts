import Negotiator from 'negotiator';
import { Registry, type Metric } from 'prom-client';
import { RenderProgress } from './render-progress.js';

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

// The labels given to each registry's setDefaultLabels() (prom-client keeps them private).
const defaultLabelsOf = new WeakMap<Registry, Readonly<Record<string, string | number>>>();

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

  /**
   * Labels added to every series of this registry, as prom-client does (a series' own label of the
   * same name wins): in both formats of the endpoint, in `metrics()` and `getMetricsAsJSON()`.
   */
  override setDefaultLabels(labels: object): void {
    super.setDefaultLabels(labels);
    defaultLabelsOf.set(this, { ...(labels as Record<string, string | number>) });
  }

  /** Unregisters every metric and drops the default labels (see prom-client's `Registry.clear`). */
  override clear(): void {
    super.clear();
    defaultLabelsOf.delete(this);
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
 * from one registry whatever else reads it, and adds the registry's default labels to every
 * series. Every metric's collection starts at once, in registration order; `progress` follows
 * them (see {@link RenderProgress}): once abandoned, the snapshots are dropped and the promise
 * resolves to an empty string when the last collection ends. Rejects with the first collection
 * that fails.
 */
export function serializeRegistry(
  registry: Registry,
  format: ExpositionFormat,
  progress: RenderProgress = new RenderProgress(),
): Promise<string> {
  const metrics = registry.getMetricsAsArray() as unknown as CollectableMetric[];
  const defaults = defaultLabelsOf.get(registry);
  return new Promise<string>((resolve, reject) => {
    let snapshots: Array<MetricSnapshot | undefined> = new Array<MetricSnapshot | undefined>(metrics.length);
    let remaining = metrics.length;
    let failed = false;
    progress.onAbandon(() => {
      snapshots = [];
    });
    const done = (): void => {
      if (--remaining > 0 || failed) return;
      if (progress.abandoned) resolve('');
      else resolve(serializeSnapshots(snapshots as MetricSnapshot[], format, defaults));
    };
    const fail = (error: unknown): void => {
      remaining--;
      if (failed) return;
      failed = true;
      snapshots = [];
      reject(error);
    };
    metrics.forEach((metric, index) => {
      const registered = registeredNames.get(metric);
      const name = registered ?? (metric as unknown as { name?: string }).name ?? `#${index}`;
      progress.begin(name);
      let collecting: Promise<MetricSnapshot>;
      try {
        collecting = Promise.resolve(
          typeof metric.getForPromString === 'function' ? metric.getForPromString() : metric.get(),
        );
      } catch (error) {
        collecting = Promise.reject(error);
      }
      collecting.then(
        (snapshot) => {
          progress.end(name);
          if (!failed && !progress.abandoned) {
            snapshots[index] =
              registered === undefined || registered === snapshot.name ? snapshot : { ...snapshot, name: registered };
          }
          done();
        },
        (error: unknown) => {
          progress.end(name);
          fail(error);
        },
      );
    });
    progress.allBegun();
    if (metrics.length === 0) resolve(serializeSnapshots([], format, defaults));
  });
}

/**
 * Writes metric snapshots (as returned by prom-client's `get()`) in `format`, with `defaultLabels`
 * on every series (after its own labels; a series' own label of the same name wins).
 */
function serializeSnapshots(
  snapshots: readonly MetricSnapshot[],
  format: ExpositionFormat,
  defaultLabels?: Readonly<Record<string, string | number>>,
): string {
  const openMetrics = format === 'openmetrics';
  const defaults = defaultLabels !== undefined && Object.keys(defaultLabels).length > 0 ? defaultLabels : undefined;
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
      let line = `${name}${formatLabels(sample.sharedLabels, sample.labels, defaults)} ${formatNumber(sample.value)}`;
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

/** The `{...}` of a sample: each set's labels in turn, a name already written by an earlier set skipped. */
function formatLabels(
  first: Readonly<Record<string, string | number>> | undefined,
  second: Readonly<Record<string, string | number>> | undefined,
  third?: Readonly<Record<string, string | number>>,
): string {
  let body = '';
  const has = (set: Readonly<Record<string, string | number>> | undefined, name: string): boolean =>
    set !== undefined && Object.prototype.hasOwnProperty.call(set, name) && set[name] !== undefined;
  for (const set of [first, second, third]) {
    if (set === undefined) continue;
    for (const name of Object.keys(set)) {
      if (set !== first && has(first, name)) continue;
      if (set === third && has(second, name)) continue;
      const value = set[name];
      if (value === undefined) continue;
      body += `${body === '' ? '' : ','}${name}="${escapeLabelValue(String(value))}"`;
    }
  }
  return body === '' ? '' : `{${body}}`;
}

/** Label values escape backslash, double quote and newline (both formats). */
function escapeLabelValue(value: string): string {
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
 * The media types the endpoint can answer, in the order it prefers them when the client has no
 * preference (`*\/*`): Prometheus text 0.0.4 first, then OpenMetrics 1.0.0 (and 0.0.1, which
 * clients still send and which the 1.0.0 text satisfies), each in UTF-8 (a client may name the charset).
 */
const MEDIA_TYPES = [
  'text/plain; version=0.0.4; charset=utf-8',
  'application/openmetrics-text; version=1.0.0; charset=utf-8',
  'application/openmetrics-text; version=0.0.1; charset=utf-8',
];

/**
 * The format to answer an `Accept` header with, by HTTP content negotiation (RFC 9110 12.5.1,
 * through `negotiator`): OpenMetrics when the client prefers `application/openmetrics-text`
 * (version 1.0.0, 0.0.1 or none), else Prometheus text 0.0.4 (also for no header, `*\/*`, other
 * versions and unknown types).
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (accept === undefined || accept === '') return 'text';
  const [preferred] = new Negotiator({ headers: { accept } }).mediaTypes(MEDIA_TYPES);
  return preferred?.startsWith('application/openmetrics-text') === true ? 'openmetrics' : 'text';
}
