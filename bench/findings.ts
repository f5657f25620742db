/**
 * What the profiles showed where a target is missed, appended to that comparison's notes by
 * run.ts. Profiles were taken with `node --cpu-prof dist/bench/worker.js <kind> <param> quick`
 * (and bench/probes/log-line-profile.js for single lines) on the 2-core development machine.
 * Figures quoted from this run are filled in from the results.
 */
import type { BenchResult } from './harness.js';

const TARGET_MISSED: Record<string, (results: readonly BenchResult[]) => string> = {
  'task_call@0': (results) => `${taskCallFinding(results)}`,
  'task_call@0.1': (results) => `${taskCallFinding(results)}`,
  log_line: () =>
    'Profile (bench/probes/log-line-profile.js): the context fields are written pre-serialized, as pino writes child ' +
    'bindings (src/logging/unique-keys.ts builds a view of the logger per context, reused by every line of a span; no mixin, ' +
    "no per-line copy): the package's own code (the logMethod hook, the cached field lookup, the secret-key walk) is about 2% of " +
    'samples; pino._asJson/asJson, the string write and garbage collection of the longer line dominate. The gap is the bytes ' +
    'of the four correlation fields and the service identity (~130 bytes a line; see pino_same_fields, where the same fields ' +
    'cost more through a mixin): not reachable below this while the line carries the correlation it is for.',
};

function taskCallFinding(results: readonly BenchResult[]): string {
  const off = results.find((r) => r.name === 'task_call@0,error_capture=off');
  const offText = off === undefined ? '' : ` (${off.ratio_median.toFixed(2)} at ratio 0 with error capture off)`;
  return (
    'Profile (bench/probes/task-call-profile.js, error capture on against off, and --cpu-prof of the worker): the two pino ' +
    'lines are the largest part of both sides. The package pays in addition error capture, on by default' +
    `${offText}: to keep a dropped trace that later fails it records every dropped span (an SDK SpanImpl: start and end ` +
    'times, attribute validation, the processor chain) where the hand-written side gets a non-recording span. Its own ' +
    'bookkeeping is now a map entry per trace, swept in batches, and no buffer unless a span must wait; the remaining cost ' +
    'is the recording span itself. At ratio 0 a hand-written call does no span work, so @Task has nothing to skip that ' +
    'would bring it to 0.8. What would close the error-capture part: a span type of our own for dropped spans that records ' +
    'lazily and becomes an SDK span only when its trace fails (not done), or error_capture.enabled: false on hot paths.'
  );
}

/** Appends the finding of each comparison that missed its target to its notes. */
export function addFindings(results: BenchResult[], missed: (result: BenchResult) => boolean): void {
  for (const result of results) {
    const finding = TARGET_MISSED[result.name];
    if (finding !== undefined && missed(result) && !result.notes.includes(' Missed: ')) {
      result.notes += ` Missed: ${finding(results)}`;
    }
  }
}
