import { context } from '@opentelemetry/api';
import { getRuntime } from '../runtime.js';
import type { CallRecorder, CallState } from './call-recorder.js';
import { finishFailure, settle } from './call-end.js';
import type { AnyMethod } from './types.js';

/**
 * Calls `original` with `thisArg` and `args` under the telemetry of `recorder`. With no live runtime
 * (before initObservability() or after shutdown) the call runs untouched. Telemetry failures are
 * caught and warned about once; the method's own result, exception or rejection is passed through
 * unchanged, and its kind is kept: a sync method stays sync, a returned native promise is followed
 * by one that settles the same way and is reported by Node the same way when ignored (see
 * {@link observePromise}), a lazy thenable (or a Promise subclass with its own `then`) is never
 * triggered, and a generator's span covers its iteration.
 */
export function invokeInstrumented(
  recorder: CallRecorder,
  original: AnyMethod,
  thisArg: unknown,
  args: IArguments,
): unknown {
  const runtime = getRuntime();
  if (runtime === undefined) return Reflect.apply(original, thisArg, args);
  let state: CallState;
  try {
    state = recorder.begin(runtime, thisArg, args);
  } catch (error) {
    recorder.warnRateLimited(runtime, 'OBS_WARN_INSTRUMENTATION_FAILED', 'starting the span', error);
    return Reflect.apply(original, thisArg, args);
  }
  state.original = original;
  state.thisArg = thisArg;
  state.args = args;
  return context.with(state.context, runInCallContext, undefined, state);
}

function runInCallContext(state: CallState): unknown {
  try {
    state.recorder.started(state);
  } catch (error) {
    state.recorder.warnRateLimited(state.runtime, 'OBS_WARN_INSTRUMENTATION_FAILED', 'recording the start', error);
  }
  let result: unknown;
  try {
    result = Reflect.apply(state.original as AnyMethod, state.thisArg, state.args as IArguments);
  } catch (error) {
    finishFailure(state, error);
    throw error; // node-do-not-add-exception-line (the service's line stays first: call-end.ts, "Crash output")
  }
  return settle(state, result);
}
