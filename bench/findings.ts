/**
 * What the profiles showed where a target is missed, appended to that comparison's notes by
 * run.ts. Profiles were taken with `node --cpu-prof dist/bench/worker.js <kind> <param> quick`
 * (and bench/probes/log-line-profile.js for single lines) on the 2-core development machine.
 * Figures quoted from this run are filled in from the results.
 */
import { formatNs, type BenchResult } from './harness.js';

const TARGET_MISSED: Record<string, (results: readonly BenchResult[]) => string> = {
  'task_call@0': (results) => taskCallFinding(results, 'task_call@0', 0.8),
  'task_call@0.1': (results) => taskCallFinding(results, 'task_call@0.1', 1.0),
  log_line: () =>
    'Profile (bench/probes/log-line-profile.js): the context fields are written pre-serialized, as child bindings ' +
    '(src/logging/context-child.ts makes a child of the logger per context, reused by every line of a span; no mixin, ' +
    "no per-line copy): the package's own code (the logMethod hook, the cached field lookup, the secret-key walk) is about 2% of " +
    'samples; pino._asJson/asJson, the string write and garbage collection of the longer line dominate. The gap is the bytes ' +
    'of the four correlation fields and the service identity (~130 bytes a line; see pino_same_fields, where the same fields ' +
    'cost more through a mixin): not reachable below this while the line carries the correlation it is for.',
};

function taskCallFinding(results: readonly BenchResult[], name: string, target: number): string {
  const off = results.find((r) => r.name === 'task_call@0,error_capture=off');
  const offText = off === undefined ? '' : ` (${off.ratio_median.toFixed(2)} at ratio 0 with error capture off)`;
  const result = results.find((r) => r.name === name);
  const extra = result?.extra_ns_median ?? {};
  const [undecorated, taskQuiet, handQuiet] = [extra.undecorated, extra.task_without_logs, extra.by_hand_without_logs];
  let budget = '';
  if (result?.a_ns_median !== undefined && result.b_ns_median !== undefined && undecorated !== undefined) {
    if (taskQuiet !== undefined && handQuiet !== undefined) {
      const lines = result.a_ns_median - taskQuiet;
      const room = target * result.b_ns_median - lines - undecorated;
      budget =
        ` To reach ${target.toFixed(1)} with its lines as they cost now, @Task's work besides them would have to fit in ` +
        `${formatNs(Math.max(room, 0))}; it is ${formatNs(taskQuiet - undecorated)}, and the hand-written side's is ` +
        `${formatNs(handQuiet - undecorated)}.`;
    }
  }
  return (
    'Profile (bench/probes/task-call-profile.js, --cpu-prof of the worker, and the variants without log lines above): the ' +
    'two pino lines are most of both sides and cost @Task about what they cost pino by hand. Besides the lines @Task now ' +
    'costs about what the hand-written code costs: a dropped span is a captured span (a record of the calls made on it, ' +
    'replayed onto an SDK span only when its trace is kept) and its trace is listed for error capture only once it holds ' +
    `a span${offText}; the task counters and the running gauge add to pending sums that prom-client gets at each read. ` +
    'What is left over the hand-written side: the running-tasks gauge and error capture it does not have, and the promise ' +
    "returned in place of the method's own so that an ignored rejection is reported as before. At ratio 0 both sides make " +
    'a non-recording span through the SDK, which @Task needs too (its ids correlate the log lines and carry the ' +
    `not-sampled decision downstream), so there is no span work left to skip.${budget} What would close it: fewer or ` +
    "cheaper log lines (logs: 'errors', or logging.task_events_level: debug), which the comparison does not allow."
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
