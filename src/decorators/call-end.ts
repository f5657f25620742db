/**
 * How a decorated call ends, in one place: a sync return or throw ends the span at once; a native
 * promise is followed until it settles (without hiding its rejection from Node); a generator's span
 * covers its iteration; anything else (lazy thenables, Promise subclasses with their own `then`)
 * ends as a plain return. Every ending records through the call's recorder and never throws.
 *
 * Crash output: when the service's error is not caught, what Node prints must point at the
 * service's line, as it would without the package (issue 19, item 10). Node prints, above the
 * stack, the file, line and source of the place the error was last thrown; a `catch` that records
 * the error and throws it again (invoke.ts, the iterator wrapper below) would make that place the
 * package's own line. JavaScript has no rethrow that keeps the first place (only `finally`, which
 * cannot see the error), so those two rethrows carry Node's marker comment
 * `node-do-not-add-exception-line` (src/node_errors.cc GetErrorSource; Node uses it for its own
 * rethrows in lib/vm.js): Node then prints no such header for them, and the first place it prints
 * is the stack's first frame, the service's line. Rejections need no marker: Node takes their
 * header from the error's call sites, which the package keeps (src/error-stack.ts).
 */
import { context } from '@opentelemetry/api';
import { types } from 'node:util';
import type { CallState } from './call-recorder.js';

/** Ends the call as a success; never throws. */
function finishSuccess(state: CallState): void {
  try {
    state.recorder.succeeded(state);
  } catch (error) {
    state.recorder.warnRateLimited(state.runtime, 'OBS_WARN_INSTRUMENTATION_FAILED', 'recording the completion', error);
  }
  endSpan(state);
}

/** Ends the call as a failure (or an expected error); never throws. */
export function finishFailure(state: CallState, error: unknown): void {
  try {
    state.recorder.failed(state, error, state.recorder.isExpected(state.runtime, error));
  } catch (recordError) {
    state.recorder.warnRateLimited(
      state.runtime,
      'OBS_WARN_INSTRUMENTATION_FAILED',
      'recording the failure',
      recordError,
    );
  }
  endSpan(state);
}

function endSpan(state: CallState): void {
  try {
    state.span.end();
  } catch (error) {
    state.recorder.warnRateLimited(state.runtime, 'OBS_WARN_INSTRUMENTATION_FAILED', 'ending the span', error);
  }
}

/**
 * Ends the call that returned `result` (see the module comment) and returns what the caller gets:
 * `result` itself, or for a native promise the one of {@link observePromise}, or for a generator
 * its wrapper.
 */
