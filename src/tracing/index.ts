/**
 * The tracing part: OpenTelemetry SDK wiring, samplers, propagation and tenant helpers.
 * docs/tracing.md describes it; init.ts starts it with {@link startTracing}.
 */
export { startTracing, TRACER_NAME, type Tracing } from './start-tracing.js';
export type { ExportHealthCounts } from './export-health.js';
export { extractContext, injectContext, type HeaderCarrier } from './propagation.js';
export { buildPropagator } from './build-propagator.js';
export { withTenant, currentTenant, TENANT_BAGGAGE_KEY, TenantSpanProcessor } from './tenant.js';
export { SpanNames, SpanAttributes, type SpanName, type SpanAttributeName } from './span-names.js';
export { AlwaysSampleRuleSampler, parseSamplingRules } from './samplers/always-sample-rule-sampler.js';
export { buildSampler, isErrorCaptureActive, ERROR_CAPTURE_RULE, type SamplerSetup } from './samplers/build-sampler.js';
export { ErrorCapture } from './error-capture-processor.js';
export { resolveExporterEndpoint } from './exporter.js';
export { registerInstrumentationHooks, type InstrumentationHooks } from './register-hooks.js';
