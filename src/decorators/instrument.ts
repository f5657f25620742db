import { context, trace, type Attributes, type SpanOptions } from '@opentelemetry/api';
import { ObservabilityError } from '../errors.js';
import { setLogFields } from '../logging/log-fields.js';
import type { ObservabilityConfig } from '../config/types.js';
import type { ObservabilityRuntime } from '../runtime.js';
import { censorSecretEntries, isSecretName, REDACTED, secretNameMatcherFor } from '../secrets/index.js';
import { parameterNames } from './argument-names.js';
import { CallRecorder, CallState, recordSpanError } from './call-recorder.js';
import { checkDecoratorOptions, INSTRUMENT_OPTIONS } from './check-options.js';
import { invokeInstrumented } from './invoke.js';
import type { AnyMethod, InstrumentOptions, MethodOrClassDecorator } from './types.js';
import { applyDecorator, disguiseWrapper, type MethodSite } from './wrap-method.js';

/**
 * The spec's `#[instrument(skip(payload), fields(task_id, tenant_id))]` for TypeScript: a span
 * around each call, named `Class.method` unless `name` is given. Without `fields`, string, number
 * and boolean arguments are recorded as span attributes named after their parameters, except those
 * in `skip` and those whose name is a secret (the one list of src/secrets, plus the keys
 * `logging.redact` paths end in and the exporter header names: `password`, `apiKey`,
 * `clientSecret`, `accessToken` ...); with `fields`, exactly those arguments (or `param.property`)
 * are recorded, and also added to every log line written inside the call, a secret-named one as
 * `[REDACTED]`. Attributes from the `attributes` option whose name is a secret are recorded as
 * `[REDACTED]` too. A rejected promise or a throw is recorded (exception event, ERROR status) and
 * passed on unchanged.
 *
 * On a class it instruments every prototype method that no method decorator already instruments
 * (names in `skip`/`fields` that a method lacks are ignored there). Same guarantees as {@link Task}:
 * both decorator standards, sync stays sync, generators are covered, runtime looked up per call.
 * The recorded arguments and the `attributes` function are computed before the span starts (on
 * every call, sampled or not, as @Task does), so that an always-sample rule can match them.
 *
 * @example
 * class Scheduler {
 *   @Instrument({ skip: ['payload'], fields: ['taskId', 'tenantId'] })
 *   async submitTask(taskId: string, tenantId: string, payload: Buffer) { ... }
 * }
 */
export function Instrument(options: InstrumentOptions = {}): MethodOrClassDecorator {
  checkDecoratorOptions('Instrument', options, INSTRUMENT_OPTIONS);
  const wrap = (
    original: AnyMethod,
    _key: string | symbol,
    site: MethodSite,
    fromClass: boolean,
    source: AnyMethod,
  ): AnyMethod => {
    const recorder = new InstrumentRecorder(options, original, site, fromClass);
    const wrapper = function instrumented(this: unknown): unknown {
      // eslint-disable-next-line prefer-rest-params
      return invokeInstrumented(recorder, original, this, arguments);
    };
    return disguiseWrapper(wrapper, source, original, 'Instrument');
  };
  return function instrumentDecorator(...args: unknown[]): unknown {
    return applyDecorator('Instrument', args, wrap, true);
  } as MethodOrClassDecorator;
}

/** One recorded argument: attribute/log key, position, and an optional property of it. */
interface ArgumentField {
  key: string;
  index: number;
  property: string | undefined;
}

/** Recorded argument values, by attribute/log key. */
type FieldValues = Record<string, string | number | boolean>;

class InstrumentRecorder extends CallRecorder {
  /** Start options when no argument is recorded and there is no attributes function. */
  private readonly startOptions: SpanOptions;
  /** A copy of the fixed `attributes` option, or undefined. */
  private readonly fixedAttributes: Attributes | undefined;
  /** The fixed span name; undefined means `Class.method`. */
  private readonly spanName: string | undefined;
  private readonly fields: readonly ArgumentField[] | undefined;
  private readonly autoFields: readonly ArgumentField[];
  /** `autoFields` without the configured secret names of the last config seen (one-entry cache). */
  private autoFieldsConfig: ObservabilityConfig | undefined;
  private autoFieldsForConfig: readonly ArgumentField[] = [];

  constructor(
    private readonly options: InstrumentOptions,
    original: AnyMethod,
    private readonly site: MethodSite,
    fromClass: boolean,
  ) {
    super('@Instrument', options.expectedErrors);
    // On a class, one `name` for every method would hide which method ran: it is ignored there.
    this.spanName = fromClass ? undefined : options.name;
    const fixed =
      typeof options.attributes === 'object' && options.attributes !== null ? options.attributes : undefined;
    this.fixedAttributes = fixed === undefined ? undefined : censorSecretEntries({ ...fixed }, isSecretName);
    this.startOptions = this.fixedAttributes === undefined ? {} : { attributes: this.fixedAttributes };
    const names = parameterNames(original);
    const skip = new Set(options.skip ?? []);
    if (!fromClass) assertKnownNames(names, skip, options.fields ?? [], site.methodName);
    this.fields = options.fields === undefined ? undefined : resolveFields(names, options.fields, skip);
    this.autoFields =
      options.fields !== undefined
        ? []
        : names.flatMap((name, index) =>
            name === undefined || skip.has(name) || isSecretName(name)
              ? []
              : [{ key: name, index, property: undefined }],
          );
  }

