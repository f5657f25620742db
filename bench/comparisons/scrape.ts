/**
 * `scrape@<n>`: the body of /metrics (text 0.0.4, what the endpoint renders) of the package's
 * registry holding `n` series, against prom-client's own `registry.metrics()` on a registry that
 * holds the same series. Half the series are counter samples, half histogram samples (8 buckets,
 * so 11 sample lines per label set); default metrics are off on both sides. The package's
 * registry also holds its catalog and self-metrics (a few dozen mostly empty families).
 */
import pino from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';
import { createMetrics } from '../../src/metrics/index.js';
import { testConfig } from '../../test/support/config.js';
import { compareRounds, cpuNs, timeResult, type BenchMode, type BenchResult } from '../harness.js';

const BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0];
const LINES_PER_HISTOGRAM = BUCKETS.length + 3; // buckets, +Inf, _sum, _count

const SIZES: Record<BenchMode, { rounds: number; deadlineMs: number }> = {
  full: { rounds: 40, deadlineMs: 25_000 },
  quick: { rounds: 8, deadlineMs: 2_000 },
  tiny: { rounds: 3, deadlineMs: 500 },
};

/** The series counts of each mode (tiny keeps the test fast). */
export function scrapeSizes(mode: BenchMode): number[] {
  return mode === 'tiny' ? [100] : [1_000, 10_000, 100_000];
}

function label(series: number): string {
  return series >= 1000 ? `${series / 1000}k` : String(series);
}

/** Runs one scrape comparison at `series` series. */
export async function runScrape(series: number, mode: BenchMode): Promise<BenchResult[]> {
  const size = SIZES[mode];
  const counterSeries = Math.floor(series / 2);
  const histogramSets = Math.floor((series - counterSeries) / LINES_PER_HISTOGRAM);

  const metrics = createMetrics(testConfig({ prometheus: { default_metrics: false } }), pino({ level: 'silent' }));
  const ourCounter = metrics.counter({ name: 'bench_requests_total', help: 'Requests.', labels: ['route', 'code'] });
  const ourHistogram = metrics.histogram({
    name: 'bench_request_duration_seconds',
    help: 'Request duration.',
    labels: ['route'],
    buckets: BUCKETS,
    exemplars: false,
  });

  const registry = new Registry();
  const theirCounter = new Counter({
    name: 'bench_requests_total',
    help: 'Requests.',
    labelNames: ['route', 'code'],
    registers: [registry],
  });
  const theirHistogram = new Histogram({
    name: 'bench_request_duration_seconds',
    help: 'Request duration.',
    labelNames: ['route'],
    buckets: BUCKETS,
    registers: [registry],
  });
  for (let i = 0; i < counterSeries; i++) {
    const labels = { route: `/r/${Math.floor(i / 5)}`, code: String(200 + (i % 5)) };
    ourCounter.inc(labels, i);
    theirCounter.inc(labels, i);
  }
  for (let i = 0; i < histogramSets; i++) {
    const labels = { route: `/h/${i}` };
    ourHistogram.observe(labels, (i % 100) / 100);
    theirHistogram.observe(labels, (i % 100) / 100);
  }
  const ourBody = await metrics.scrape('text');
  const theirBody = await registry.metrics();
  const sampleLines = (body: string) => body.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;

  const timeOne = async (render: () => Promise<string>): Promise<number> => {
    const start = cpuNs();
    const body = await render();
    const elapsed = cpuNs() - start;
    if (body.length === 0) throw new Error('empty exposition');
    return elapsed;
  };
  const stats = await compareRounds({
    a: () => timeOne(() => metrics.scrape('text')),
    b: () => timeOne(() => registry.metrics()),
    rounds: size.rounds,
    // Quick mode: the two renders above (for the sample-line counts) are its warm-up.
    warmup: { full: 2, quick: 0, tiny: 1 }[mode],
    deadlineMs: size.deadlineMs,
  });
  const notes =
    `CPU ns per scrape (text 0.0.4 body): package ${sampleLines(ourBody)} sample lines (${ourBody.length} bytes, catalog included), ` +
    `prom-client ${sampleLines(theirBody)} sample lines (${theirBody.length} bytes); ` +
    `${counterSeries} counter series + ${histogramSets} histograms x ${LINES_PER_HISTOGRAM} lines. Target <= 1.0.`;
  return [timeResult(`scrape@${label(series)}`, stats, notes)];
}
