/**
 * `npm run bench [-- --quick | --tiny] [--only=<prefix>,...] [--results=<file>] [--docs=<file>|--no-docs]`
 *
 * Runs every comparison (each in-process one in its own worker process, the start-up and memory
 * ones in fresh processes of their own), prints one line per comparison, writes bench/results.json
 * (one object per comparison) and regenerates the tables of docs/performance.md with the Node
 * version and CPU. `--quick` runs fewer, shorter rounds (well under a minute) and keeps the last
 * install_weight figure; `--tiny` is the test's size (not figures to publish).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, runColdStart } from './comparisons/cold-start.js';
import { runInstallWeight } from './comparisons/install-weight.js';
import { scrapeSizes } from './comparisons/scrape.js';
import { runStartupParts, type StartupPart } from './comparisons/startup-parts.js';
import { runTenantMemory } from './comparisons/tenant-memory.js';
import { addFindings } from './findings.js';
import { describeEnvironment, formatted, missesTarget, regenerateDocs } from './report.js';
import { formatRatio, type BenchMode, type BenchResult } from './harness.js';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'worker.js');

interface Options {
  mode: BenchMode;
  only: string[] | undefined;
  results: string;
  startup: string;
  docs: string | undefined;
}

function parseArgs(argv: string[]): Options {
  const value = (flag: string) => argv.find((arg) => arg.startsWith(`--${flag}=`))?.slice(flag.length + 3);
  const mode: BenchMode = argv.includes('--tiny') ? 'tiny' : argv.includes('--quick') ? 'quick' : 'full';
  const results = value('results') ?? join(REPO_ROOT, 'bench', 'results.json');
  return {
    mode,
    only: value('only')?.split(','),
    results,
    startup: join(dirname(results), 'startup-parts.json'),
    docs: argv.includes('--no-docs') ? undefined : (value('docs') ?? join(REPO_ROOT, 'docs', 'performance.md')),
  };
}

function inWorker(kind: string, param: string, mode: BenchMode): BenchResult[] {
  const out = execFileSync(process.execPath, [WORKER, kind, param, mode], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as BenchResult[];
}

/** The comparisons, in run order: name, and how to run it. */
function plan(mode: BenchMode): Array<[string, () => Promise<BenchResult[]> | BenchResult[]]> {
  const scrapes = scrapeSizes(mode).map(
    (n) =>
      [`scrape@${n >= 1000 ? `${n / 1000}k` : n}`, () => inWorker('scrape', String(n), mode)] as [
        string,
        () => BenchResult[],
      ],
  );
  return [
    ['task_call@0', () => inWorker('task_call', '0', mode)],
    ['task_call@0.1', () => inWorker('task_call', '0.1', mode)],
    ['task_call@1', () => inWorker('task_call', '1', mode)],
    ['task_call@0,error_capture=off', () => inWorker('task_call_no_capture', '0', mode)],
    ...scrapes,
    ['log_line', () => inWorker('log_line', '', mode)],
    ['cold_start', () => runColdStart(mode)],
    ['tenant_memory', () => runTenantMemory(mode)],
    ['install_weight', () => (mode === 'full' ? runInstallWeight() : [])],
  ];
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
  const options = parseArgs(process.argv.slice(2));
  const previous = readPrevious(options.results);
  const selected = (name: string) =>
    options.only === undefined || options.only.some((prefix) => name.startsWith(prefix));
  const started = Date.now();
  console.log(`bench mode ${options.mode}; ${describeEnvironment().summary}`);
  const results: BenchResult[] = [];
  for (const [name, run] of plan(options.mode)) {
    if (!selected(name)) continue;
    for (const result of await run()) {
      results.push(result);
      printResult(result);
    }
  }
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
  if (selected('startup')) {
    parts = runStartupParts(options.mode);
    for (const part of parts) console.log(`start-up ${part.part.padEnd(58)} ${part.ms_median} ms, ${part.files} files`);
  }
  writeFileSync(options.results, await formatted(options.results, JSON.stringify(results, null, 2)));
  if (parts !== undefined)
    writeFileSync(options.startup, await formatted(options.startup, JSON.stringify(parts, null, 2)));
  else if (existsSync(options.startup)) parts = JSON.parse(readFileSync(options.startup, 'utf8')) as StartupPart[];
  if (options.docs !== undefined) await regenerateDocs(options.docs, results, parts ?? [], options.mode);
  console.log(
    `wrote ${options.results}${options.docs === undefined ? '' : ` and ${options.docs}`} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}

await main();
