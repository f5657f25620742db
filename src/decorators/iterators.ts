import { context } from '@opentelemetry/api';
import type { CallState } from './call-recorder.js';
import { finishFailure, finishSuccess } from './finish.js';

// The end of an iteration is recorded in the call's context (log lines carry its trace_id, the
// duration exemplar its span), whoever drives the iterator.
function endInContext(state: CallState, error?: unknown, failed = false): void {
  if (failed) context.with(state.context, finishFailure, undefined, state, error);
  else context.with(state.context, finishSuccess, undefined, state);
}

type Step = 'next' | 'return' | 'throw';

/**
 * Wraps a generator so that the call's span covers its iteration: every step runs in the call's
 * context, and the span ends when the generator completes, is closed early (`break`, `return()`)
 * or throws. Arguments of next/return/throw are passed through as they are.
 */
export function wrapIterator(inner: Iterator<unknown>, state: CallState): IterableIterator<unknown> {
  let open = true;
  const step = (method: Step, value: unknown): IteratorResult<unknown> => {
    if (!open) return callStep(inner, method, value);
    let result: IteratorResult<unknown>;
    try {
      result = context.with(state.context, callStep, undefined, inner, method, value) as IteratorResult<unknown>;
    } catch (error) {
      open = false;
      endInContext(state, error, true);
      throw error;
    }
    if (result.done === true || method === 'return') {
      open = false;
      endInContext(state);
    }
    return result;
  };
  return {
    next: (value?: unknown) => step('next', value),
    return: (value?: unknown) => step('return', value),
    throw: (error?: unknown) => step('throw', error),
    [Symbol.iterator]() {
      return this;
    },
  };
}

/** {@link wrapIterator} for async generators (native or down-levelled). */
export function wrapAsyncIterator(inner: AsyncIterator<unknown>, state: CallState): AsyncIterableIterator<unknown> {
  let open = true;
  const step = async (method: Step, value: unknown): Promise<IteratorResult<unknown>> => {
    if (!open) return callStep(inner, method, value);
    let result: IteratorResult<unknown>;
    try {
      result = await (context.with(state.context, callStep, undefined, inner, method, value) as Promise<
        IteratorResult<unknown>
      >);
    } catch (error) {
      if (open) {
        open = false;
        endInContext(state, error, true);
      }
      throw error;
    }
    if (open && (result.done === true || method === 'return')) {
      open = false;
      endInContext(state);
    }
    return result;
  };
  return {
    next: (value?: unknown) => step('next', value),
    return: (value?: unknown) => step('return', value),
    throw: (error?: unknown) => step('throw', error),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function callStep<R>(
  inner: { next(v?: unknown): R; return?(v?: unknown): R; throw?(e?: unknown): R },
  method: Step,
  value: unknown,
): R {
  if (method === 'next') return inner.next(value);
  const fn = inner[method];
  if (typeof fn === 'function') return fn.call(inner, value);
  if (method === 'throw') throw value;
  return { done: true, value } as R;
}
