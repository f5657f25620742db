import { context, propagation, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';

/** Incoming headers: Node's `IncomingHttpHeaders`, a plain record, or a fetch `Headers`. */
export type HeaderCarrier = Record<string, string | string[] | undefined> | Headers;

const headerGetter: TextMapGetter<HeaderCarrier> = {
  keys(carrier) {
    return isFetchHeaders(carrier) ? [...carrier.keys()] : Object.keys(carrier);
  },
  get(carrier, key) {
    if (isFetchHeaders(carrier)) return carrier.get(key) ?? undefined;
    const direct = carrier[key];
    if (direct !== undefined) return direct;
    // Plain records built by hand may not be lower-cased like Node's headers are.
    for (const name of Object.keys(carrier)) if (name.toLowerCase() === key) return carrier[name];
    return undefined;
  },
};

const headerSetter: TextMapSetter<Record<string, unknown> | Headers> = {
  set(carrier, key, value) {
    if (isFetchHeaders(carrier)) {
      carrier.set(key, value);
      return;
    }
    // Header names ignore case: a `Traceparent` already in a record is replaced, not kept beside
    // the new `traceparent` (a client sending both would send two).
    for (const name of Object.keys(carrier)) if (name !== key && name.toLowerCase() === key) delete carrier[name];
    carrier[key] = value;
  },
};

function isFetchHeaders(carrier: unknown): carrier is Headers {
  return typeof Headers !== 'undefined' && carrier instanceof Headers;
}

/**
 * The context carried by incoming `headers` (trace parent and baggage, per the configured
 * propagators), on top of `base` (default: the active context). Use it as the parent of the
 * server span: `tracer.startActiveSpan(SpanNames.REQUEST, {}, extractContext(req.headers), fn)`.
 */
export function extractContext(headers: HeaderCarrier, base: Context = context.active()): Context {
  return propagation.extract(base, headers, headerGetter);
}

/**
 * Writes the trace context and baggage of `ctx` (default: the active context) into outgoing
 * `headers` (a plain record or a fetch `Headers`) and returns them. A header of the same name
 * already there, in any casing, is replaced. The headers written are those of the configured
 * propagators (`opentelemetry.propagation`: `traceparent`, `tracestate`, `baggage`, `b3`,
 * `x-b3-*`).
 *
 * With the automatic instrumentations (`opentelemetry.instrumentations.fetch` and `http`, on by
 * default), fetch(), undici and node:http clients inject by themselves, from the client span they
 * start: calling injectContext() for them is not needed, and when it was called anyway the
 * instrumentation's headers replace these (one `traceparent` is sent, whose parent is the client
 * span). Use injectContext() for what the instrumentations do not see: message queues, other
 * clients, or these clients with their instrumentation turned off.
 */
export function injectContext<H extends Record<string, unknown> | Headers>(
  headers: H,
  ctx: Context = context.active(),
): H {
  propagation.inject(ctx, headers, headerSetter);
  return headers;
}
