/**
 * Stable error codes of @grey/observability and the error that carries them.
 *
 * A code is never reused once retired; docs/errors.md lists every code and a test keeps the two in
 * step. `OBS_ERR_*` codes are thrown at start-up (as {@link ObservabilityError}); the `OBS_WARN_*`
 * codes are in warning-codes.ts: they are only ever logged, because run-time telemetry failures
 * never throw into the service.
 */
export const ErrorCodes = {
  // config
  OBS_ERR_CONFIG_FILE_NOT_FOUND:
    'The config file named by the configFile option (the CLI file argument) or GREY_OBSERVABILITY_CONFIG does not exist.',
  OBS_ERR_CONFIG_READ:
    'The config file exists but could not be read, or is not a regular file (a directory, FIFO, socket or device), or is larger than 8 MiB.',
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
  OBS_ERR_EXPORTER_TLS:
    'A TLS file of the exporter (certificate, client_key, client_certificate) is missing, unreadable, not a regular file or not the PEM it should be, or only one of client_key and client_certificate is set.',
  OBS_ERR_INSTRUMENTATION_MISSING:
    'An instrumentation is enabled (opentelemetry.instrumentations.<name>, OTEL_NODE_ENABLED_INSTRUMENTATIONS) but its npm package is not installed.',
  // decorators
  OBS_ERR_DECORATOR_TARGET: 'A decorator was applied to something other than a method.',
  OBS_ERR_DECORATOR_OPTIONS:
    'A decorator option is invalid (empty task type, unknown option, option of the wrong kind, unknown argument name in skip or fields).',
} as const;

/** One of the stable `OBS_ERR_*` codes in {@link ErrorCodes}. */
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
  /** Further problems found but not kept in `others` (see {@link ObservabilityError.omitted}). */
  omitted?: number;
}

/** One more problem carried by an {@link ObservabilityError} (see `others`). */
export interface ObservabilityProblem {
  /** The problem in one line, e.g. `invalid value for prometheus.path`. */
  message: string;
  key?: string;
  value?: unknown;
  expected?: string;
}

/** Characters of a value, key or name quoted into a message at most; longer ones are cut (with `…`). */
const MAX_QUOTED_CHARS = 200;

/**
 * Problems an error lists at most, its own included: the rest are counted ("and 12 more not
 * listed"). Identical problems are listed once. With every quoted part bounded, an error message
 * stays under ~16 KiB whatever the input (a value holding `${A}` 50,000 times, 10,000 unknown keys).
 */
export const MAX_LISTED_PROBLEMS = 20;

/** Characters of one line of a message at most (a long file path, an expectation listing keys). */
const MAX_LINE_CHARS = 650;

/**
 * The one error type this package throws. `code` is stable and listed in docs/errors.md; the message
 * names the file, the key path, the (redacted) value and what was expected, in that order.
 *
 * Its size is bounded whatever the input: values and keys are cut to `MAX_QUOTED_CHARS` (200)
 * characters (`value` and each problem's `value` hold the cut text when the original was longer),
 * identical problems are kept once, and at most `MAX_LISTED_PROBLEMS` are kept in all, the
 * number of the others in `omitted`.
 */
export class ObservabilityError extends Error {
  readonly code: ErrorCode;
  /** The problem in one line, without the code and the detail lines of `message`. */
  readonly summary: string;
  readonly file?: string;
  readonly key?: string;
  readonly value?: unknown;
  readonly expected?: string;
  /** Further problems found in the same pass (empty when there is one); distinct, and bounded. */
  readonly others: readonly ObservabilityProblem[];
  /** Distinct further problems found but not kept in `others` (0 when all are listed). */
  readonly omitted: number;

