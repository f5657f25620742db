import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { ObservabilityConfig } from './config/types.js';
import type { Metrics } from './metrics/metrics.js';

/**
 * What the parts need from a live initObservability() at call time. Decorators and helpers look it
 * up on each call, so code decorated before init records once init has run (and is a cheap no-op
 * before). Every part is typed: a renamed helper is a compile error here, never a silent loss of
 * telemetry.
 */
export interface ObservabilityRuntime {
  config: ObservabilityConfig;
  logger: Logger;
  tracer: Tracer;
  metrics: Metrics;
}

// Kept on globalThis so that two copies of the package in one process (a CommonJS and an ESM
// path, or two versions) still see one live handle.
const SLOT = Symbol.for('@grey/observability.runtime');
type Slot = { [SLOT]?: ObservabilityRuntime };

/** The live runtime, or undefined before initObservability() and after shutdown(). */
export function getRuntime(): ObservabilityRuntime | undefined {
  return (globalThis as Slot)[SLOT];
}

/** Installs (or with undefined, clears) the live runtime. Internal to init.ts. */
export function setRuntime(runtime: ObservabilityRuntime | undefined): void {
  if (runtime === undefined) delete (globalThis as Slot)[SLOT];
  else (globalThis as Slot)[SLOT] = runtime;
}
