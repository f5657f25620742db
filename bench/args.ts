/**
 * The command line of `npm run bench`, checked before anything runs: a mistake (an unknown flag,
 * `--quick` with `--tiny`, an `--only` that names no comparison, an output that cannot be written)
 * is a {@link BenchUsageError} naming it, so that a typo never runs the full bench and overwrites
 * bench/results.json and docs/performance.md, and a bad output path does not fail after the run.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchMode } from './harness.js';

/** The usage line printed with every usage error. */
export const BENCH_USAGE =
  'usage: npm run bench [-- --quick | --tiny] [--only=<prefix>,...] [--results=<file>] [--docs=<file> | --no-docs]';

/** A mistake on the bench's command line; run.ts prints its message and the usage, and exits 2. */
export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

/** What the command line asks for. */
export interface BenchOptions {
  mode: BenchMode;
  /** Name prefixes of the comparisons to run (`startup` for the start-up breakdown); undefined: all. */
  only: string[] | undefined;
  results: string;
  /** The start-up breakdown's file, next to `results`. */
  startup: string;
  /** The performance doc to regenerate; undefined with --no-docs. */
  docs: string | undefined;
}

/** The generated blocks of the performance doc (`<!-- bench:NAME:start -->` ... `:end -->`). */
const DOC_BLOCKS = ['conditions', 'results', 'startup'] as const;

/**
 * Parses and checks `argv` (without node and the script). `names(mode)` lists the comparisons of
 * the plan in that mode; each `--only` prefix must start at least one of them or `startup`.
 * `root` is the repository (default outputs). Throws BenchUsageError on any mistake.
 */
export function parseBenchArgs(
  argv: readonly string[],
  names: (mode: BenchMode) => readonly string[],
  root: string,
): BenchOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean' },
        tiny: { type: 'boolean' },
        only: { type: 'string' },
        results: { type: 'string' },
        docs: { type: 'string' },
        'no-docs': { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new BenchUsageError((error as Error).message.split('\n')[0]!);
  }
  if (values.quick === true && values.tiny === true) throw new BenchUsageError('--quick and --tiny exclude each other');
  if (values.docs !== undefined && values['no-docs'] === true)
    throw new BenchUsageError('--docs and --no-docs exclude each other');
  const mode: BenchMode = values.tiny === true ? 'tiny' : values.quick === true ? 'quick' : 'full';
  const only = values.only === undefined ? undefined : parseOnly(values.only as string, [...names(mode), 'startup']);
  const results = resolve(
    nonEmpty('results', values.results as string | undefined) ?? join(root, 'bench', 'results.json'),
  );
  checkWritable('--results', results);
  const startup = join(dirname(results), 'startup-parts.json');
  const docs =
    values['no-docs'] === true
      ? undefined
      : resolve(nonEmpty('docs', values.docs as string | undefined) ?? join(root, 'docs', 'performance.md'));
  if (docs !== undefined) checkDoc(docs);
  return { mode, only, results, startup, docs };
}

function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value === '') throw new BenchUsageError(`--${flag}= is empty: give a file, or leave the flag out`);
  return value;
}

function parseOnly(value: string, known: readonly string[]): string[] {
  const prefixes = value.split(',').map((prefix) => prefix.trim());
  if (prefixes.some((prefix) => prefix === ''))
    throw new BenchUsageError(`--only=${value} has an empty name: give comparison names, e.g. --only=scrape,log_line`);
  const unknown = prefixes.filter((prefix) => !known.some((name) => name.startsWith(prefix)));
  if (unknown.length > 0)
    throw new BenchUsageError(
      `--only names no comparison: ${unknown.join(', ')} (the comparisons: ${known.join(', ')}; a prefix selects those it starts)`,
    );
  return prefixes;
}

function checkWritable(flag: string, file: string): void {
  const dir = dirname(file);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new BenchUsageError(`${flag}: the directory ${dir} does not exist`);
  try {
    accessSync(existsSync(file) ? file : dir, constants.W_OK);
  } catch {
    throw new BenchUsageError(`${flag}: ${file} cannot be written`);
  }
}

/** The doc is rewritten in place: it must exist and hold every generated block's markers. */
function checkDoc(file: string): void {
  if (!existsSync(file))
    throw new BenchUsageError(
      `--docs: ${file} does not exist (the tables are written into a copy of docs/performance.md; or use --no-docs)`,
    );
  checkWritable('--docs', file);
  const text = readFileSync(file, 'utf8');
  const missing = DOC_BLOCKS.filter(
    (block) => !text.includes(`<!-- bench:${block}:start -->`) || !text.includes(`<!-- bench:${block}:end -->`),
  );
  if (missing.length > 0)
    throw new BenchUsageError(
      `--docs: ${file} lacks the markers of the ${missing.join(', ')} block${missing.length === 1 ? '' : 's'} (<!-- bench:NAME:start --> and <!-- bench:NAME:end -->)`,
    );
}
