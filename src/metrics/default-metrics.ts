import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * prom-client default metrics that are gauges named `*_total`, which `promtool check metrics`
 * flags. Each is the sum over its `type` label of a metric that stays (`nodejs_active_handles`,
 * `nodejs_active_requests`, `nodejs_active_resources`), so nothing is lost: use
 * `sum(nodejs_active_handles)` instead of `nodejs_active_handles_total`.
 */
const DROPPED_DEFAULT_METRICS: readonly string[] = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** Registers prom-client's Node.js process metrics on `registry`, minus {@link DROPPED_DEFAULT_METRICS}. */
export function registerDefaultMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of DROPPED_DEFAULT_METRICS) registry.removeSingleMetric(name);
}
