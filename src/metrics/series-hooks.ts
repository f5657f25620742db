import type { Metric } from 'prom-client';
import type { LabelRecord } from '../tenancy/tenant-labels.js';

/**
 * What the metrics part runs around one prom-client metric's reads, `reset()` and `remove()`,
 * whoever calls them (a helper, its `metric`, `registry.resetMetrics()`, a scrape). Installed once
 * per metric by {@link seriesHooks}, so that the pending sums, the series created at 0 and the
 * unset gauges all see every reset and every removal, and a removed series stays removed.
 */
export interface SeriesHooks {
  /** Hand this metric's pending sums to prom-client (run first on every read of the metric). */
  readonly flushers: Array<() => void>;
  /** Run on every read, after the flushers (e.g. flush the other metrics of a group). */
  readonly readers: Array<() => void>;
  /** Run after prom-client's `reset()`. */
  readonly resets: Array<() => void>;
  /** Run after prom-client's `remove()`, with the labels of the removed series. */
  readonly removals: Array<(labels: LabelRecord) => void>;
  /** Runs the flushers only (what another metric of a group asks for). */
  flush(): void;
}

/** The prom-client members the hooks wrap (all public methods of every metric type). */
interface HookableMetric {
  labelNames: readonly string[];
  collect?: () => unknown;
  reset(): void;
  remove(...args: unknown[]): unknown;
}

const installed = new WeakMap<object, SeriesHooks>();

/**
 * The hooks of `metric`, installed on first use: its `collect` runs the flushers and readers
 * before any `collect` it already had; its `reset()` and `remove()` run prom-client's and then the
 * registered callbacks. Callbacks must not throw (each is guarded anyway: a read never fails
 * because of them).
 */
export function seriesHooks(metric: Metric<string>): SeriesHooks {
  const existing = installed.get(metric);
  if (existing !== undefined) return existing;
  const target = metric as unknown as HookableMetric;
  const hooks: SeriesHooks = {
    flushers: [],
    readers: [],
    resets: [],
    removals: [],
    flush() {
      for (const flush of hooks.flushers) guarded(flush);
    },
  };
  const previousCollect = target.collect;
  target.collect = function collectWithHooks(this: unknown): unknown {
    hooks.flush();
    for (const read of hooks.readers) guarded(read);
    return previousCollect?.call(this);
  };
  const reset = target.reset;
  target.reset = function resetWithHooks(this: unknown): void {
    reset.call(this);
    for (const after of hooks.resets) guarded(after);
  };
  const remove = target.remove;
  target.remove = function removeWithHooks(this: unknown, ...args: unknown[]): unknown {
    const result = remove.apply(this, args);
    // prom-client takes a labels object or the values in label order; it threw above otherwise.
    const labels =
      typeof args[0] === 'object' && args[0] !== null
        ? (args[0] as LabelRecord)
        : Object.fromEntries(target.labelNames.map((name, i) => [name, args[i] as string]));
    for (const after of hooks.removals) guarded(() => after(labels));
    return result;
  };
  installed.set(metric, hooks);
  return hooks;
}

function guarded(action: () => void): void {
  try {
    action();
  } catch {
    // Bookkeeping of the metrics part never fails a read, a reset or a removal.
  }
}
