import type { IncomingMessage, RequestOptions } from 'node:http';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { Attributes } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { HttpInstrumentation, HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import type { ObservabilityConfig } from '../config/types.js';
import { ObservabilityError } from '../errors.js';
import { isOwnServerRequest } from '../metrics/own-servers.js';
import { NAMED_INSTRUMENTATIONS, type NamedInstrumentation } from './instrumentation-catalog.js';
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
 * `http` (node:http and node:https servers and clients), `fetch` (undici, which also serves
 * Node's global fetch) and the named ones of instrumentation-catalog.ts (express, pg, ...), then
 * the instrumentations the service passed in code (`fromCode`, NodeSDK's `instrumentations`).
 * Each module is imported only when its switch is on, so a service that turns them off does not
 * pay their load cost. Scrapes of our own Prometheus endpoint are not traced (they would be a
 * span every scrape interval), nor the paths of `opentelemetry.http.ignore_incoming_paths`.
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
  fromCode: readonly Instrumentation[] = [],
): Promise<Instrumentation[]> {
  const switches = config.opentelemetry.instrumentations;
  const [http, undici, named] = await Promise.all([
    switches.http ? import('@opentelemetry/instrumentation-http') : undefined,
    switches.fetch ? import('@opentelemetry/instrumentation-undici') : undefined,
    loadNamedInstrumentations(config, fromCode),
  ]);
  const instrumentations: Instrumentation[] = [];
  if (http !== undefined) {
    const ignorePath = incomingPathMatcher(config.opentelemetry.http.ignore_incoming_paths);
    const httpConfig: HttpInstrumentationConfig = {
      // The package's own endpoints (metrics/own-servers.ts), whatever port they listen on.
      ignoreIncomingRequestHook: (request) => isOwnServerRequest(request) || ignorePath(request),
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
  return [...instrumentations, ...named, ...fromCode];
}

/**
 * The named instrumentations switched on in `opentelemetry.instrumentations` (see
 * instrumentation-catalog.ts), each imported only now and only when on; one that the service
 * also passed in code (same `instrumentationName`) is left to the code's instance, so nothing is
 * patched twice.
 *
 * @throws ObservabilityError `OBS_ERR_INSTRUMENTATION_MISSING` naming the npm package to install
 *   when an enabled instrumentation's package cannot be found.
 */
async function loadNamedInstrumentations(
  config: Pick<ObservabilityConfig, 'opentelemetry'>,
  fromCode: readonly Instrumentation[],
): Promise<Instrumentation[]> {
  const switches = config.opentelemetry.instrumentations;
  const passed = new Set(fromCode.map((instrumentation) => instrumentation.instrumentationName));
  const enabled = NAMED_INSTRUMENTATIONS.filter((entry) => switches[entry.key] && !passed.has(entry.package));
  return Promise.all(enabled.map((entry) => createNamed(entry)));
}

type InstrumentationClass = new (config?: Record<string, unknown>) => Instrumentation;

async function createNamed(entry: NamedInstrumentation): Promise<Instrumentation> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(entry.package)) as Record<string, unknown>;
  } catch (error) {
    if (!isMissingPackage(error, entry.package)) throw error;
    throw new ObservabilityError(
      'OBS_ERR_INSTRUMENTATION_MISSING',
      `the ${entry.name} instrumentation is enabled but its package ${entry.package} is not installed`,
      {
        key: `opentelemetry.instrumentations.${entry.key}`,
        value: true,
        expected: `the package installed beside @grey/observability (npm install ${entry.package}), or opentelemetry.instrumentations.${entry.key}: false`,
      },
    );
  }
  const Class = (loaded[entry.export] ?? (loaded.default as Record<string, unknown> | undefined)?.[entry.export]) as
    InstrumentationClass | undefined;
  if (typeof Class !== 'function') {
    throw new ObservabilityError(
      'OBS_ERR_INSTRUMENTATION_MISSING',
      `the package ${entry.package} has no export ${entry.export}`,
      {
        key: `opentelemetry.instrumentations.${entry.key}`,
        value: true,
        expected: `a version of ${entry.package} that exports ${entry.export} (see docs/tracing.md for the tested versions)`,
      },
    );
  }
  // @fastify/otel adds its plugin to every Fastify instance only when asked to.
  return new Class(entry.key === 'fastify' ? { registerOnInitialization: true } : {});
}

/** True when `error` says that `specifier` itself (not one of its own imports) cannot be found. */
function isMissingPackage(error: unknown, specifier: string): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  return (error as Error).message.includes(`'${specifier}'`);
}

/**
 * `opentelemetry.http.ignore_incoming_paths` as a matcher of incoming requests: a path equal to
 * an exact entry, or starting with the part before the `*` of a prefix entry. The query string
 * is not compared (`/healthz?full=1` is `/healthz`).
 */
export function incomingPathMatcher(patterns: readonly string[]): (request: IncomingMessage) => boolean {
  if (patterns.length === 0) return () => false;
  const exact = new Set(patterns.filter((pattern) => !pattern.endsWith('*')));
  const prefixes = patterns.filter((pattern) => pattern.endsWith('*')).map((pattern) => pattern.slice(0, -1));
  return (request) => {
    const url = request.url ?? '';
    const query = url.search(/[?#]/);
    const path = query === -1 ? url : url.slice(0, query);
    return exact.has(path) || prefixes.some((prefix) => path.startsWith(prefix));
  };
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
