import { context, propagation, trace, type Attributes, type SpanOptions } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { ObservabilityError } from '../errors.js';
import { checkDecoratorOptions, TASK_OPTIONS } from './check-options.js';
import type { ObservabilityRuntime } from '../runtime.js';
import { TENANT_BAGGAGE_KEY } from '../tenancy/tenant-context.js';
import { censorSecretEntries, isSecretName, secretNameMatcherFor } from '../secrets/index.js';
import { CallRecorder, CallState, recordSpanError } from './call-recorder.js';
import { describeError } from './error-info.js';
import { invokeInstrumented } from './invoke.js';
import { TaskLabelSets, stableTaskLabels, type TaskLabelSet } from './task-metrics.js';
import type { AnyMethod, MethodDecorator, TaskOptions } from './types.js';
import { applyDecorator, disguiseWrapper } from './wrap-method.js';

/** Span name of @Task unless `name` is given (the spec's span hierarchy). */
const DEFAULT_TASK_SPAN_NAME = 'grey.task.run';

const ERROR = 50;
/** pino's numbers of the `logging.task_events_level` values. */
const EVENT_LEVEL_VALUES = { trace: 10, debug: 20, info: 30 } as const;
/** Longest error `code` recorded as the `code` label; longer ones fall back to the error's type. */
const MAX_ERROR_CODE_LENGTH = 64;

/**
 * Instruments a task handler. Each call gets a span (`grey.task.run` unless `name` is given) with
 * the attributes `grey.task_type`, `grey.tenant_id` and `grey.task_id` when known, `priority`
 * when set and those of the `attributes` option (all present at span start, so sampler rules can
 * match them: an `attributes` function runs before the span starts, on every call); counts
 * `grey_tasks_submitted_total`, then `grey_tasks_completed_total` or `grey_tasks_failed_total`
 * (a failure also in `grey_task_errors_total{type,code}`, code from the error's `code` property or
 * its type); keeps `grey_tasks_running` up to date; observes `grey_task_duration_seconds` for
 * every finished task, `outcome="completed"` or `outcome="failed"` (a task that threw one of its
 * `expectedErrors` completed), with an exemplar when sampled; and, with the `attempt` option,
 * `grey_task_retries`; and logs `task started`, `task completed` (at `logging.task_events_level`,
 * default info) / `task failed` (error) lines that carry the span's trace_id.
 *
 * Works under both decorator standards, on instance and static methods, sync or async, generators
 * included; the method's result, exception and `this` are untouched. The live telemetry is looked
 * up at each call, so a class decorated before initObservability() records once it has run; with
 * no live runtime the call runs as if undecorated. A call whose trace is not sampled costs a
 * non-recording span and the metrics (and the `attributes` function, if any): no event work.
 *
 * @example
 * class Worker {
 *   @Task({ type: 'stateless', priority: 'critical' })
 *   async run(job: { taskId: string; tenantId: string }) { ... }
 * }
 */
export function Task(options: TaskOptions): MethodDecorator {
  if (typeof options?.type !== 'string' || options.type.trim() === '') {
    throw new ObservabilityError('OBS_ERR_DECORATOR_OPTIONS', '@Task needs a non-empty task type.', {
      key: 'type',
      value: options?.type,
      expected: "a non-empty string, e.g. @Task({ type: 'stateless' })",
    });
  }
  checkDecoratorOptions('Task', options, TASK_OPTIONS);
  const recorder = new TaskRecorder(options);
  const wrap = (
    original: AnyMethod,
    _key: string | symbol,
    _site: unknown,
    _fromClass: boolean,
    source: AnyMethod,
  ): AnyMethod => {
    const wrapper = function taskInstrumented(this: unknown): unknown {
      // eslint-disable-next-line prefer-rest-params
      return invokeInstrumented(recorder, original, this, arguments);
    };
    return disguiseWrapper(wrapper, source, original, 'Task');
  };
  return function taskDecorator(...args: unknown[]): unknown {
    return applyDecorator('Task', args, wrap, false);
  } as MethodDecorator;
}

