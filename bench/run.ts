/**
 * `npm run bench [-- --quick | --tiny] [--only=<prefix>,...] [--results=<file>] [--docs=<file>|--no-docs]`
 *
 * Runs every comparison (each in-process one in its own worker process, the start-up and memory
 * ones in fresh processes of their own), prints one line per comparison, writes bench/results.json
 * (one object per comparison) and regenerates the tables of docs/performance.md with the Node
 * version and CPU. `--quick` runs fewer, shorter rounds, two CPU-timed or memory comparisons at a
 * time, and keeps the last install_weight figure and start-up table (20 to 30 s here, see
 * docs/performance.md); `--tiny` is the test's size (not figures to publish). The command line is
 * checked before anything runs (bench/args.ts): a mistake exits 2 with a message, writing nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { REPO_ROOT, runColdStart, runColdStartHandwired } from './comparisons/cold-start.js';
import { runInstallWeight } from './comparisons/install-weight.js';
import { scrapeSizes } from './comparisons/scrape.js';
import { runStartupParts, type StartupPart } from './comparisons/startup-parts.js';
import { runTenantMemory } from './comparisons/tenant-memory.js';
import { BENCH_USAGE, BenchUsageError, parseBenchArgs } from './args.js';
import { addFindings } from './findings.js';
import { describeEnvironment, formatted, missesTarget, regenerateDocs } from './report.js';
import { formatRatio, type BenchMode, type BenchResult } from './harness.js';

const execFileAsync = promisify(execFile);
const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'worker.js');

async function inWorker(kind: string, param: string, mode: BenchMode): Promise<BenchResult[]> {
  const child = execFileAsync(process.execPath, [WORKER, kind, param, mode], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  child.child.stderr?.pipe(process.stderr);
  const { stdout } = await child;
  return JSON.parse(stdout.trim().split('\n').pop()!) as BenchResult[];
}

/** One comparison of the plan. */
interface Step {
  name: string;
  run: () => Promise<BenchResult[]> | BenchResult[];
  /**
   * True when its figure is CPU time of its own process or heap bytes, which another process on
   * the machine does not change: in quick mode such steps run two at a time. The wall-time ones
   * (cold_start, the start-up parts) and install_weight always run alone.
   */
  shareable: boolean;
}

/** The comparisons, in the order of results.json: name, and how to run it. */
function plan(mode: BenchMode): Step[] {
  const worker = (name: string, kind: string, param: string): Step => ({
    name,
    run: () => inWorker(kind, param, mode),
    shareable: true,
  });
  return [
    worker('task_call@0', 'task_call', '0'),
    worker('task_call@0.1', 'task_call', '0.1'),
    worker('task_call@1', 'task_call', '1'),
    worker('task_call@0,error_capture=off', 'task_call_no_capture', '0'),
    ...scrapeSizes(mode).map((n) => worker(`scrape@${n >= 1000 ? `${n / 1000}k` : n}`, 'scrape', String(n))),
    worker('log_line', 'log_line', ''),
    { name: 'cold_start', run: () => runColdStart(mode), shareable: false },
    { name: 'cold_start@handwired', run: () => runColdStartHandwired(mode), shareable: false },
    { name: 'tenant_memory', run: () => runTenantMemory(mode), shareable: true },
    { name: 'install_weight', run: () => (mode === 'full' ? runInstallWeight() : []), shareable: false },
  ];
}

/**
 * Runs `steps` and returns their results in plan order. The full run (the published figures) and
 * the tiny one run one step at a time; quick mode runs the shareable steps two at a time, longest
 * first, then the others one at a time, so the wall-time figures never share the machine with the bench.
 */
async function runSteps(steps: readonly Step[], mode: BenchMode): Promise<BenchResult[]> {
  const outputs = new Map<Step, BenchResult[]>();
  const runOne = async (step: Step) => {
    const results = await step.run();
    outputs.set(step, results);
    for (const result of results) printResult(result);
  };
  const together = mode === 'quick' ? steps.filter((step) => step.shareable) : [];
  // The longest first (tenant_memory's fresh processes, the 100k-series scrape), the rest in plan order.
  const longest = ['tenant_memory', 'scrape@100k'];
  const rank = (step: Step) => (longest.includes(step.name) ? longest.indexOf(step.name) : longest.length);
  const queue = [...together].sort((x, y) => rank(x) - rank(y));
  await Promise.all(
    [0, 1].map(async () => {
      for (let step = queue.shift(); step !== undefined; step = queue.shift()) await runOne(step);
    }),
  );
  for (const step of steps) if (!outputs.has(step)) await runOne(step);
  return steps.flatMap((step) => outputs.get(step)!);
}

function printResult(result: BenchResult): void {
  const unit = result.a_bytes_median !== undefined ? 'bytes' : 'ns';
  const a = result.a_ns_median ?? result.a_bytes_median;
  const b = result.b_ns_median ?? result.b_bytes_median;
  console.log(
    `${result.name.padEnd(16)} ratio ${formatRatio(result.ratio_median)} [${formatRatio(result.ratio_min)}..${formatRatio(result.ratio_max)}] ` +
      `A ${a} ${unit}, B ${b} ${unit} (${result.rounds} rounds)`,
  );
}

function readPrevious(path: string): BenchResult[] {
  if (!existsSync(path)) return [];
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as BenchResult[];
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  let options;
  try {
    options = parseBenchArgs(process.argv.slice(2), (mode) => plan(mode).map((step) => step.name), REPO_ROOT);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    console.error(`bench: ${error.message}\n${BENCH_USAGE}`);
    process.exitCode = 2;
    return;
  }
  const previous = readPrevious(options.results);
  const selected = (name: string) =>
    options.only === undefined || options.only.some((prefix) => name.startsWith(prefix));
  const started = Date.now();
  console.log(`bench mode ${options.mode}; ${describeEnvironment().summary}`);
  const results = await runSteps(
    plan(options.mode).filter((step) => selected(step.name)),
    options.mode,
  );
  // A figure not measured in this run (install_weight outside full mode, comparisons left out by
  // --only) keeps its last value, marked as such, so results.json always lists every comparison.
  for (const old of previous) {
    if (results.some((result) => result.name === old.name)) continue;
    if (options.mode === 'tiny') continue;
    const carried = old.notes.startsWith('(from an earlier run) ') ? old.notes : `(from an earlier run) ${old.notes}`;
    results.push({ ...old, notes: carried });
  }
  addFindings(results, missesTarget);
  let parts: StartupPart[] | undefined;
  // The start-up breakdown (issue 8's diagnostic, no A/B) takes a fresh process per part; quick
  // mode keeps the last table unless --only names it.
  const measureStartup =
    options.mode === 'quick' ? options.only !== undefined && selected('startup') : selected('startup');
  if (measureStartup) {
    parts = runStartupParts(options.mode);
    for (const part of parts) console.log(`start-up ${part.part.padEnd(58)} ${part.ms_median} ms, ${part.files} files`);
  }
  writeFileSync(options.results, await formatted(options.results, JSON.stringify(results, null, 2)));
  if (parts !== undefined)
    writeFileSync(options.startup, await formatted(options.startup, JSON.stringify(parts, null, 2)));
  else if (existsSync(options.startup)) parts = JSON.parse(readFileSync(options.startup, 'utf8')) as StartupPart[];
  if (options.docs !== undefined)
    await regenerateDocs(options.docs, results, parts ?? [], options.mode, measureStartup);
  console.log(
    `wrote ${options.results}${options.docs === undefined ? '' : ` and ${options.docs}`} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}

await main();
