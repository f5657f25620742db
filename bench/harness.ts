/**
 * The one harness of `npm run bench`: interleaved, shuffled rounds of two variants (A = this
 * package, B = what a user would write instead), the per-round ratio A/B and its median and
 * spread, and the shape of one entry of bench/results.json. Every comparison goes through
 * {@link compareRounds}, whether a round is a loop of calls in this process or a fresh process.
 */

/** Size of a run: `full` (the published figures), `quick` (well under a minute), `tiny` (the test). */
export type BenchMode = 'full' | 'quick' | 'tiny';

/** One entry of bench/results.json. Time figures are in ns (`*_ns_median`), memory in bytes (`*_bytes_median`). */
export interface BenchResult {
  name: string;
  ratio_median: number;
  ratio_min: number;
  ratio_max: number;
  a_ns_median?: number;
  b_ns_median?: number;
  a_bytes_median?: number;
  b_bytes_median?: number;
  /** What was measured, under which conditions, the target and, when missed, the profile's finding. */
  notes: string;
  /** Medians of variants timed in the same rounds besides A and B (e.g. the undecorated call), in ns. */
  extra_ns_median?: Record<string, number>;
  /** Rounds measured. */
  rounds: number;
}

/** A variant: runs one round and returns its figure (ns per operation, or bytes). */
export type Variant = () => Promise<number> | number;

/** What {@link compareRounds} returns: per-variant medians and the ratio A/B statistics. */
export interface RoundStats {
  ratioMedian: number;
  ratioMin: number;
  ratioMax: number;
  aMedian: number;
  bMedian: number;
  extraMedians: Record<string, number>;
  rounds: number;
}

/** Median (upper median for an even count) of `values`; NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Fisher-Yates shuffle of a copy of `items`. */
export function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/**
 * Runs `warmup` unmeasured rounds of every variant, then up to `rounds` rounds in which every
 * variant runs once, in a fresh random order, and returns the median, min and max of the per-round
 * ratio a/b with the median figure of each variant. Drift of a shared machine (other processes,
 * CPU frequency, GC debt) hits both variants of a round alike and cancels in the ratio. Stops
 * early at `deadlineMs` of wall time (at least 3 rounds are run).
 */
export async function compareRounds(options: {
  a: Variant;
  b: Variant;
  extra?: Record<string, Variant>;
  rounds: number;
  warmup?: number;
  deadlineMs?: number;
  /** Awaited between rounds (e.g. to let a batch span processor export). */
  between?: () => Promise<void>;
}): Promise<RoundStats> {
  const variants: Array<[string, Variant]> = [
    ['a', options.a],
    ['b', options.b],
    ...Object.entries(options.extra ?? {}),
  ];
  for (let w = 0; w < (options.warmup ?? 1); w++) for (const [, run] of shuffled(variants)) await run();
  const figures = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  const ratios: number[] = [];
  const deadline = Date.now() + (options.deadlineMs ?? Number.POSITIVE_INFINITY);
  for (let round = 0; round < options.rounds && (round < 3 || Date.now() < deadline); round++) {
    const figure = new Map<string, number>();
    for (const [name, run] of shuffled(variants)) figure.set(name, await run());
    for (const [name, value] of figure) figures.get(name)!.push(value);
    if (process.env.BENCH_DEBUG) console.error(JSON.stringify(Object.fromEntries(figure)));
    ratios.push(figure.get('a')! / figure.get('b')!);
    if (options.between !== undefined) await options.between();
  }
  const extraMedians: Record<string, number> = {};
  for (const [name] of variants.slice(2)) extraMedians[name] = median(figures.get(name)!);
  return {
    ratioMedian: median(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
    aMedian: median(figures.get('a')!),
    bMedian: median(figures.get('b')!),
    extraMedians,
    rounds: ratios.length,
  };
}

/**
 * CPU time of this process (user + system, all its threads) in ns. The in-process comparisons time
 * rounds in CPU time, not wall time: on a shared machine a round's wall time also counts the time
 * other processes held the cores, which is noise for both variants; the CPU time a variant spends
 * (its GC and libuv threads included) is its cost.
 */
export function cpuNs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) * 1000;
}

/** CPU ns per call of `calls` calls of `fn` (awaited one after the other when it returns a promise). */
export async function timeCalls(calls: number, fn: (i: number) => unknown): Promise<number> {
  const start = cpuNs();
  for (let i = 0; i < calls; i++) {
    const result = fn(i);
    if (result instanceof Promise) await result;
  }
  return (cpuNs() - start) / calls;
}

/** A time-based entry of results.json from round statistics. */
export function timeResult(name: string, stats: RoundStats, notes: string): BenchResult {
  const extra = Object.keys(stats.extraMedians).length > 0 ? { extra_ns_median: round(stats.extraMedians) } : {};
  return {
    name,
    ratio_median: round3(stats.ratioMedian),
    ratio_min: round3(stats.ratioMin),
    ratio_max: round3(stats.ratioMax),
    a_ns_median: Math.round(stats.aMedian),
    b_ns_median: Math.round(stats.bMedian),
    notes,
    ...extra,
    rounds: stats.rounds,
  };
}

/** Rounds a ratio to 3 decimals, or to 3 significant digits below 0.1 (memory ratios can be tiny). */
export function round3(value: number): number {
  return Math.abs(value) < 0.1 ? Number(value.toPrecision(3)) : Math.round(value * 1000) / 1000;
}

/** A ratio as printed: 3 decimals, or 3 significant digits below 0.1. */
export function formatRatio(value: number): string {
  return Math.abs(value) < 0.1 ? value.toPrecision(3) : value.toFixed(3);
}

function round(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Math.round(v)]));
}

/** Formats ns as a short human figure (ns, µs, ms, s). */
export function formatNs(ns: number): string {
  if (ns < 1_000) return `${ns.toFixed(0)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(2)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(1)} ms`;
  return `${(ns / 1_000_000_000).toFixed(2)} s`;
}

/** Formats bytes in MB (10^6) with one decimal, or kB below 1 MB. */
export function formatBytes(bytes: number): string {
  if (Math.abs(bytes) < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
