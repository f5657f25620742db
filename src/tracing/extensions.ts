import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { ResourceDetector } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * The extension points of `@opentelemetry/sdk-node`'s `NodeSDK`, with its names and shapes, taken
 * by `initObservability()`. Each is added beside what the package builds from its config; none
 * replaces it.
 */
export interface TracingExtensions {
  /**
   * Instrumentations to enable beside those of `opentelemetry.instrumentations` (NodeSDK's
   * `instrumentations`: instances, or arrays of them such as `getNodeAutoInstrumentations()`
   * returns). One with the same `instrumentationName` as a named instrumentation switched on in the
   * config replaces that one (the code's options win). Enabled when tracing starts, disabled at
   * shutdown. Modules loaded before initObservability() are patched only under
   * `node --import @grey/observability/register`, or for CommonJS when required after it.
   */
  instrumentations?: ReadonlyArray<Instrumentation | readonly Instrumentation[]>;
  /**
   * Span processors added after the package's tenant processor and before its export processor
   * (NodeSDK's `spanProcessors`, added beside ours instead of replacing them). Each sees `onStart`
   * and `onEnd` of every span the head sampler records (sampled spans), in real time; unsampled
   * spans are never given to it. The spans of a dropped trace that error capture keeps and
   * replays after one of them failed are exported directly and do not pass through it. Its
   * `forceFlush` and `shutdown` are called at shutdown.
   */
  spanProcessors?: readonly SpanProcessor[];
  /**
   * Resource detectors run after those of `opentelemetry.resource_detectors` (NodeSDK's
   * `resourceDetectors`); their attributes are merged under the config's `opentelemetry.resource`
   * and `service.*` (those win). Asynchronous attributes are awaited once at start.
   */
  resourceDetectors?: readonly ResourceDetector[];
}

/** The instrumentations of `extensions` as one flat list. */
export function flattenInstrumentations(extensions: TracingExtensions | undefined): Instrumentation[] {
  return (extensions?.instrumentations ?? []).flatMap((item) =>
    Array.isArray(item) ? [...(item as readonly Instrumentation[])] : [item as Instrumentation],
  );
}
