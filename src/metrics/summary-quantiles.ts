import type { Summary } from 'prom-client';

interface SummarySample {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/** When a series' count last changed, as seen by the reads of the summary. */
interface SeenCount {
  count: number;
  at: number;
}

/**
 * Makes `summary` report its quantiles as NaN while a series has no observation to compute them
 * from: never observed, or, with a sliding window of `maxAgeSeconds`, none within the window.
 * prom-client reports 0 in both cases, a latency nobody measured, which a panel shows as a real
 * one; the Go and Python Prometheus clients report NaN. `_sum` and `_count` are untouched.
 *
 * The window is judged from the reads: a series whose `_count` has not moved for `maxAgeSeconds`
 * of reads has no observation in its window (an observation is seen at the read after it, so the
 * quantiles turn NaN at most one read late). Works through `get()`, so the endpoint,
 * `getMetricsAsJSON()` and node:cluster aggregation all see it.
 */
export function reportUnobservedQuantilesAsNaN(summary: Summary<string>, maxAgeSeconds: number | undefined): void {
  const get = summary.get.bind(summary);
  let seen = new Map<string, SeenCount>();
  summary.get = async function getWithUnobservedQuantiles() {
    const snapshot = await get();
    const values = snapshot.values as SummarySample[];
    const now = Date.now();
    const next = new Map<string, SeenCount>();
    const unobserved = new Set<string>();
    for (const sample of values) {
      if (sample.metricName === undefined || !sample.metricName.endsWith('_count')) continue;
      const key = seriesKey(sample.labels);
      const before = seen.get(key);
      const current = before !== undefined && before.count === sample.value ? before : { count: sample.value, at: now };
      next.set(key, current);
      const windowPassed = maxAgeSeconds !== undefined && now - current.at > maxAgeSeconds * 1000;
      if (sample.value === 0 || windowPassed) unobserved.add(key);
    }
    // Only the series present now are kept: memory follows the summary's own series.
    seen = next;
    if (unobserved.size > 0) {
      for (const sample of values) {
        if (sample.metricName === undefined && unobserved.has(seriesKey(sample.labels))) sample.value = Number.NaN;
      }
    }
    return snapshot;
  };
}

/** The labels of a sample without `quantile`, in name order: one key per series. */
function seriesKey(labels: Record<string, string | number>): string {
  let key = '';
  for (const name of Object.keys(labels).sort()) {
    if (name !== 'quantile') key += `${name}\u0000${String(labels[name])}\u0001`;
  }
  return key;
}
