import type { CallState } from './call-recorder.js';

/** Ends the call as a success; never throws. */
export function finishSuccess(state: CallState): void {
  try {
    state.recorder.succeeded(state);
  } catch (error) {
    state.recorder.warnOnce(state.runtime, 'OBS_WARN_INSTRUMENTATION_FAILED', 'recording the completion', error);
  }
  endSpan(state);
}

/** Ends the call as a failure (or an expected error); never throws. */
export function finishFailure(state: CallState, error: unknown): void {
  try {
    state.recorder.failed(state, error, state.recorder.isExpected(state.runtime, error));
  } catch (recordError) {
    state.recorder.warnOnce(state.runtime, 'OBS_WARN_INSTRUMENTATION_FAILED', 'recording the failure', recordError);
  }
  endSpan(state);
}

function endSpan(state: CallState): void {
  try {
    state.span.end();
  } catch (error) {
    state.recorder.warnOnce(state.runtime, 'OBS_WARN_INSTRUMENTATION_FAILED', 'ending the span', error);
  }
}
