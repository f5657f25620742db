import type { IncomingMessage } from 'node:http';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { ObservabilityConfig } from '../config/types.js';

/**
 * Builds the automatic instrumentations that `opentelemetry.instrumentations` turns on:
 * `http` (node:http and node:https servers and clients) and `fetch` (undici, which also serves
 * Node's global fetch). Each module is imported only when its switch is on, so a service that
 * turns them off does not pay their load cost. Scrapes of our own Prometheus endpoint are not
 * traced (they would be a span every scrape interval).
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
    const isScrape = metricsScrapeMatcher(config.prometheus);
    instrumentations.push(new http.HttpInstrumentation({ ignoreIncomingRequestHook: isScrape }));
  }
  if (undici !== undefined) instrumentations.push(new undici.UndiciInstrumentation());
  return instrumentations;
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
