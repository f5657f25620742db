import { context } from '@opentelemetry/api';
import { types } from 'node:util';
import { getRuntime } from '../runtime.js';
import type { CallRecorder, CallState } from './call-recorder.js';
import { finishFailure, finishSuccess } from './finish.js';
import { wrapAsyncIterator, wrapIterator } from './iterators.js';
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
    recorder.warnOnce(runtime, 'OBS_WARN_INSTRUMENTATION_FAILED', 'starting the span', error);
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
    state.recorder.warnOnce(state.runtime, 'OBS_WARN_INSTRUMENTATION_FAILED', 'recording the start', error);
  }
  let result: unknown;
  try {
    result = Reflect.apply(state.original as AnyMethod, state.thisArg, state.args as IArguments);
  } catch (error) {
    finishFailure(state, error);
    throw error;
  }
  return settle(state, result);
}

function settle(state: CallState, result: unknown): unknown {
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
    state.recorder.warnOnce(state.runtime, 'OBS_WARN_INSTRUMENTATION_FAILED', 'inspecting the result', error);
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
