/**
 * What each part costs at start-up (issue 8): every part of bench/probes/startup-part-probe.ts is
 * loaded alone in fresh processes; the median wall time and the files loaded, by package, are
 * kept. Parts share dependencies (@opentelemetry/api, core, ...), so their times do not add up.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, shuffled, type BenchMode } from '../harness.js';
import { REPO_ROOT } from './cold-start.js';

const PROBE = join(dirname(fileURLToPath(import.meta.url)), '..', 'probes', 'startup-part-probe.js');

/** One row of the start-up table. */
export interface StartupPart {
  part: string;
  ms_median: number;
  files: number;
  /** Files loaded by package, largest first (top 8). */
  top_packages: Array<[string, number]>;
}

const ROUNDS: Record<BenchMode, number> = { full: 6, quick: 1, tiny: 1 };

/** Measures every part, interleaved in shuffled order per round. */
export function runStartupParts(mode: BenchMode, only?: (name: string) => boolean): StartupPart[] {
  const all = JSON.parse(execFileSync(process.execPath, [PROBE, '--list'], { encoding: 'utf8' })) as string[];
  const names = only === undefined ? all : all.filter(only);
  const times = new Map<string, number[]>(names.map((name) => [name, []]));
  const modules = new Map<string, Record<string, number>>();
  // Round 0 counts files (with a load hook, its times are kept only when it is the only round).
  const rounds = ROUNDS[mode];
  for (let round = 0; round < rounds; round++) {
    for (const name of shuffled(names)) {
      const args = round === 0 ? [PROBE, name, 'count'] : [PROBE, name];
      const out = execFileSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8' });
      const { ms, modules: loaded } = JSON.parse(out.trim().split('\n').pop()!) as {
        ms: number;
        modules: Record<string, number>;
      };
      if (round > 0 || rounds === 1) times.get(name)!.push(ms);
      if (round === 0) modules.set(name, loaded);
    }
  }
  return names.map((part) => {
    const loaded = modules.get(part)!;
    const files = Object.values(loaded).reduce((sum, n) => sum + n, 0);
    const top = Object.entries(loaded)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 8);
    return { part, ms_median: Math.round(median(times.get(part)!) * 10) / 10, files, top_packages: top };
  });
}
