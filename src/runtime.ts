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

/**
 * The process's one lifecycle state, read by getRuntime(), getObservability() and
 * initObservability() of every copy of the package alike. Kept on `globalThis` under a
 * `Symbol.for` key, so that two copies in one process (a CommonJS and an ESM path, or two
 * versions nested in node_modules) see one live handle and one start at a time; its shape is
 * versioned for that reason (`version`, add fields, never change one).
 */
export interface Lifecycle {
  readonly version: 1;
  /** The live runtime: set when a start completes, cleared when its shutdown begins. */
  runtime: ObservabilityRuntime | undefined;
  /** The live handle (an `ObservabilityHandle` of the copy that started it). */
  handle: unknown;
  /** True while a start is under way. */
  starting: boolean;
  /** The last shutdown under way or done: a new start waits for it (port and globals released). */
  stopping: Promise<void> | undefined;
  /** True when the live handle was started by `--import @grey/observability/register`. */
  startedByRegister: boolean;
}

const SLOT = Symbol.for('@grey/observability.lifecycle');
type Slot = { [SLOT]?: Lifecycle };

/** The process's lifecycle state (created on first use). */
export function lifecycle(): Lifecycle {
  const slot = globalThis as Slot;
  slot[SLOT] ??= {
    version: 1,
    runtime: undefined,
    handle: undefined,
    starting: false,
    stopping: undefined,
    startedByRegister: false,
  };
  return slot[SLOT];
}

/** The live runtime, or undefined before initObservability() and after shutdown(). */
export function getRuntime(): ObservabilityRuntime | undefined {
  return lifecycle().runtime;
}

/** Installs (or with undefined, clears) the live runtime. Internal to init.ts and tests. */
export function setRuntime(runtime: ObservabilityRuntime | undefined): void {
  lifecycle().runtime = runtime;
}
