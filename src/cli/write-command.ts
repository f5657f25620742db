import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Artifact } from '../operator-kit/artifacts.js';
import type { CliIo } from './check-config.js';

/** The `--out DIR` option every writing command takes. */
export const OUT_OPTION = { out: { type: 'string' } } as const satisfies ParseArgsConfig['options'];

/**
 * Parses `args` with `util.parseArgs` (strict: unknown options and positionals are usage errors);
 * returns the values or the problem in one line. An option that is not `multiple` given twice is
 * a problem too (parseArgs would keep the last silently).
 */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: T,
):
  | { values: ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: false }>>['values'] }
  | { problem: string } {
  try {
    const parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: false, tokens: true });
    const seen = new Set<string>();
    for (const token of parsed.tokens) {
      if (token.kind !== 'option' || options[token.name]?.multiple === true) continue;
      if (seen.has(token.name)) return { problem: `--${token.name} is given more than once; give it once` };
      seen.add(token.name);
    }
    return { values: parsed.values };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

/** The `--out` folder of parsed values, or the usage problem when it is missing or empty. */
export function outDirOf(values: { out?: string | undefined }): { dir: string } | { problem: string } {
  if (values.out === undefined) return { problem: '--out DIR is required' };
  if (values.out === '' || values.out.startsWith('-')) return { problem: '--out needs a folder' };
  return { dir: values.out };
}

/** Writes `artifacts` into `dir` (relative to the working directory), printing each path; returns the exit code. */
export async function writeInto(dir: string, artifacts: readonly Artifact[], io: CliIo): Promise<number> {
  const { writeArtifacts } = await import('../operator-kit/artifacts.js');
  try {
    for (const path of writeArtifacts(resolve(io.cwd, dir), artifacts)) io.stdout(`wrote ${path}\n`);
    return 0;
  } catch (error) {
    io.stderr(`could not write to ${dir}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/**
 * Writes `artifacts()` into the `--out` folder (relative to the working directory) and prints
 * each path (the generators are imported on demand). Exit codes: 0 written, 1 a file could not be written, 2 usage error.
 */
export async function runWriteCommand(
  usage: string,
  args: readonly string[],
  io: CliIo,
  artifacts: () => Promise<Artifact[]>,
): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(usage);
    return 0;
  }
  const parsed = parseCommandArgs(args, OUT_OPTION);
  const out = 'problem' in parsed ? parsed : outDirOf(parsed.values);
  if ('problem' in out) {
    io.stderr(`${out.problem}\n${usage}`);
    return 2;
  }
  // Loaded on demand: the generators are only needed by these commands.
  return writeInto(out.dir, await artifacts(), io);
}
