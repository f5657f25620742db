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
    'Profile: pino._asJson/asJson and the string write dominate both sides; the lookup of the fields (mixin, cached per ' +
    'context) and the secret-key walk are each under 1% of samples. The gap is printing four more fields (~110 bytes): ' +
    'see pino_same_fields. The rest, measured by rebuilding the logger option by option: the mixinMergeStrategy copy ' +
    "(Object.assign of the cached fields and the caller's, in src/logging/trace-mixin.ts) about 5%, redaction paths about 1%. Closing it means writing the fields pre-serialized, as pino does for child bindings " +
    '(src/logging/trace-mixin.ts cannot hand pino raw JSON; a per-span child logger costs more than two lines save), ' +
    'or dropping fields from the line; neither is done: the target is not reachable while the line carries the correlation it is for.',
};

function taskCallFinding(results: readonly BenchResult[]): string {
  const off = results.find((r) => r.name === 'task_call@0,error_capture=off');
  const offText = off === undefined ? '' : ` (${off.ratio_median.toFixed(2)} at ratio 0 with error capture off)`;
  return (
    'Profile (--cpu-prof of the worker): the two pino lines are the largest part of both sides; the package pays in addition ' +
    `error capture, on by default, which records every span the ratio dropped and buffers it until its trace ends${offText}, ` +
    'its logger (see log_line) and the tenant guard. A hand-written call at ratio 0 pays no span work either (the SDK ' +
    'returns a non-recording span), so @Task has no work to skip there. What would close it: error capture recording a ' +
    'dropped span lazily (src/tracing/samplers/record-dropped-sampler.ts and error-capture-processor.ts, owned by tracing), ' +
    'or error_capture.enabled: false on hot paths; and the log line cost of log_line.'
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