  constructor(code: ErrorCode, message: string, details: ObservabilityErrorDetails = {}) {
    const own = boundProblem({ message, key: details.key, value: details.value, expected: details.expected });
    const { kept, dropped } = distinctProblems(own, details.others ?? []);
    const omitted = dropped + (details.omitted ?? 0);
    const bounded = { ...details, ...own, others: kept, omitted };
    super(formatMessage(code, bounded), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ObservabilityError';
    this.code = code;
    this.summary = own.message;
    this.file = details.file;
    this.key = own.key;
    this.value = own.value;
    this.expected = own.expected;
    this.others = kept;
    this.omitted = omitted;
  }
}

/**
 * `text` as a JSON string of at most about {@link MAX_QUOTED_CHARS} characters: a longer one is cut
 * at a character boundary and says its length, e.g. `"xxxx…" (65537 characters)`.
 */
export function quoteText(text: string, max = MAX_QUOTED_CHARS): string {
  const whole = JSON.stringify(text);
  if (whole.length <= max + 2) return whole;
  return `${JSON.stringify(cutText(text, max)).slice(0, -1)}…" (${text.length} characters)`;
}

/** `text` cut to at most `max` characters of its JSON form (never inside a surrogate pair), or as is. */
function cutText(text: string, max: number): string {
  let cut = text.slice(0, max);
  // Escapes (control characters, quotes) make the JSON form longer than the text: cut more.
  while (cut.length > 0 && JSON.stringify(cut).length > max + 2) cut = cut.slice(0, Math.floor(cut.length * 0.8));
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** `text` cut to `max` characters with `…` when longer (a key, a variable name: shown without quotes). */
export function boundText(text: string, max = MAX_QUOTED_CHARS): string {
  return text.length <= max ? text : `${cutText(text, max)}…`;
}

/**
 * A value kept by an error: as given when short, else its text (a mapping or list: its JSON text)
 * cut with `…` and its length, e.g. `xxxx… (65537 characters)`.
 */
function boundValue(value: unknown): unknown {
  const text =
    typeof value === 'string' ? value : value !== null && typeof value === 'object' ? jsonText(value) : undefined;
  if (text === undefined || text.length <= MAX_QUOTED_CHARS) return value;
  return `${cutText(text, MAX_QUOTED_CHARS)}… (${text.length} characters)`;
}

function boundProblem(problem: ObservabilityProblem): ObservabilityProblem {
  return {
    message: boundText(problem.message, MAX_LINE_CHARS),
    key: problem.key === undefined ? undefined : boundText(problem.key, MAX_QUOTED_CHARS),
    value: boundValue(problem.value),
    expected: problem.expected === undefined ? undefined : boundText(problem.expected, MAX_LINE_CHARS),
  };
}

/** The distinct problems of `others` (none equal to `own`), at most MAX_LISTED_PROBLEMS - 1 of them. */
function distinctProblems(
  own: ObservabilityProblem,
  others: readonly ObservabilityProblem[],
): { kept: ObservabilityProblem[]; dropped: number } {
  const identity = (p: ObservabilityProblem): string => jsonText([p.message, p.key, p.value, p.expected]) ?? p.message;
  const seen = new Set([identity(own)]);
  const kept: ObservabilityProblem[] = [];
  let dropped = 0;
  for (const other of others) {
    const problem = boundProblem(other);
    const id = identity(problem);
    if (seen.has(id)) continue;
    seen.add(id);
    if (kept.length < MAX_LISTED_PROBLEMS - 1) kept.push(problem);
    else dropped++;
  }
  return { kept, dropped };
}

function formatMessage(
  code: ErrorCode,
  d: ObservabilityErrorDetails & { message: string; others: ObservabilityProblem[]; omitted: number },
): string {
  const parts = [`${code}: ${d.message}`];
  if (d.file !== undefined) parts.push(`file: ${boundText(d.file, MAX_LINE_CHARS)}`);
  if (d.key !== undefined) parts.push(`key: ${d.key}`);
  if (d.value !== undefined) parts.push(`value: ${describeValue(d.value)}`);
  if (d.expected !== undefined) parts.push(`expected: ${d.expected}`);
  const more = d.others.length + d.omitted;
  if (more > 0) parts.push(`and ${more} more problem${more === 1 ? '' : 's'}:`);
  for (const other of d.others) {
    const detail = [
      other.value === undefined ? undefined : `value ${describeValue(other.value)}`,
      other.expected === undefined ? undefined : `expected ${other.expected}`,
    ].filter((part) => part !== undefined);
    parts.push(boundText(`- ${other.message}${detail.length > 0 ? ` (${detail.join('; ')})` : ''}`, MAX_LINE_CHARS));
  }
  if (d.omitted > 0) parts.push(`- and ${d.omitted} more not listed: fix these and check again`);
  return parts.join('\n  ');
}

function describeValue(value: unknown): string {
  // A value is bounded already (boundValue): its escapes alone may make it longer.
  if (typeof value === 'string') return quoteText(value, 2 * MAX_QUOTED_CHARS);
  const text = jsonText(value);
  if (text === undefined) return String(value);
  return text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text;
}

function jsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** True when `err` is an {@link ObservabilityError}, optionally with the given code. */
export function isObservabilityError(err: unknown, code?: ErrorCode): err is ObservabilityError {
  return err instanceof ObservabilityError && (code === undefined || err.code === code);
}