class TaskRecorder extends CallRecorder {
  private readonly spanName: string;
  private readonly labels: TaskLabelSets;
  private readonly baseAttributes: Attributes;
  private readonly fixedAttributes: Attributes | undefined;
  private readonly logBindings: Record<string, string>;
  private taskLogger: Logger | undefined;
  private taskLoggerParent: Logger | undefined;
  private readonly baseStartOptions: SpanOptions;
  private readonly logStart: boolean;
  private readonly logEnd: boolean;
  private readonly logFailure: boolean;

  constructor(private readonly options: TaskOptions) {
    super('@Task', options.expectedErrors);
    this.spanName = options.name ?? DEFAULT_TASK_SPAN_NAME;
    this.labels = new TaskLabelSets(options.type);
    // Secret-named attributes are censored as @Instrument's are: fixed ones by the built-in names
    // (the config is not known at decoration time), those of the function by the config's names too.
    const fixed =
      typeof options.attributes === 'object' && options.attributes !== null
        ? censorSecretEntries({ ...options.attributes }, isSecretName)
        : undefined;
    this.fixedAttributes = fixed;
    // Shared by every call and never mutated (the SDK copies start attributes). Not frozen:
    // frozen objects take slower paths in the SDK and prom-client.
    this.baseAttributes = {
      ...fixed,
      'grey.task_type': options.type,
      ...(options.priority === undefined ? {} : { priority: options.priority }),
    };
    this.baseStartOptions = { attributes: this.baseAttributes };
    this.logBindings =
      options.priority === undefined
        ? { task_type: options.type }
        : { task_type: options.type, priority: options.priority };
    const logs = options.logs ?? 'all';
    this.logStart = logs === 'all';
    this.logEnd = logs === 'all';
    this.logFailure = logs !== 'none';
  }

  begin(runtime: ObservabilityRuntime, _thisArg: unknown, args: ArrayLike<unknown>): CallState {
    const parent = context.active();
    const taskId = this.taskIdOf(runtime, args);
    const givenTenant = this.tenantOf(runtime, args);
    const parentBaggage = propagation.getBaggage(parent);
    const baggageTenant = parentBaggage?.getEntry(TENANT_BAGGAGE_KEY)?.value;
    const tenant = givenTenant ?? baggageTenant;
    let startOptions =
      tenant === undefined && taskId === undefined
        ? this.baseStartOptions
        : { attributes: callAttributes(this.options, this.fixedAttributes, tenant, taskId) };
    // The attributes function runs before the span starts, on every call, so that an always-sample
    // rule can match what it returns (a head sampler sees only start attributes), and so that no
    // user code runs while a started span could be lost. Without it, no extra work per call.
    const hook = this.options.attributes;
    if (typeof hook === 'function') {
      startOptions = { attributes: this.withHookAttributes(runtime, hook, startOptions.attributes, args) };
    }
    const span = runtime.tracer.startSpan(this.spanName, startOptions, parent);
    try {
      const labels = this.labels.setFor(tenant);
      let callContext = trace.setSpan(parent, span);
      if (givenTenant !== undefined && givenTenant !== baggageTenant) {
        // Baggage is immutable: when the caller has none, each tenant's one-entry baggage is made
        // once and reused, instead of two baggage objects and two maps per call.
        const baggage =
          parentBaggage !== undefined
            ? parentBaggage.setEntry(TENANT_BAGGAGE_KEY, { value: givenTenant })
            : (labels.baggage ??= propagation.createBaggage({ [TENANT_BAGGAGE_KEY]: { value: givenTenant } }));
        callContext = propagation.setBaggage(callContext, baggage);
      }
      const state = new CallState(this, runtime, span, callContext, performance.now(), tenant, taskId, labels);
      if (this.options.attempt !== undefined) state.attempt = this.attemptOf(runtime, this.options.attempt, args);
      return state;
    } catch (error) {
      // No user code runs past startSpan, but a span that began must end whatever happens: when
      // begin() throws, the caller runs the method untraced and would never end it.
      span.end();
      throw error;
    }
  }

