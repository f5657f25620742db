/**
 * The generated parts of docs/performance.md: the conditions of the run, the comparison table and
 * the start-up breakdown, each between `<!-- bench:<block>:start -->` and `<!-- bench:<block>:end -->`.
 * Everything outside the markers is prose kept by hand.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { formatBytes, formatNs, formatRatio, type BenchMode, type BenchResult } from './harness.js';
import type { StartupPart } from './comparisons/startup-parts.js';

/** Targets of issue 12 (ratio A/B, or bytes of A for tenant_memory). */
const TARGETS: Record<string, { text: string; met: (r: BenchResult) => boolean }> = {
  'task_call@0': { text: '<= 0.8', met: (r) => r.ratio_median <= 0.8 },
  'task_call@0.1': { text: '<= 1.0', met: (r) => r.ratio_median <= 1.0 },
  'scrape@1k': { text: '<= 1.0', met: (r) => r.ratio_median <= 1.0 },
  'scrape@10k': { text: '<= 1.0', met: (r) => r.ratio_median <= 1.0 },
  'scrape@100k': { text: '<= 1.0', met: (r) => r.ratio_median <= 1.0 },
  log_line: { text: '<= 1.15', met: (r) => r.ratio_median <= 1.15 },
  cold_start: { text: '<= 0.5', met: (r) => r.ratio_median <= 0.5 },
  'cold_start@handwired': { text: '<= 0.8', met: (r) => r.ratio_median <= 0.8 },
  'install_weight@handwired': { text: '<= 1.0', met: (r) => r.ratio_median <= 1.0 },
  tenant_memory: { text: 'A < 10 MB', met: (r) => (r.a_bytes_median ?? Infinity) < 10_000_000 },
  install_weight: { text: 'A < 80 MB', met: (r) => (r.a_bytes_median ?? Infinity) < 80_000_000 },
};

/** True when `result` has a target and misses it. */
export function missesTarget(result: BenchResult): boolean {
  const target = TARGETS[result.name];
  return target !== undefined && !target.met(result);
}

/** The conditions of this run, for the doc and the console. */
export function describeEnvironment(): { summary: string } {
  const cpu = cpus();
  const load = loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
  return {
    summary: `Node ${process.version}, ${cpu[0]?.model.trim() ?? 'unknown CPU'} x ${cpu.length}, ${process.platform}/${process.arch}, load average ${load}`,
  };
}

function figure(result: BenchResult, side: 'a' | 'b'): string {
  const ns = side === 'a' ? result.a_ns_median : result.b_ns_median;
  const bytes = side === 'a' ? result.a_bytes_median : result.b_bytes_median;
  return ns !== undefined ? formatNs(ns) : bytes !== undefined ? formatBytes(bytes) : '';
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function resultsTable(results: readonly BenchResult[]): string {
  const rows = results.map((result) => {
    const target = TARGETS[result.name];
    const verdict = target === undefined ? '' : `${target.text} ${target.met(result) ? '(met)' : '(**missed**)'}`;
    return (
      `| \`${result.name}\` | ${formatRatio(result.ratio_median)} | ${formatRatio(result.ratio_min)} to ${formatRatio(result.ratio_max)} | ` +
      `${figure(result, 'a')} | ${figure(result, 'b')} | ${verdict} |`
    );
  });
  const notes = results.map((result) => `- \`${result.name}\`: ${escapeCell(result.notes)}`);
  return [
    '| Comparison | A/B (median) | A/B (min to max) | A (median) | B (median) | Target |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    ...notes,
  ].join('\n');
}

function startupTable(parts: readonly StartupPart[], measured: boolean): string {
  if (parts.length === 0) return '_Not measured in this run._';
  return [
    ...(measured
      ? []
      : [
          '_From an earlier run: `npm run bench -- --quick` and `--only` runs that leave out `startup` keep the last table._',
          '',
        ]),
    '| Part (loaded alone in a fresh process) | Time (median) | Files loaded | Largest packages (files) |',
    '| --- | ---: | ---: | --- |',
    ...parts.map(
      (part) =>
        `| ${part.part} | ${part.ms_median.toFixed(0)} ms | ${part.files} | ${part.top_packages.map(([name, n]) => `${name} ${n}`).join(', ')} |`,
    ),
  ].join('\n');
}

function replaceBlock(doc: string, block: string, body: string): string {
  const start = `<!-- bench:${block}:start -->`;
  const end = `<!-- bench:${block}:end -->`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from === -1 || to < from) throw new Error(`docs/performance.md lacks the markers of the ${block} block`);
  return `${doc.slice(0, from + start.length)}\n${body}\n${doc.slice(to)}`;
}

/** Rewrites the generated blocks of the performance doc at `path` from this run (`partsMeasured`: the start-up parts were measured in it). */
export async function regenerateDocs(
  path: string,
  results: readonly BenchResult[],
  parts: readonly StartupPart[],
  mode: BenchMode,
  partsMeasured: boolean,
): Promise<void> {
  let doc = readFileSync(path, 'utf8');
  const conditions =
    `Measured with \`npm run bench${mode === 'full' ? '' : ` -- --${mode}`}\` on ${new Date().toISOString().slice(0, 10)}: ` +
    `${describeEnvironment().summary} (at the end of the run).`;
  doc = replaceBlock(doc, 'conditions', conditions);
  doc = replaceBlock(doc, 'results', resultsTable(results));
  doc = replaceBlock(doc, 'startup', startupTable(parts, partsMeasured));
  writeFileSync(path, await formatted(path, doc));
}

/** `text` as the repository's prettier config formats a file at `path` (so `npm run check` stays green). */
export async function formatted(path: string, text: string): Promise<string> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(path)) ?? {};
  return prettier.format(text, { ...options, filepath: path });
}
