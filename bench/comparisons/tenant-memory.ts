/**
 * `tenant_memory`: heap growth (bytes, after a full GC) once 1,000,000 distinct tenant ids went
 * through a tenant-aware counter of the package (the catalog's grey_tasks_submitted_total, default
 * tenancy settings), against a prom-client counter with a raw tenant label, which keeps one series
 * per id and so is capped at a bounded count of ids (its figure is scaled to 1,000,000 linearly).
 * Each figure is measured in a fresh process (`node --expose-gc`), in shuffled order per round.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compareRounds, formatBytes, round3, type BenchMode, type BenchResult } from '../harness.js';

const SIZES: Record<BenchMode, { ids: number; baselineIds: number; rounds: number }> = {
  full: { ids: 1_000_000, baselineIds: 100_000, rounds: 3 },
  quick: { ids: 1_000_000, baselineIds: 20_000, rounds: 3 },
  tiny: { ids: 10_000, baselineIds: 1_000, rounds: 1 },
};

const PROBE = fileURLToPath(new URL('../probes/tenant-memory-probe.js', import.meta.url));

const execFileAsync = promisify(execFile);

/** Heap growth in bytes, measured in a fresh process (asynchronously: quick mode runs it beside a worker). */
async function probe(variant: 'package' | 'prom-client', ids: number): Promise<number> {
  const { stdout } = await execFileAsync(process.execPath, ['--expose-gc', PROBE, variant, String(ids)], {
    encoding: 'utf8',
  });
  return Number(stdout.trim());
}

/** Runs the tenant memory comparison. */
export async function runTenantMemory(mode: BenchMode): Promise<BenchResult[]> {
  const size = SIZES[mode];
  let baselineRaw = 0;
  const stats = await compareRounds({
    a: () => probe('package', size.ids),
    b: async () => {
      baselineRaw = await probe('prom-client', size.baselineIds);
      return (baselineRaw / size.baselineIds) * size.ids;
    },
    rounds: size.rounds,
    warmup: 0,
  });
  const target = 10_000_000;
  const notes =
    `bytes of heap growth after ${size.ids.toLocaleString('en')} distinct tenant ids through one tenant-aware counter ` +
    `(default tenancy: max_tenants_per_metric 100, overflow other): ${formatBytes(stats.aMedian)}. ` +
    `Baseline: prom-client counter with a raw tenant label, capped at ${size.baselineIds.toLocaleString('en')} ids ` +
    `(${formatBytes(baselineRaw)} measured, one series per id; it would not stay bounded), scaled linearly to ` +
    `${size.ids.toLocaleString('en')}: ${formatBytes(stats.bMedian)}. Target: package under 10 MB ` +
    `(${stats.aMedian < target ? 'met' : 'missed'}).`;
  return [
    {
      name: 'tenant_memory',
      ratio_median: round3(stats.ratioMedian),
      ratio_min: round3(stats.ratioMin),
      ratio_max: round3(stats.ratioMax),
      a_bytes_median: Math.round(stats.aMedian),
      b_bytes_median: Math.round(stats.bMedian),
      notes,
      rounds: stats.rounds,
    },
  ];
}