  /**
   * The start attributes `base` merged with what the `attributes` function returns (its values win,
   * as when they were set on the started span). A function that throws, or a returned object whose
   * getter throws, leaves `base` as it is and is warned about once (`OBS_WARN_HOOK_FAILED`).
   */
  private withHookAttributes(
    runtime: ObservabilityRuntime,
    hook: (args: readonly unknown[]) => Attributes,
    base: Attributes | undefined,
    args: ArrayLike<unknown>,
  ): Attributes | undefined {
    try {
      const extra: unknown = hook(args as readonly unknown[]);
      // A fresh object: `base` may be the shared per-decoration one, which is never mutated.
      return typeof extra === 'object' && extra !== null
        ? Object.assign({}, base, censorSecretEntries(extra as Attributes, secretNameMatcherFor(runtime.config)))
        : base;
    } catch (error) {
      this.warnRateLimited(runtime, 'OBS_WARN_HOOK_FAILED', 'attributes', error);
      return base;
    }
  }

  override started(state: CallState): void {
    const tasks = state.runtime.metrics.tasks;
    const labels = state.labels as TaskLabelSet;
    const stable = stableTaskLabels(tasks, labels);
    if (stable !== undefined) {
      stable.submitted.add(1);
      stable.running.add(1);
    } else {
      tasks.submitted.inc(labels.counter);
      tasks.running.inc(labels.counter);
    }
    const logger = this.loggerFor(state.runtime);
    const level = state.runtime.config.logging.task_events_level;
    if (this.logStart && logger.levelVal <= EVENT_LEVEL_VALUES[level]) {
      logger[level]({ task_id: state.taskId }, 'task started');
    }
  }

  succeeded(state: CallState): void {
    const seconds = (performance.now() - state.startTime) / 1000;
    this.recordCompleted(state, seconds);
    const logger = this.loggerFor(state.runtime);
    const level = state.runtime.config.logging.task_events_level;
    if (this.logEnd && logger.levelVal <= EVENT_LEVEL_VALUES[level]) {
      logger[level]({ task_id: state.taskId, duration_ms: toMilliseconds(seconds) }, 'task completed');
    }
  }

  failed(state: CallState, error: unknown, expected: boolean): void {
    const seconds = (performance.now() - state.startTime) / 1000;
    recordSpanError(state.span, error, expected);
    const tasks = state.runtime.metrics.tasks;
    const labels = state.labels as TaskLabelSet;
    if (expected) {
      this.recordCompleted(state, seconds);
    } else {
      const stable = stableTaskLabels(tasks, labels);
      if (stable !== undefined) {
        stable.running.add(-1);
        tasks.duration.observeStable(stable.failedDuration, seconds);
      } else {
        tasks.running.dec(labels.counter);
        tasks.duration.observe(labels.failedDuration, seconds);
      }
      tasks.failed.inc(labels.counter);
      tasks.errors.inc({ type: this.options.type, code: errorCode(error) });
    }
    const logger = this.loggerFor(state.runtime);
    const eventLevel = state.runtime.config.logging.task_events_level;
    const levelValue = expected ? EVENT_LEVEL_VALUES[eventLevel] : ERROR;
    if ((expected ? this.logEnd : this.logFailure) && logger.levelVal <= levelValue) {
      const fields = {
        task_id: state.taskId,
        duration_ms: toMilliseconds(seconds),
        error_type: describeError(error).type,
        err: error,
      };
      if (expected) logger[eventLevel](fields, 'task completed with an expected error');
      else logger.error(fields, 'task failed');
    }
  }

