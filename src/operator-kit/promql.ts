import type { MetricDefinition } from '../metrics/catalog.js';
import { METRIC_CATALOG } from '../metric-catalog.js';

/**
 * PromQL selectors checked against the metric catalog: every dashboard panel and every rule names
 * its metrics through {@link selector}, so a metric renamed or removed from `METRIC_CATALOG`, a
 * label that is not declared, or a `_bucket` asked of a non-histogram fails generation (and the
 * tests) instead of leaving a panel or an alert that silently shows nothing.
 */

/** Series suffixes a selector may ask for, by metric type. */
type SeriesSuffix = '' | '_bucket' | '_sum' | '_count';

const SUFFIXES_BY_TYPE: Record<MetricDefinition['type'], readonly SeriesSuffix[]> = {
  counter: [''],
  gauge: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

/** Where the selector is used: dashboards add the `$job` and `$tenant` template variables. */
type SelectorScope = 'dashboard' | 'rule';

/** Options of {@link selector}. */
export interface SelectorOptions {
  /** Series of the metric to select (histograms: `_bucket`, `_sum`, `_count`). Default: the metric itself. */
  suffix?: SeriesSuffix;
  /** Exact-match label values, e.g. `{ status: 'active' }`; each label must be declared by the metric. */
  match?: Readonly<Record<string, string>>;
  /** Default `rule`: no template variables. */
  scope?: SelectorScope;
}

/** The catalog entry named `name`; throws when the catalog has none. */
function catalogMetric(name: string): MetricDefinition {
  const definition = METRIC_CATALOG.find((entry) => entry.name === name);
  if (definition === undefined) throw new Error(`monitoring: metric ${name} is not in METRIC_CATALOG`);
  return definition;
}

/**
 * A series selector for catalog metric `name`, e.g.
 * `grey_tasks_failed_total{job=~"$job",tenant=~"$tenant"}` in dashboard scope.
 */
export function selector(name: string, options: SelectorOptions = {}): string {
  const definition = catalogMetric(name);
  const suffix = options.suffix ?? (definition.type === 'histogram' ? undefined : '');
  if (suffix === undefined || !SUFFIXES_BY_TYPE[definition.type].includes(suffix)) {
    throw new Error(`monitoring: ${definition.type} ${name} has no series ${name}${suffix ?? ''}`);
  }
  const matchers: string[] = [];
  if (options.scope === 'dashboard') {
    matchers.push('job=~"$job"');
    if (definition.tenantAware) matchers.push('tenant=~"$tenant"');
  }
  for (const [label, value] of Object.entries(options.match ?? {})) {
    if (!definition.labels.includes(label)) {
      throw new Error(`monitoring: ${name} has no label ${label} (labels: ${definition.labels.join(', ') || 'none'})`);
    }
    matchers.push(`${label}=${JSON.stringify(value)}`);
  }
  return `${name}${suffix}${matchers.length === 0 ? '' : `{${matchers.join(',')}}`}`;
}

/**
 * Checks that every label of `by` is declared by catalog metric `name` (or is `job`, `instance`,
 * `le` of a histogram or `quantile` of a summary) and returns the `by (...)` clause.
 */
export function by(name: string, labels: readonly string[]): string {
  const definition = catalogMetric(name);
  const typeLabels = definition.type === 'histogram' ? ['le'] : definition.type === 'summary' ? ['quantile'] : [];
  const known = new Set([...definition.labels, 'job', 'instance', ...typeLabels]);
  for (const label of labels) {
    if (!known.has(label)) throw new Error(`monitoring: ${name} has no label ${label} to aggregate by`);
  }
  return `by (${labels.join(', ')})`;
}
