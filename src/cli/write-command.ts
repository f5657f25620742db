import { resolve } from 'node:path';
import type { Artifact } from '../monitoring/artifacts.js';
import type { CliIo } from './check-config.js';

/** Parses `--out DIR` (or `--out=DIR`); returns the folder or a usage problem. */
export function parseOutDir(args: readonly string[]): { dir: string } | { problem: string } {
  let dir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--out') {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('-')) return { problem: '--out needs a folder' };
      dir = next;
      i++;
    } else if (arg.startsWith('--out=')) {
      dir = arg.slice('--out='.length);
      if (dir === '') return { problem: '--out needs a folder' };
    } else {
      return { problem: `unknown option or argument: ${arg}` };
    }
  }
  return dir === undefined ? { problem: '--out DIR is required' } : { dir };
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
  const parsed = parseOutDir(args);
  if ('problem' in parsed) {
    io.stderr(`${parsed.problem}\n${usage}`);
    return 2;
  }
  // Loaded on demand: the generators and Grafana's SDK are only needed by these commands.
  const { writeArtifacts } = await import('../monitoring/artifacts.js');
  const generated = await artifacts();
  try {
    for (const path of writeArtifacts(resolve(io.cwd, parsed.dir), generated)) io.stdout(`wrote ${path}\n`);
    return 0;
  } catch (error) {
    io.stderr(`could not write to ${parsed.dir}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
