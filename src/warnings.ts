/**
 * The package's one warnings channel (like fastify's lib/warnings.js): every run-time warning has
 * an `OBS_WARN_*` code (listed in warning-codes.ts and docs/errors.md), goes through {@link warn}, is
 * rate-limited the same way and is written the same way:
 *
 * - to the package's pino logger as `{ code, ...fields }` with the message `CODE: message`, or to
 *   `process.emitWarning` (code set) when there is no logger (before it exists, after it closed);
 * - outside the user's context (`ROOT_CONTEXT`), so that the line never carries the trace_id,
 *   span_id or tenant_id of whatever user work happened to be active: a tenant's log search must
 *   not show the package's failure as theirs;
 * - at most once per {@link WARNING_INTERVAL_MS} per code and scope (a metric name, a decorated
 *   method, ...), the next line saying how many were suppressed in between;
 * - never throwing: a broken log destination must not turn a telemetry loss into a service failure.
 */
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { WarningCode } from './warning-codes.js';

/** Least time between two lines of one code and scope, in milliseconds, unless a caller sets its own. */
const WARNING_INTERVAL_MS = 60_000;

/** Scopes remembered per logger; past this, further scopes of a code share one rate limit. */
const MAX_SCOPES = 1000;

/** What {@link warn} writes to: the package's pino logger or anything with the same `warn`. */
export interface WarningLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** One warning. */
export interface WarningDetails {
  /** What happened and what to do about it (the code is prefixed). */
  message: string;
  /** Structured fields of the line (`metric`, `key`, `err` ...). */
  fields?: Record<string, unknown>;
  /** Least time between two lines of this code and scope (ms); default {@link WARNING_INTERVAL_MS}. */
  intervalMs?: number;
}

interface RateState {
  lastAt: number;
  suppressed: number;
}

type Limits = Map<string, RateState>;

// One rate-limit table per logger: a new initObservability() (a new logger) starts afresh.
const byLogger = new WeakMap<object, Limits>();
const withoutLogger: Limits = new Map();

/**
 * Writes the warning `code` for `scope` (see the module comment). Returns true when a line was
 * written, false when it was rate-limited (or the channel failed).
 */
export function warn(
  logger: WarningLogger | undefined,
  code: WarningCode,
  scope: string,
  details: WarningDetails,
): boolean {
  try {
    const suppressed = admit(logger, `${code}\u0000${scope}`, `${code}\u0000*`, details.intervalMs);
    if (suppressed === undefined) return false;
    const fields: Record<string, unknown> = { code, ...details.fields };
    if (suppressed > 0) fields.suppressed = suppressed;
    const message = `${code}: ${details.message}`;
    context.with(ROOT_CONTEXT, () => {
      if (logger !== undefined) logger.warn(fields, message);
      else process.emitWarning(message, { code });
    });
    return true;
  } catch {
    return false;
  }
}

/** The count suppressed since the last line when a line may be written now, else undefined. */
function admit(
  logger: WarningLogger | undefined,
  key: string,
  overflowKey: string,
  intervalMs = WARNING_INTERVAL_MS,
): number | undefined {
  let limits = logger === undefined ? withoutLogger : byLogger.get(logger);
  if (limits === undefined) {
    limits = new Map();
    byLogger.set(logger as object, limits);
  }
  const now = Date.now();
  let state = limits.get(key);
  if (state === undefined && limits.size >= MAX_SCOPES) state = limits.get(overflowKey);
  if (state === undefined) {
    limits.set(limits.size >= MAX_SCOPES ? overflowKey : key, { lastAt: now, suppressed: 0 });
    return 0;
  }
  if (now - state.lastAt < intervalMs) {
    state.suppressed++;
    return undefined;
  }
  const suppressed = state.suppressed;
  state.lastAt = now;
  state.suppressed = 0;
  return suppressed;
}
