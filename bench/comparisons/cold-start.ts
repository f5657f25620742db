/**
 * `cold_start`: wall time from spawning a fresh Node process until its Prometheus endpoint answered
 * a first GET /metrics, the package (initObservability() with its defaults) against
 * `node --import @opentelemetry/auto-instrumentations-node/register` (sdk-node configured from
 * OTEL_* variables) plus a prom-client endpoint. One process of each per round, in shuffled order.
 */
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareRounds, formatNs, timeResult, type BenchMode, type BenchResult } from '../harness.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (dist/bench/comparisons → ../../..). */
export const REPO_ROOT = join(here, '..', '..', '..');
const PACKAGE_PROBE = join(here, '..', 'probes', 'cold-start-package.js');
const BASELINE_PROBE = join(here, '..', 'probes', 'cold-start-baseline.js');
const HANDWIRED_TELEMETRY = join(here, '..', 'probes', 'handwired-telemetry.js');
const HANDWIRED_PROBE = join(here, '..', 'probes', 'cold-start-handwired.js');

const SIZES: Record<BenchMode, { rounds: number }> = {
  full: { rounds: 10 },
  quick: { rounds: 3 },
  tiny: { rounds: 1 },
};

/** Environment of the children: this one without OTEL_* and GREY_* variables, plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('OTEL_') && !key.startsWith('GREY_')) env[key] = value;
  }
  return { ...env, ...extra };
}

const BASELINE_ENV = {
  OTEL_SERVICE_NAME: 'bench',
  OTEL_TRACES_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
};

/** ns from spawn until the first scrape of the child's endpoint was answered in full. */
function timeToFirstScrape(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    const fail = (error: Error) => {
      child.kill('SIGKILL');
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`no scrape within 30 s: ${args.join(' ')}`)), 30_000);
    child.once('error', fail);
    child.once('exit', (code) => {
      if (!out.includes('\n')) fail(new Error(`child exited with ${code} before listening: ${args.join(' ')}`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      const before = out;
      out += chunk.toString();
      if (before.includes('\n') || !out.includes('\n')) return;
      const port = Number(/port (\d+)/.exec(out)?.[1]);
      get({ host: '127.0.0.1', port, path: '/metrics' }, (response) => {
        response.resume();
        response.on('end', () => {
          const elapsed = Number(process.hrtime.bigint() - start);
          clearTimeout(timer);
          child.removeAllListeners('exit');
          child.kill('SIGKILL');
          if (response.statusCode !== 200) reject(new Error(`scrape answered ${response.statusCode}`));
          else resolve(elapsed);
        });
      }).once('error', fail);
    });
  });
}

/** Runs the cold start comparison. */
export async function runColdStart(mode: BenchMode): Promise<BenchResult[]> {
  const size = SIZES[mode];
  const stats = await compareRounds({
    a: () => timeToFirstScrape([PACKAGE_PROBE], childEnv({})),
    b: () =>
      timeToFirstScrape(
        ['--import', '@opentelemetry/auto-instrumentations-node/register', BASELINE_PROBE],
        childEnv(BASELINE_ENV),
      ),
    rounds: size.rounds,
    warmup: mode === 'full' ? 1 : 0,
  });
  const notes =
    `ns from spawn to the first /metrics answer, fresh processes: package ${formatNs(stats.aMedian)} (defaults: tracing on, ` +
    `OTLP grpc, http + fetch instrumentations, default metrics), baseline ${formatNs(stats.bMedian)} ` +
    `(--import auto-instrumentations-node/register, OTEL_* defaults: every auto-instrumentation, OTLP http/protobuf, ` +
    `plus prom-client with default metrics). Target <= 0.5.`;
  return [timeResult('cold_start', stats, notes)];
}

/**
 * `cold_start@handwired` (issue 20): the package with its defaults against the careful hand-wired
 * set a service would write instead: NodeSDK with the http and undici instrumentations, the OTLP
 * gRPC exporter, a parent-based ratio sampler, the instrumentation ESM hook, a prom-client
 * endpoint with default metrics and pino (bench/probes/handwired-telemetry.ts,
 * cold-start-handwired.ts). `cold_start@handwired,express+pg`: both with the express and pg
 * instrumentations on as well; its notes give what turning them on adds to each side.
 */
export async function runColdStartHandwired(mode: BenchMode): Promise<BenchResult[]> {
  const size = SIZES[mode];
  const measure = (frameworks: boolean) =>
    compareRounds({
      a: () => timeToFirstScrape([PACKAGE_PROBE], childEnv(frameworks ? { BENCH_EXPRESS_PG: '1' } : {})),
      b: () =>
        timeToFirstScrape(
          ['--import', HANDWIRED_TELEMETRY, HANDWIRED_PROBE],
          childEnv(frameworks ? { BENCH_EXPRESS_PG: '1' } : {}),
        ),
      rounds: size.rounds,
      warmup: mode === 'full' ? 1 : 0,
    });
  const plain = await measure(false);
  const frameworks = await measure(true);
  const addedA = frameworks.aMedian - plain.aMedian;
  const addedB = frameworks.bMedian - plain.bMedian;
  return [
    timeResult(
      'cold_start@handwired',
      plain,
      `ns from spawn to the first /metrics answer, fresh processes: package ${formatNs(plain.aMedian)} (defaults), ` +
        `hand-wired ${formatNs(plain.bMedian)} (NodeSDK 0.301 + http and undici instrumentations + OTLP gRPC exporter + ` +
        'parent-based ratio sampler + instrumentation ESM hook, prom-client with default metrics, pino). Aim <= 0.8.',
    ),
    timeResult(
      'cold_start@handwired,express+pg',
      frameworks,
      `the same with the express and pg instrumentations on: package ${formatNs(frameworks.aMedian)}, hand-wired ` +
        `${formatNs(frameworks.bMedian)}. Turning them on adds ${formatNs(addedA)} to the package and ` +
        `${formatNs(addedB)} to the hand-wired set (medians). Aim: no more than the hand-wired set adds.`,
    ),
  ];
}