export function settle(state: CallState, result: unknown): unknown {
  if (result === null || (typeof result !== 'object' && typeof result !== 'function')) {
    finishSuccess(state);
    return result;
  }
  try {
    if (isPlainPromise(result)) return observePromise(state, result as Promise<unknown>);
    if (isGeneratorShaped(result)) {
      const asyncIterator = typeof (result as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
      const iterator = result as Iterator<unknown> & AsyncIterator<unknown>;
      return asyncIterator ? wrapAsyncIterator(iterator, state) : wrapIterator(iterator, state);
    }
  } catch (error) {
    // A proxy trap, a throwing getter or a species constructor: the result is handed back as it
    // is and the call is ended as a plain return.
    state.recorder.warnRateLimited(state.runtime, 'OBS_WARN_INSTRUMENTATION_FAILED', 'inspecting the result', error);
  }
  // Anything else — lazy thenables, Promise subclasses with their own `then` (p-lazy runs its work
  // when `then` is called), promises whose `then` was replaced — the call is over: the value is
  // returned untouched and its `then` is never called.
  finishSuccess(state);
  return result;
}

/**
 * The promise the caller gets for a method that returned the native promise `result`: one that
 * settles with the same value or the same rejection reason, after the span has ended.
 *
 * Why not `result` itself: any `then` on a promise marks it handled for Node's unhandled-rejection
 * tracking (ECMA-262 PerformPromiseThen; Node has no public way to observe a promise without that,
 * see nodejs/node#62391). Observing `result` and returning it hid a rejection the caller ignored
 * (no `unhandledRejection`, exit code 0 instead of 1: dd-trace-js#2456). The promise returned here
 * rethrows the reason, so when the caller ignores it Node reports it exactly as it would have
 * reported `result` (same reason, same exit, same stderr), and when the caller handles it nothing
 * is reported. What differs: its identity (`result !== returned`), and it settles one microtask
 * later; docs/decorators.md ("Rejections") says so.
 */
function observePromise(state: CallState, result: Promise<unknown>): Promise<unknown> {
  // The intrinsic `then` (never a property a subclass or a getter could run code from).
  return Promise.prototype.then.call(
    result,
    (value: unknown) => {
      finishSuccess(state);
      return value;
    },
    (error: unknown) => {
      finishFailure(state, error);
      throw error;
    },
  );
}

/**
 * A native promise whose `then` is the intrinsic one: safe to observe without running user code.
 * A promise from another realm (`vm`) qualifies when it is a direct instance of that realm's
 * Promise and has that realm's own `then`. Reads properties, so the caller guards it.
 */
function isPlainPromise(result: object): boolean {
  if (result instanceof Promise) return (result as { then?: unknown }).then === Promise.prototype.then;
  if (!types.isPromise(result)) return false;
  const realmPrototype = Object.getPrototypeOf(result) as object | null;
  if (realmPrototype === null) return false;
  const objectPrototype = Object.getPrototypeOf(realmPrototype) as object | null;
  if (objectPrototype === null || Object.getPrototypeOf(objectPrototype) !== null) return false;
  const ownThen = Object.getOwnPropertyDescriptor(realmPrototype, 'then');
  return ownThen !== undefined && 'value' in ownThen && (result as { then?: unknown }).then === ownThen.value;
}

// A native (async) generator object, or one down-levelled by TypeScript (next, return and throw,
// plus Symbol.iterator or Symbol.asyncIterator). Plain iterators such as map.values() are not:
// nothing guarantees they are drained, so they are treated as ordinary values.
function isGeneratorShaped(value: object): boolean {
  if (types.isGeneratorObject(value)) return true;
  const candidate = value as Record<string | symbol, unknown>;
  return (
    typeof candidate.next === 'function' &&
    typeof candidate.throw === 'function' &&
    typeof candidate.return === 'function' &&
    (typeof candidate[Symbol.asyncIterator] === 'function' || typeof candidate[Symbol.iterator] === 'function')
  );
}

// The end of an iteration is recorded in the call's context (log lines carry its trace_id, the
// duration exemplar its span), whoever drives the iterator.
function endInContext(state: CallState, error?: unknown, failed = false): void {
  if (failed) context.with(state.context, finishFailure, undefined, state, error);
  else context.with(state.context, finishSuccess, undefined, state);
}

type Step = 'next' | 'return' | 'throw';

/** The end of an iteration, recorded once: at the first completion, early close (`return`) or throw. */
class IterationEnd {
  open = true;

  constructor(private readonly state: CallState) {}

  threw(error: unknown): void {
    if (!this.open) return;
    this.open = false;
    endInContext(this.state, error, true);
  }

  stepped(result: IteratorResult<unknown>, method: Step): void {
    if (!this.open || (result.done !== true && method !== 'return')) return;
    this.open = false;
    endInContext(this.state);
  }
}

/** next/return/throw of a wrapper, each one step of `step`; arguments are passed through as they are. */
function stepMethods<R>(step: (method: Step, value: unknown) => R) {
  return {
    next: (value?: unknown) => step('next', value),
    return: (value?: unknown) => step('return', value),
    throw: (error?: unknown) => step('throw', error),
  };
}

/**
 * Wraps a generator so that the call's span covers its iteration: every step runs in the call's
 * context, and the span ends when the generator completes, is closed early (`break`, `return()`)
 * or throws. Arguments of next/return/throw are passed through as they are.
 */
function wrapIterator(inner: Iterator<unknown>, state: CallState): IterableIterator<unknown> {
  const end = new IterationEnd(state);
  const step = (method: Step, value: unknown): IteratorResult<unknown> => {
    if (!end.open) return callStep(inner, method, value);
    let result: IteratorResult<unknown>;
    try {
      result = context.with(state.context, callStep, undefined, inner, method, value) as IteratorResult<unknown>;
    } catch (error) {
      end.threw(error);
      throw error; // node-do-not-add-exception-line (the service's line stays first: "Crash output" above)
    }
    end.stepped(result, method);
    return result;
  };
  return {
    ...stepMethods(step),
    [Symbol.iterator]() {
      return this;
    },
  };
}

/** {@link wrapIterator} for async generators (native or down-levelled). */
function wrapAsyncIterator(inner: AsyncIterator<unknown>, state: CallState): AsyncIterableIterator<unknown> {
  const end = new IterationEnd(state);
  const step = async (method: Step, value: unknown): Promise<IteratorResult<unknown>> => {
    if (!end.open) return callStep(inner, method, value);
    let result: IteratorResult<unknown>;
    try {
      result = await (context.with(state.context, callStep, undefined, inner, method, value) as Promise<
        IteratorResult<unknown>
      >);
    } catch (error) {
      end.threw(error);
      throw error;
    }
    end.stepped(result, method);
    return result;
  };
  return {
    ...stepMethods(step),
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
