import type { IncomingMessage, RequestOptions } from 'node:http';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { Attributes } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { HttpInstrumentation, HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import type { ObservabilityConfig } from '../config/types.js';
import {
  rawHeadersToObject,
  removeReplacedClientHeaders,
  removeUndiciHeaders,
  replacedHeaders,
} from './outgoing-headers.js';

/**
 * The http instrumentation, one per process, enabled again by each start after a shutdown
 * disabled it. A second instance would never patch node:http: the instrumentation finds modules
 * through require-in-the-middle's hook, shared by all instances, whose cache answers every later
 * require of a built-in with the exports it already patched, without calling the new instance.
 * The instance itself re-applies its patch when enabled again.
 */
let reusedHttp: HttpInstrumentation | undefined;

/**
 * Builds the automatic instrumentations that `opentelemetry.instrumentations` turns on:
 * `http` (node:http and node:https servers and clients) and `fetch` (undici, which also serves
 * Node's global fetch). Each module is imported only when its switch is on, so a service that
 * turns them off does not pay their load cost. Scrapes of our own Prometheus endpoint are not
 * traced (they would be a span every scrape interval).
 *
 * One trace context per request: when an instrumentation injects the client span's context, the
 * `traceparent`/`tracestate`/`baggage` (and `b3`, `x-b3-*` with those propagators) that the caller
 * put in the request headers, in any form and casing (`injectContext({})`, a `Headers`, pairs,
 * node:http's raw array), are replaced, never sent twice (outgoing-headers.ts). Both through the
 * hooks the instrumentations offer: undici's `requestHook` runs just before it appends its
 * headers; node:http keeps one value per header name, and its `startOutgoingSpanHook` and
 * `requestHook` handle the raw array form and the caller's headers the injection did not write.
 */
export async function buildInstrumentations(
  config: Pick<ObservabilityConfig, 'opentelemetry' | 'prometheus'>,
): Promise<Instrumentation[]> {
  const switches = config.opentelemetry.instrumentations;
  const [http, undici] = await Promise.all([
    switches.http ? import('@opentelemetry/instrumentation-http') : undefined,
    switches.fetch ? import('@opentelemetry/instrumentation-undici') : undefined,
  ]);
  const instrumentations: Instrumentation[] = [];
  if (http !== undefined) {
    const httpConfig: HttpInstrumentationConfig = {
      ignoreIncomingRequestHook: metricsScrapeMatcher(config.prometheus),
      startOutgoingSpanHook: acceptRawHeaders,
      requestHook(span, request) {
        if ('removeHeader' in request) removeReplacedClientHeaders(request, replacedHeaders(span));
      },
    };
    if (reusedHttp === undefined) {
      reusedHttp = new http.HttpInstrumentation(httpConfig);
    } else {
      reusedHttp.setConfig(httpConfig);
      reusedHttp.enable();
    }
    instrumentations.push(reusedHttp);
  }
  if (undici !== undefined) {
    instrumentations.push(
      new undici.UndiciInstrumentation({
        requestHook: (span, request) => removeUndiciHeaders(request, replacedHeaders(span).replaced),
      }),
    );
  }
  return instrumentations;
}

/**
 * The http instrumentation's `startOutgoingSpanHook`, called with its own copy of the request
 * options before it copies the headers and injects into them: headers in node:http's raw array
 * form are handed over as the equivalent object (see {@link rawHeadersToObject}); the options the
 * caller passed are not changed. Adds no attribute.
 */
function acceptRawHeaders(options: RequestOptions): Attributes {
  if (Array.isArray(options.headers)) options.headers = rawHeadersToObject(options.headers);
  return {};
}

function metricsScrapeMatcher(prometheus: ObservabilityConfig['prometheus']): (request: IncomingMessage) => boolean {
  const { enabled, port, path } = prometheus;
  return (request) => {
    if (!enabled || port === 0 || request.socket?.localPort !== port) return false;
    const url = request.url ?? '';
    return url === path || url.startsWith(`${path}?`);
  };
}

/**
 * Applies the http instrumentation to node:http and node:https even when the service loaded them
 * before tracing started: requiring them again lets the instrumentation patch the shared module
 * objects in place (the object an ESM default import also holds), and syncBuiltinESMExports()
 * updates the ESM named exports (`import { request } from 'node:http'`) to the patched functions.
 * Call after the instrumentations are enabled.
 */
export function patchLoadedBuiltins(): void {
  const require = createRequire(import.meta.url);
  require('node:http');
  require('node:https');
  syncBuiltinESMExports();
}
