import type { ObservabilityHealth } from '../../../src/tracing/export-health.js';

/** The counts of a health, flat: `export_failed` is every failed span whatever the reason. */
export interface HealthCounts {
  exported: number;
  export_failed: number;
  queue_full: number;
  capture_trace_evicted: number;
  capture_trace_full: number;
  export_failed_by_reason: ObservabilityHealth['spans']['failed'];
}

/** `health` flattened the way the OBS_WARN_SPANS_DROPPED summary line writes it. */
export function countsOf(health: ObservabilityHealth): HealthCounts {
  const { exported, failed, dropped } = health.spans;
  return {
    exported,
    export_failed: Object.values(failed).reduce((sum, count) => sum + count, 0),
    ...dropped,
    export_failed_by_reason: failed,
  };
}
