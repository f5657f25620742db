import { SpanStatusCode, type Context, type Span } from '@opentelemetry/api';
import type { WarningCode } from '../warning-codes.js';
import { warn } from '../warnings.js';
import type { ObservabilityRuntime } from '../runtime.js';
import { describeError, matchesExpected } from './error-info.js';
import type { TaskLabelSet } from './task-metrics.js';
import type { AnyMethod, ExpectedErrors } from './types.js';

let recorders = 0;

/** The telemetry of one decorated call, from start to end. */
export class CallState {
  /** The decorated method, its receiver and arguments; set by invokeInstrumented(). */
  original: AnyMethod | undefined = undefined;
  thisArg: unknown = undefined;
  args: IArguments | undefined = undefined;
  /** @Task's 1-based attempt number of this call, from its `attempt` option. */
  attempt: number | undefined = undefined;

  constructor(
    readonly recorder: CallRecorder,
    readonly runtime: ObservabilityRuntime,
    readonly span: Span,
    /** The context the method runs in: the parent context with `span` (and tenant/log fields). */
    readonly context: Context,
    /** performance.now() at start, in milliseconds. */
    readonly startTime: number,
    readonly tenant: string | undefined,
    readonly taskId: string | undefined,
    /** @Task's metric label objects for this call's tenant. */
    readonly labels: TaskLabelSet | undefined,
  ) {}
}

/**
 * What one decorator records around a call. `begin` runs outside the call's context and returns
 * it; `started`, `succeeded` and `failed` run inside it (so logs carry its trace_id and exemplars
 * its span). Every method here may throw: the caller catches, warns once and the call goes on.
 */
export abstract class CallRecorder {
  /** Rate-limit scope of this decorated method's warnings. */
  private readonly scope = `decorator#${++recorders}`;

  constructor(
    /** `@Task` or `@Instrument`, for warnings. */
    readonly decoratorName: string,
    readonly expectedErrors: ExpectedErrors | undefined,
  ) {}

  /** Starts the span (and counts a submission); returns the call's state. */
  abstract begin(runtime: ObservabilityRuntime, thisArg: unknown, args: ArrayLike<unknown>): CallState;

  /** Inside the call's context, before the method runs. */
  started(state: CallState): void {
    void state;
  }

  /** The method returned (or its promise resolved, or its iteration finished). */
  abstract succeeded(state: CallState): void;

  /** The method threw (or rejected). `expected` tells an expected error (not a failure). */
  abstract failed(state: CallState, error: unknown, expected: boolean): void;

  /** True when `error` is an expected error; a throwing predicate counts as "not expected". */
  isExpected(runtime: ObservabilityRuntime, error: unknown): boolean {
    if (this.expectedErrors === undefined) return false;
    try {
      return matchesExpected(this.expectedErrors, error);
    } catch (hookError) {
      this.warnRateLimited(runtime, 'OBS_WARN_HOOK_FAILED', 'expectedErrors', hookError);
      return false;
    }
  }

  /** Runs a user hook; when it throws, warns once and returns undefined. */
  callHook<T>(
    runtime: ObservabilityRuntime,
    hookName: string,
    hook: (args: readonly unknown[]) => T,
    args: ArrayLike<unknown>,
  ): T | undefined {
    try {
      return hook(args as readonly unknown[]);
    } catch (error) {
      this.warnRateLimited(runtime, 'OBS_WARN_HOOK_FAILED', hookName, error);
      return undefined;
    }
  }

  /**
   * Warns through the warnings module, scoped to this decorated method (rate-limited there, and
   * written outside the call's trace and tenant context). Never throws.
   */
  warnRateLimited(runtime: ObservabilityRuntime, code: WarningCode, what: string, error: unknown): void {
    warn(runtime.logger, code, this.scope, {
      message: `${this.decoratorName}: ${what} threw; the decorated call was not affected`,
      fields: { decorator: this.decoratorName, step: what, err: error },
    });
  }
}

/** Records `error` on a recording span: exception event, `error.type`, and ERROR status unless expected. */
export function recordSpanError(span: Span, error: unknown, expected: boolean): void {
  if (!span.isRecording()) return;
  const info = describeError(error);
  span.recordException(info.exception);
  span.setAttribute('error.type', info.type);
  if (expected) span.setAttribute('grey.error.expected', true);
  else span.setStatus({ code: SpanStatusCode.ERROR, message: info.message });
}
