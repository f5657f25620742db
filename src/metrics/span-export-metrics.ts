import { Counter, type Registry } from 'prom-client';
import { EXPORT_FAILURE_REASONS, type DropReason, type ExportHealthCounts } from '../tracing/export-health.js';

/** `grey_observability_spans_exported_total`: spans the collector acknowledged. */
export const SPANS_EXPORTED_METRIC = 'grey_observability_spans_exported_total';
/** `grey_observability_spans_failed_total{reason}`: spans lost because their export failed. */
export const SPANS_FAILED_METRIC = 'grey_observability_spans_failed_total';
/** `grey_observability_spans_dropped_total{reason}`: finished spans lost before any export. */
export const SPANS_DROPPED_METRIC = 'grey_observability_spans_dropped_total';

/** The `reason` values of {@link SPANS_DROPPED_METRIC}. */
const DROP_REASONS: ReadonlyArray<Exclude<DropReason, 'export_failed'>> = [
  'queue_full',
  'capture_trace_evicted',
  'capture_trace_full',
];

/**
 * Registers the span export self-metrics on `registry`, read from `counts` at each scrape (the
 * export path counts in plain numbers; prom-client is only touched when Prometheus asks, and a
 * counter read from a running total is reset and set to that total at each collection). Every
 * reason is exposed from the start, at 0, so that an alert such as
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
    name: SPANS_EXPORTED_METRIC,
    help: 'Spans the OTLP collector acknowledged.',
    registers: [registry],
    collect() {
      const now = read();
      this.reset();
      this.inc(now?.exported ?? 0);
    },
  });
  new Counter({
    name: SPANS_FAILED_METRIC,
    help: 'Spans lost because their OTLP export failed, by reason (timeout, unavailable, rejected, shutdown, other).',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      const now = read();
      this.reset();
      for (const reason of EXPORT_FAILURE_REASONS) this.inc({ reason }, now?.export_failed_by_reason[reason] ?? 0);
    },
  });
  new Counter({
    name: SPANS_DROPPED_METRIC,
    help: 'Finished spans dropped before export because a bounded buffer was full, by reason.',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      const now = read();
      this.reset();
      for (const reason of DROP_REASONS) this.inc({ reason }, now?.[reason] ?? 0);
    },
  });
}
