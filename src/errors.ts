/**
 * Stable error and warning codes of @grey/observability.
 *
 * A code is never reused once retired; docs/errors.md lists every code and a test keeps the two in
 * step. `OBS_ERR_*` codes are thrown at start-up (as {@link ObservabilityError}); `OBS_WARN_*`
 * codes are only ever logged, because run-time telemetry failures never throw into the service.
 */
export const ErrorCodes = {
  // config
  OBS_ERR_CONFIG_FILE_NOT_FOUND:
    'The config file named by the configFile option (the CLI file argument) or GREY_OBSERVABILITY_CONFIG does not exist.',
  OBS_ERR_CONFIG_READ: 'The config file exists but could not be read.',
  OBS_ERR_CONFIG_PARSE: 'The config file is not valid YAML or JSON.',
  OBS_ERR_CONFIG_UNKNOWN_KEY: 'The config names a key that the schema does not have.',
  OBS_ERR_CONFIG_INVALID: 'A config value has the wrong type or is out of range.',
  OBS_ERR_CONFIG_ENV_UNSET: 'A ${VAR} reference names an environment variable that is unset and has no default.',
  OBS_ERR_CONFIG_ENV_INVALID: 'An environment variable holds a value that cannot be used for its key.',
  // lifecycle
  OBS_ERR_ALREADY_INITIALIZED: 'initObservability() was called while an earlier handle is still live.',
  OBS_ERR_INIT_FAILED: 'A part failed to start; everything started before it was stopped again.',
  // metrics
  OBS_ERR_PORT_IN_USE: 'The Prometheus endpoint port is already bound by another process or server.',
  OBS_ERR_METRICS_SERVER: 'The Prometheus endpoint could not listen (bad host, permission denied).',
  OBS_ERR_METRIC_INVALID: 'A custom metric definition is invalid (name, labels, buckets).',
  OBS_ERR_METRIC_CONFLICT:
    'A custom metric name is taken by a metric the package did not define (Node.js default metrics, self-metrics).',
  OBS_ERR_METRIC_REDEFINED:
    'A metric name is registered again with a different definition (type, help, labels, buckets, percentiles, window, exemplars or aggregator).',
  // logging
  OBS_ERR_LOG_DESTINATION: 'logging.destination names a file that cannot be created or opened for appending.',
  // tracing
  OBS_ERR_TRACING_START: 'The OpenTelemetry SDK could not be started.',
  // decorators
  OBS_ERR_DECORATOR_TARGET: 'A decorator was applied to something other than a method.',
  OBS_ERR_DECORATOR_OPTIONS:
    'A decorator option is invalid (empty task type, unknown option, option of the wrong kind, unknown argument name in skip or fields).',
  // warnings: logged once (then rate-limited), never thrown
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
} as const;

/** One of the stable codes in {@link ErrorCodes}. */
export type ErrorCode = keyof typeof ErrorCodes;

/** Details carried by an {@link ObservabilityError}; every field is optional. */
export interface ObservabilityErrorDetails {
  /** Config file the error was found in, if any. */
  file?: string;
  /** Dotted key path, e.g. `opentelemetry.sampling.ratio`. */
  key?: string;
  /** The offending value, already redacted when it is a secret. */
  value?: unknown;
  /** What was expected instead, in plain words. */
  expected?: string;
  /** Underlying error. */
  cause?: unknown;
  /**
   * Further problems of the same input found in the same pass (e.g. every invalid value of one
   * config file), each with its own key, value and expectation; listed after the first.
   */
  others?: readonly ObservabilityProblem[];
}

/** One more problem carried by an {@link ObservabilityError} (see `others`). */
export interface ObservabilityProblem {
  /** The problem in one line, e.g. `invalid value for prometheus.path`. */
  message: string;
  key?: string;
  value?: unknown;
  expected?: string;
}

/**
 * The one error type this package throws. `code` is stable and listed in docs/errors.md; the message
 * names the file, the key path, the (redacted) value and what was expected, in that order.
 */
export class ObservabilityError extends Error {
  readonly code: ErrorCode;
  /** The problem in one line, without the code and the detail lines of `message`. */
  readonly summary: string;
  readonly file?: string;
  readonly key?: string;
  readonly value?: unknown;
  readonly expected?: string;
  /** Further problems found in the same pass (empty when there is one). */
  readonly others: readonly ObservabilityProblem[];

  constructor(code: ErrorCode, message: string, details: ObservabilityErrorDetails = {}) {
    super(formatMessage(code, message, details), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ObservabilityError';
    this.code = code;
    this.summary = message;
    this.file = details.file;
    this.key = details.key;
    this.value = details.value;
    this.expected = details.expected;
    this.others = details.others ?? [];
  }
}

function formatMessage(code: ErrorCode, message: string, d: ObservabilityErrorDetails): string {
  const parts = [`${code}: ${message}`];
  if (d.file !== undefined) parts.push(`file: ${d.file}`);
  if (d.key !== undefined) parts.push(`key: ${d.key}`);
  if (d.value !== undefined) parts.push(`value: ${describeValue(d.value)}`);
  if (d.expected !== undefined) parts.push(`expected: ${d.expected}`);
  const others = d.others ?? [];
  if (others.length > 0) parts.push(`and ${others.length} more problem${others.length === 1 ? '' : 's'}:`);
  for (const other of others) {
    const detail = [
      other.value === undefined ? undefined : `value ${describeValue(other.value)}`,
      other.expected === undefined ? undefined : `expected ${other.expected}`,
    ].filter((part) => part !== undefined);
    parts.push(`- ${other.message}${detail.length > 0 ? ` (${detail.join('; ')})` : ''}`);
  }
  return parts.join('\n  ');
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}

/** True when `err` is an {@link ObservabilityError}, optionally with the given code. */
export function isObservabilityError(err: unknown, code?: ErrorCode): err is ObservabilityError {
  return err instanceof ObservabilityError && (code === undefined || err.code === code);
}
