import type { ClientRequest, OutgoingHttpHeaders } from 'node:http';
import { context, createContextKey, propagation, trace, type Context, type Span } from '@opentelemetry/api';

/** The W3C baggage header, which carries the baggage and no part of the trace context. */
const BAGGAGE_HEADER = 'baggage';

/** Marks the context of a scratch injection (see {@link replacedHeaders}): nothing is sent with it. */
const SCRATCH_INJECTION = createContextKey('@grey/observability scratch injection');

/**
 * True when `ctx` is that of a scratch injection, whose headers are never sent: a propagator
 * counts nothing for it (the baggage propagator's dropped-tenant count is per request sent).
 */
export function isScratchInjection(ctx: Context): boolean {
  return ctx.getValue(SCRATCH_INJECTION) === true;
}

/** What an instrumentation's injection does to the headers a caller set; see {@link replacedHeaders}. */
export interface ReplacedHeaders {
  /** Lower-case names of the caller's headers that the injection replaces. */
  readonly replaced: ReadonlySet<string>;
  /** Lower-case names the injection writes (a subset of `replaced`). */
  readonly written: ReadonlySet<string>;
}

const NOTHING: ReplacedHeaders = { replaced: new Set(), written: new Set() };

/**
 * The headers a caller may have set that an instrumentation's injection for `span` (in the active
 * context) replaces: what the configured propagators write, found by injecting into a scratch
 * record exactly as the instrumentation is about to. When they write a trace context
 * (`traceparent`, `b3`, `x-b3-*`), every trace-context header of the configured propagators is
 * replaced (a caller's `tracestate` or `x-b3-parentspanid` belongs to the parent it set, not to
 * the client span); when they write `baggage`, the caller's `baggage` is. A header the injection
 * does not write is left alone otherwise (tracing suppressed: no trace context is injected, so
 * one the caller set by hand is kept). Never throws: on a failure nothing is replaced.
 */
export function replacedHeaders(span: Span): ReplacedHeaders {
  try {
    const scratch: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), span).setValue(SCRATCH_INJECTION, true), scratch);
    const written = new Set(Object.keys(scratch).map((name) => name.toLowerCase()));
    if (written.size === 0) return NOTHING;
    const replaced = new Set(written);
    if ([...written].some((name) => name !== BAGGAGE_HEADER)) {
      for (const field of propagation.fields()) {
        const name = field.toLowerCase();
        if (name !== BAGGAGE_HEADER) replaced.add(name);
      }
    }
    return { replaced, written };
  } catch {
    return NOTHING;
  }
}

/**
 * The request of the undici instrumentation's `requestHook`, as its types describe it: the
 * headers as `name: value\r\n` lines (undici 5) or a flat `[name, value, ...]` array (undici 6
 * and later, Node's fetch included).
 */
export interface UndiciRequestHeaders {
  headers: string | Array<string | string[]>;
}

/**
 * Removes from an undici request the headers named in `names` (lower-case; matched whatever the
 * caller's casing), in place, before the instrumentation appends its own: undici's `addHeader`
 * appends, so a `traceparent` the caller set (`fetch(url, { headers: injectContext({}) })`, a
 * plain object, a `Headers`, an array of pairs) would otherwise be sent next to the
 * instrumentation's, and a server joins the two into one invalid value. Never throws.
 */
export function removeUndiciHeaders(request: UndiciRequestHeaders, names: ReadonlySet<string>): void {
  if (names.size === 0) return;
  try {
    const { headers } = request;
    if (Array.isArray(headers)) {
      for (let i = headers.length - 2; i >= 0; i -= 2) {
        const name = headers[i];
        if (typeof name === 'string' && names.has(name.toLowerCase())) headers.splice(i, 2);
      }
    } else if (typeof headers === 'string') {
      request.headers = headers
        .split('\r\n')
        .filter((line) => {
          const colon = line.indexOf(':');
          return colon === -1 || !names.has(line.substring(0, colon).trim().toLowerCase());
        })
        .join('\r\n');
    }
  } catch {
    // A request of an unknown shape is sent as the caller made it.
  }
}

/**
 * `headers` of node:http's raw array form (`['name', 'value', ...]`, as `message.rawHeaders`) as
 * a headers object with the same lines: the names as first given, a repeated name's values in an
 * array (sent as one line each). The http instrumentation copies `options.headers` with
 * `Object.assign({}, headers)` before it injects, which turns the array into headers named `0`,
 * `1`, ...: given the object instead, it injects into it like into any headers object, and its
 * `traceparent` replaces the caller's (node:http's `setHeader` ignores case, the last one wins).
 */
export function rawHeadersToObject(headers: readonly unknown[]): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const nameOf = new Map<string, string>();
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = String(headers[i]);
    const value = headers[i + 1];
    const lower = name.toLowerCase();
    const first = nameOf.get(lower);
    if (first === undefined) {
      nameOf.set(lower, name);
      out[name] = value as OutgoingHttpHeaders[string];
      continue;
    }
    const before = out[first];
    const values = Array.isArray(before) ? before : [String(before)];
    out[first] = [...values, ...(Array.isArray(value) ? value.map(String) : [String(value)])];
  }
  return out;
}

/**
 * Removes from a node:http client request, once the http instrumentation injected into it, the
 * caller's headers that `headers` replaces but the injection did not write (a `tracestate` the
 * caller set beside a `traceparent` the injection replaced). What the injection wrote already
 * replaced the caller's value: node:http keeps one value per name, whatever the casing. Never
 * throws (headers already sent stay as they are).
 */
export function removeReplacedClientHeaders(request: ClientRequest, headers: ReplacedHeaders): void {
  try {
    for (const name of headers.replaced) {
      if (!headers.written.has(name) && request.hasHeader(name)) request.removeHeader(name);
    }
  } catch {
    // Headers already sent: nothing to change.
  }
}
