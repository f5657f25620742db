import { Counter, type Registry } from 'prom-client';
import { EXPORT_FAILURE_REASONS, type ExportHealthCounts } from '../tracing/export-health.js';
import { SPAN_DROP_REASONS, SPANS_DROPPED, SPANS_EXPORTED, SPANS_FAILED, type MetricDefinition } from './catalog.js';

/** prom-client options of a catalog entry: name, help, labels and cluster aggregator from the catalog. */
function optionsOf(definition: MetricDefinition, registry: Registry) {
  return {
    name: definition.name,
    help: definition.help,
    labelNames: [...definition.labels],
    aggregator: definition.aggregator,
    registers: [registry],
  };
}

/**
 * Registers the span export self-metrics on `registry`, read from `counts` at each scrape (the
 * export path counts in plain numbers; prom-client is only touched when Prometheus asks, and a
 * counter read from a running total is reset and set to that total at each collection). Names,
 * help texts and labels are the catalog entries `SPANS_EXPORTED`, `SPANS_FAILED` and
 * `SPANS_DROPPED` (`registeredBy: 'tracing'`, so `createMetrics()` leaves them to this function).
 * Every reason is exposed from the start, at 0, so that an alert such as
 * `rate(grey_observability_spans_failed_total[5m]) > 0` has a series to work on before the first
 * loss. The reasons: see `ExportFailureReason` (failed) and `DropReason` (dropped).
 */
export function registerSpanExportMetrics(registry: Registry, counts: () => ExportHealthCounts): void {
  const read = (): ExportHealthCounts | undefined => {
    try {
      return counts();
    } catch {
      return undefined; // A scrape never fails because of the tracing part.
    }
  };
  new Counter({
    ...optionsOf(SPANS_EXPORTED, registry),
    collect() {
      const now = read();
      this.reset();
      this.inc(now?.exported ?? 0);
    },
  });
  new Counter({
    ...optionsOf(SPANS_FAILED, registry),
    collect() {
      const now = read();
      this.reset();
      for (const reason of EXPORT_FAILURE_REASONS) this.inc({ reason }, now?.export_failed_by_reason[reason] ?? 0);
    },
  });
  new Counter({
    ...optionsOf(SPANS_DROPPED, registry),
    collect() {
      const now = read();
      this.reset();
      for (const reason of SPAN_DROP_REASONS) this.inc({ reason }, now?.[reason] ?? 0);
    },
  });
}