  begin(runtime: ObservabilityRuntime, _thisArg: unknown, args: ArrayLike<unknown>): CallState {
    const name = this.spanName ?? this.site.qualifiedName();
    const parent = context.active();
    // Everything the span starts with is computed before it starts, so that an always-sample rule
    // can match argument values and the attributes function, and so that no user code (a getter
    // behind `param.property`, the attributes function) runs while a started span could be lost.
    const values =
      this.fields !== undefined ? this.readFields(runtime, this.fields, args) : this.readAutoFields(runtime, args);
    const hooked =
      typeof this.options.attributes === 'function'
        ? this.callHook(runtime, 'attributes', this.options.attributes, args)
        : undefined;
    const extra =
      hooked !== undefined && hooked !== null && typeof hooked === 'object'
        ? censorSecretEntries(hooked, secretNameMatcherFor(runtime.config))
        : hooked;
    let startOptions = this.startOptions;
    if (extra !== undefined && extra !== null)
      startOptions = { attributes: { ...this.fixedAttributes, ...values, ...extra } };
    else if (values !== undefined)
      startOptions = {
        attributes: this.fixedAttributes === undefined ? values : { ...this.fixedAttributes, ...values },
      };
    const fieldContext = this.fields !== undefined && values !== undefined ? setLogFields(values, parent) : parent;
    const span = runtime.tracer.startSpan(name, startOptions, parent);
    return new CallState(this, runtime, span, trace.setSpan(fieldContext, span), 0, undefined, undefined, undefined);
  }

  private readAutoFields(runtime: ObservabilityRuntime, args: ArrayLike<unknown>): FieldValues | undefined {
    if (this.autoFields.length === 0) return undefined;
    if (runtime.config !== this.autoFieldsConfig) {
      const isSecret = secretNameMatcherFor(runtime.config);
      this.autoFieldsForConfig = this.autoFields.filter((field) => !isSecret(field.key));
      this.autoFieldsConfig = runtime.config;
    }
    const fields = this.autoFieldsForConfig;
    return fields.length === 0 ? undefined : this.readFields(runtime, fields, args);
  }

  /**
   * The recorded values of `fields` in `args`. Reading `param.property` may run a getter or a proxy
   * trap: one that throws leaves that field out and is warned about once (`OBS_WARN_HOOK_FAILED`).
   */
  private readFields(
    runtime: ObservabilityRuntime,
    fields: readonly ArgumentField[],
    args: ArrayLike<unknown>,
  ): FieldValues | undefined {
    let values: FieldValues | undefined;
    const isSecret = secretNameMatcherFor(runtime.config);
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i] as ArgumentField;
      let value: unknown = field.index < args.length ? args[field.index] : undefined;
      if (field.property !== undefined && typeof value === 'object' && value !== null) {
        try {
          value = (value as Record<string, unknown>)[field.property];
        } catch (error) {
          this.warnRateLimited(runtime, 'OBS_WARN_HOOK_FAILED', `reading the field ${field.key}`, error);
          continue;
        }
      } else if (field.property !== undefined) {
        continue;
      }
      const recorded = toAttributeValue(value);
      if (recorded === undefined) continue;
      // A field the service named explicitly keeps its key (dashboards may read it), not its secret value.
      (values ??= {})[field.key] = isSecret(field.property ?? field.key) ? REDACTED : recorded;
    }
    return values;
  }

  succeeded(): void {
    // The span is ended by the caller; a successful call records nothing more.
  }

  failed(state: CallState, error: unknown, expected: boolean): void {
    recordSpanError(state.span, error, expected);
  }
}

function assertKnownNames(
  names: ReadonlyArray<string | undefined>,
  skip: ReadonlySet<string>,
  fields: readonly string[],
  method: string,
): void {
  const known = new Set(names.filter((name): name is string => name !== undefined));
  const unknown = [...skip, ...fields.map((field) => field.split('.')[0] as string)].filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new ObservabilityError(
      'OBS_ERR_DECORATOR_OPTIONS',
      `@Instrument on ${method} names arguments it does not have.`,
      {
        key: 'skip/fields',
        value: unknown,
        expected: `parameter names of ${method}: ${[...known].join(', ') || '(none readable)'}`,
      },
    );
  }
}

function resolveFields(
  names: ReadonlyArray<string | undefined>,
  fields: readonly string[],
  skip: ReadonlySet<string>,
): ArgumentField[] {
  const resolved: ArgumentField[] = [];
  for (const field of fields) {
    const [parameter, property] = field.split('.', 2) as [string, string | undefined];
    const index = names.indexOf(parameter);
    if (index >= 0 && !skip.has(parameter)) resolved.push({ key: field, index, property });
  }
  return resolved;
}

function toAttributeValue(value: unknown): string | number | boolean | undefined {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    default:
      return undefined;
  }
}
