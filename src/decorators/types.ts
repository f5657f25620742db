import type { Attributes } from '@opentelemetry/api';

/** Any function: the decorated method. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMethod = (this: any, ...args: any[]) => any;

/** An error class, for `expectedErrors: [NotFoundError]`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ErrorClass = abstract new (...args: any[]) => unknown;

/**
 * Errors that are an expected outcome rather than a failure (a "not found", a validation refusal):
 * a list of error classes (matched with `instanceof`) or a predicate. An expected error is still
 * rethrown unchanged, but the span keeps an unset status (with an `exception` event and
 * `grey.error.expected=true`), and @Task counts the call as completed, not failed.
 */
export type ExpectedErrors = readonly ErrorClass[] | ((error: unknown) => boolean);

/**
 * A decorator usable on methods under both TypeScript decorator standards: TC39 decorators
 * (TypeScript 5+, no flag) and `experimentalDecorators` (NestJS). The mode is detected from the
 * arguments at run time. Applied to a field, an accessor, a getter or a setter it is a compile
 * error, and at run time an `ObservabilityError` with code `OBS_ERR_DECORATOR_TARGET`.
 */
export interface MethodDecorator {
  /** Standard (TC39) form: `(method, context)`. */
  <This, Args extends unknown[], Return>(
    value: (this: This, ...args: Args) => Return,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
  ): (this: This, ...args: Args) => Return;
  /** Legacy (`experimentalDecorators`) form: `(prototype or class, key, descriptor)`. */
  <T extends AnyMethod>(
    target: object,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): TypedPropertyDescriptor<T>;
}

/**
 * A {@link MethodDecorator} that may also be put on a class, where it instruments every method of
 * the prototype that no method decorator instruments already.
 */
export interface MethodOrClassDecorator extends MethodDecorator {
  /** Standard (TC39) class form. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  <Class extends abstract new (...args: any[]) => unknown>(value: Class, context: ClassDecoratorContext<Class>): void;
  /**
   * Legacy (`experimentalDecorators`) class form. The second parameter, always absent there, keeps
   * TC39 getter/setter/field decorator calls (which pass a context) from matching this form.
   */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  (constructor: Function, context?: undefined): void;
}

/** Options of {@link Task}. */
export interface TaskOptions {
  /** Task type: the `type` label of the task metrics and the `grey.task_type` attribute. Required, non-empty. */
  type: string;
  /** Span name. Default `grey.task.run` (the spec's span hierarchy). */
  name?: string;
  /**
   * Task priority, set as the start attribute `priority` so that an always-sample rule such as
   * `priority=critical` can match it, and logged.
   */
  priority?: string;
  /**
   * Task id of a call, for the `grey.task_id` attribute and the `task_id` log field. Default: the
   * `taskId` property of the first argument when it is a string or a number.
   */
  taskId?: (args: readonly unknown[]) => string | number | undefined;
  /**
   * Tenant of a call. Default: the `tenantId` property of the first argument when it is a string,
   * else the `grey.tenant_id` baggage entry of the active context. A tenant found in the arguments
   * is put into the baggage for the duration of the call, so nested code and logs see it.
   */
  tenantId?: (args: readonly unknown[]) => string | undefined;
  /** Errors that are not failures; see {@link ExpectedErrors}. */
  expectedErrors?: ExpectedErrors;
  /**
   * Extra start attributes: a fixed set, or a function of the arguments. The function runs on every
   * call, before the span starts, so that the sampler (an always-sample rule) sees what it returns;
   * its values win over the other start attributes.
   */
  attributes?: Attributes | ((args: readonly unknown[]) => Attributes);
  /**
   * Which log lines to write: `all` (start, completion, failure; default), `errors` (failures only) or
   * `none`. The level of the start and completion lines is `logging.task_events_level` (default info).
   */
  logs?: 'all' | 'errors' | 'none';
  /**
   * The 1-based attempt number of this call, when the job queue retries tasks (e.g.
   * `(args) => args[0].attempt`). When given, a completed task observes `attempt - 1` in
   * `grey_task_retries{type}` (Task Execution dashboard, "Retry Count"); without it nothing is
   * observed there. A value that is not a positive integer is ignored.
   */
  attempt?: (args: readonly unknown[]) => number | undefined;
}

/** Options of {@link Instrument}. */
export interface InstrumentOptions {
  /**
   * Span name. Default `Class.method` (static methods too; symbol keys as `Class.[description]`).
   * Ignored when the decorator is on a class, where every method keeps its own name.
   */
  name?: string;
  /**
   * Parameter names whose values are never recorded. Without `fields`, every string, number and
   * boolean argument is recorded as a span attribute named after its parameter, except secrets
   * (parameter names containing password, passwd, secret, token, authorization, cookie or api key
   * in any spelling, and the last segments of the configured `logging.redact` paths and exporter
   * header names); `skip` keeps further named ones out (the spec's `skip(payload)`).
   */
  skip?: readonly string[];
  /**
   * Parameter names (or `param.property`) recorded as span attributes and added to every log line
   * written inside the call (the spec's `fields(task_id, tenant_id)`). When given, only these are
   * recorded. A name that is not a parameter of the method throws at decoration.
   */
  fields?: readonly string[];
  /**
   * Extra start attributes: a fixed set, or a function of the arguments. The function runs on every
   * call, before the span starts, so that the sampler (an always-sample rule) sees what it returns.
   */
  attributes?: Attributes | ((args: readonly unknown[]) => Attributes);
  /** Errors that are not failures; see {@link ExpectedErrors}. */
  expectedErrors?: ExpectedErrors;
}
