import { AggregatorRegistry, type PrometheusContentType } from 'prom-client';
import type { Logger } from 'pino';
import type { ObservabilityConfig } from '../config/types.js';
import type { Metrics } from './metrics.js';
import { serveExposition, type MetricsServer } from './server.js';

/**
 * In a node:cluster worker: hands this worker's registry to prom-client's AggregatorRegistry, so
 * the primary's cluster endpoint includes it. Call once after createMetrics(); the worker must not
 * start its own endpoint on the same port (set `prometheus.enabled: false` in workers, or skip
 * startMetricsServer()).
 */
export function shareMetricsWithClusterPrimary(metrics: Metrics): void {
  AggregatorRegistry.setRegistries([metrics.registry]);
  // The constructor installs prom-client's worker-side listener that answers the primary (idempotent).
  new AggregatorRegistry<PrometheusContentType>();
}

/** What a cluster rendering waits for, as a 503 past `prometheus.scrape_timeout_ms` names it. */
const CLUSTER_COLLECTION = 'the node:cluster workers (AggregatorRegistry.clusterMetrics)';

/**
 * In the node:cluster primary: serves one endpoint (same `prometheus.*` settings as
 * startMetricsServer()) whose every scrape asks all live workers for their metrics through
 * prom-client's AggregatorRegistry and answers the aggregate. Each metric is combined with its
 * catalog `aggregator` (counters and histograms summed, cluster-wide gauges by max, ratios
 * averaged). The answer is Prometheus text 0.0.4 (exemplars do not survive aggregation); a worker
 * that does not answer within prom-client's 5 s makes that scrape fail with HTTP 500.
 */
export function startClusterMetricsServer(config: ObservabilityConfig, logger: Logger): Promise<MetricsServer> {
  if (!config.prometheus.enabled) return Promise.resolve({ port: 0, url: '', close: async () => {} });
  const aggregator = new AggregatorRegistry<PrometheusContentType>();
  return serveExposition(config, logger, async (_format, progress) => {
    progress.begin(CLUSTER_COLLECTION);
    progress.allBegun();
    try {
      return { body: await aggregator.clusterMetrics(), format: 'text' };
    } finally {
      progress.end(CLUSTER_COLLECTION);
    }
  });
}