  /** Counts a completed task (also one ending in an expected error): running, completed, duration, retries. */
  private recordCompleted(state: CallState, seconds: number): void {
    const tasks = state.runtime.metrics.tasks;
    const labels = state.labels as TaskLabelSet;
    const stable = stableTaskLabels(tasks, labels);
    if (stable !== undefined) {
      stable.running.add(-1);
      stable.completed.add(1);
      tasks.duration.observeStable(stable.duration, seconds);
    } else {
      tasks.running.dec(labels.counter);
      tasks.completed.inc(labels.counter);
      tasks.duration.observe(labels.duration, seconds);
    }
    const attempt = state.attempt;
    if (attempt !== undefined) tasks.retries.observe(this.labels.typeOnly, attempt - 1);
  }

  /**
   * The runtime's logger with this task's fixed fields (`task_type`, `priority`) bound once: pino
   * serializes child bindings when the child is made, not on every line. Made again when the
   * runtime's logger changes; follows the parent's level when it is changed at run time.
   */
  private loggerFor(runtime: ObservabilityRuntime): Logger {
    const parent = runtime.logger;
    let child = this.taskLogger;
    if (child === undefined || parent !== this.taskLoggerParent) {
      child = parent.child(this.logBindings);
      this.taskLogger = child;
      this.taskLoggerParent = parent;
    }
    if (child.levelVal !== parent.levelVal) child.level = parent.level;
    return child;
  }

  private taskIdOf(runtime: ObservabilityRuntime, args: ArrayLike<unknown>): string | undefined {
    const hook = this.options.taskId;
    const id = hook === undefined ? firstArgument(args)?.taskId : this.callHook(runtime, 'taskId', hook, args);
    return typeof id === 'string' ? id : typeof id === 'number' ? String(id) : undefined;
  }

  private attemptOf(
    runtime: ObservabilityRuntime,
    hook: (args: readonly unknown[]) => number | undefined,
    args: ArrayLike<unknown>,
  ): number | undefined {
    const attempt = this.callHook(runtime, 'attempt', hook, args);
    return Number.isInteger(attempt) && (attempt as number) >= 1 ? (attempt as number) : undefined;
  }

  private tenantOf(runtime: ObservabilityRuntime, args: ArrayLike<unknown>): string | undefined {
    const hook = this.options.tenantId;
    const tenant = hook === undefined ? firstArgument(args)?.tenantId : this.callHook(runtime, 'tenantId', hook, args);
    return typeof tenant === 'string' && tenant !== '' ? tenant : undefined;
  }
}

/**
 * The bounded `code` label of `grey_task_errors_total`: the error's `code` property when it is a
 * short string or a number (Node's `ECONNRESET`, an HTTP status, an app code), else the error's
 * type (`TypeError`). The metric itself caps distinct codes (then `other`).
 */
function errorCode(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'number' && Number.isFinite(code)) return String(code);
  if (typeof code === 'string' && code !== '' && code.length <= MAX_ERROR_CODE_LENGTH) return code;
  return describeError(error).type;
}

// Milliseconds rounded to the microsecond: enough for any task, and a shorter number to print.
function toMilliseconds(seconds: number): number {
  return Math.round(seconds * 1e6) / 1000;
}

// The first argument when it is an object: where the task id and tenant are read by default.
function firstArgument(args: ArrayLike<unknown>): { taskId?: unknown; tenantId?: unknown } | undefined {
  const first = args.length > 0 ? args[0] : undefined;
  return typeof first === 'object' && first !== null ? (first as { taskId?: unknown; tenantId?: unknown }) : undefined;
}

// Built key by key from a literal: V8 caches these shape transitions, while spreading the shared
// base object and adding keys to the copy measured ~7% of a whole @Task call.
function callAttributes(
  options: TaskOptions,
  fixed: Attributes | undefined,
  tenant: string | undefined,
  taskId: string | undefined,
): Attributes {
  const attributes: Attributes = { 'grey.task_type': options.type };
  if (options.priority !== undefined) attributes.priority = options.priority;
  if (tenant !== undefined) attributes['grey.tenant_id'] = tenant;
  if (taskId !== undefined) attributes['grey.task_id'] = taskId;
  return fixed === undefined ? attributes : Object.assign({}, fixed, attributes);
}
