/**
 * Stable warning codes of @grey/observability: the `OBS_WARN_*` codes of the run-time warnings,
 * written by the one warnings channel (warnings.ts), never thrown. A code is never reused once
 * retired; docs/errors.md lists every code beside the error codes (errors.ts).
 */
export const WarningCodes = {
  OBS_WARN_CONFIG_ENV_IGNORED:
    'A standard OTEL_* environment variable holds a value that cannot be used; it was ignored and the key kept its value from the config file or the default (OpenTelemetry SDK environment variables).',
  OBS_WARN_TENANT_OVERFLOW: 'A metric reached its tenant budget; new tenants are folded into an overflow label.',
  OBS_WARN_EXPORT_FAILED: 'Spans could not be exported; they were dropped and counted.',
  OBS_WARN_SPANS_DROPPED: 'Spans were dropped because a buffer or queue was full.',
  OBS_WARN_LATE_IMPORT: 'A module was loaded before the instrumentation that should patch it was registered.',
  OBS_WARN_SHUTDOWN_TIMEOUT: 'shutdown() did not finish within shutdown_timeout_ms; what was left was abandoned.',
  OBS_WARN_HOOK_FAILED: 'A user hook or attribute function threw; the instrumented call was not affected.',
  OBS_WARN_METRIC_REJECTED:
    'A measurement was rejected by its metric (unknown label, negative counter increment, not a number); it was counted and dropped.',
  OBS_WARN_SCRAPE_FAILED: 'Collecting the metrics for a scrape failed; the scraper got HTTP 500.',
  OBS_WARN_SCRAPE_TIMEOUT:
    'A metric was still collecting when the scrape reached prometheus.scrape_timeout_ms; the scraper got HTTP 503 and the next scrape renders afresh.',
  OBS_WARN_INSTRUMENTATION_FAILED:
    'Recording the telemetry of a decorated call failed; the call itself was not affected.',
  OBS_WARN_LOG_WRITE_FAILED: 'Log lines could not be written to logging.destination; they were dropped.',
  OBS_WARN_ALREADY_INITIALIZED:
    'initObservability() was called with options after --import @grey/observability/register started observability; the live handle was returned and the options were not applied.',
  OBS_WARN_PRETTY_UNAVAILABLE:
    'logging.pretty is true but pino-pretty is not installed; JSON lines are written instead.',
  OBS_WARN_BAGGAGE_TENANT_DROPPED:
    'The tenant id could not be sent in the baggage header (over the W3C limit of 4,096 bytes per member once percent-encoded, or not encodable); downstream services did not get it. Counted in grey_observability_baggage_tenant_dropped_total.',
  OBS_WARN_SPANS_REJECTED:
    'The collector accepted an export but rejected some of its spans, or sent a warning (OTLP partial success); rejected spans were counted as failed with reason "rejected".',
} as const;

/** One of the stable `OBS_WARN_*` codes in {@link WarningCodes}. */
export type WarningCode = keyof typeof WarningCodes;
