import { context, trace, type SpanOptions } from '@opentelemetry/api';
import { ObservabilityError } from '../errors.js';
import { setLogFields } from '../logging/log-fields.js';
import type { ObservabilityRuntime } from '../runtime.js';
import { applyDecorator } from './apply.js';
import { parameterNames } from './argument-names.js';
import { CallRecorder, CallState, recordSpanError } from './call-recorder.js';
import { invokeInstrumented } from './invoke.js';
import type { MethodSite } from './method-site.js';
import type { AnyMethod, InstrumentOptions, MethodOrClassDecorator } from './types.js';
import { disguiseWrapper } from './wrapper.js';

/**
 * The spec's `#[instrument(skip(payload), fields(task_id, tenant_id))]` for TypeScript: a span
 * around each call, named `Class.method` unless `name` is given. Without `fields`, string, number
 * and boolean arguments are recorded as span attributes named after their parameters, except those
 * in `skip`; with `fields`, exactly those arguments (or `param.property`) are recorded, and also
 * added to every log line written inside the call. A rejected promise or a throw is recorded
 * (exception event, ERROR status) and passed on unchanged.
 *
 * On a class it instruments every prototype method that no method decorator already instruments
 * (names in `skip`/`fields` that a method lacks are ignored there). Same guarantees as {@link Task}:
 * both decorator standards, sync stays sync, generators are covered, no work beyond a
 * non-recording span when the trace is not sampled, runtime looked up per call.
 *
 * @example
 * class Scheduler {
 *   @Instrument({ skip: ['payload'], fields: ['taskId', 'tenantId'] })
 *   async submitTask(taskId: string, tenantId: string, payload: Buffer) { ... }
 * }
 */
export function Instrument(options: InstrumentOptions = {}): MethodOrClassDecorator {
  const wrap = (
    original: AnyMethod,
    key: string | symbol,
    site: MethodSite,
    fromClass: boolean,
    source: AnyMethod,
  ): AnyMethod => {
    const recorder = new InstrumentRecorder(options, original, key, site, fromClass);
    const wrapper = function instrumented(this: unknown): unknown {
      // eslint-disable-next-line prefer-rest-params
      return invokeInstrumented(recorder, original, this, arguments);
    };
    recorder.wrapper = wrapper;
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

class InstrumentRecorder extends CallRecorder {
  /** The installed wrapper, to find the class that owns it on the first call. */
  wrapper: unknown;
  private readonly startOptions: SpanOptions;
  /** The fixed span name; undefined means `Class.method`. */
  private readonly spanName: string | undefined;
  private readonly fields: readonly ArgumentField[] | undefined;
  private readonly autoFields: readonly ArgumentField[];

  constructor(
    private readonly options: InstrumentOptions,
    original: AnyMethod,
    private readonly key: string | symbol,
    private readonly site: MethodSite,
    fromClass: boolean,
  ) {
    super('@Instrument', options.expectedErrors);
    // On a class, one `name` for every method would hide which method ran: it is ignored there.
    this.spanName = fromClass ? undefined : options.name;
    const fixed = typeof options.attributes === 'object' ? options.attributes : undefined;
    this.startOptions = fixed === undefined ? {} : { attributes: { ...fixed } };
    const names = parameterNames(original);
    const skip = new Set(options.skip ?? []);
    if (!fromClass) assertKnownNames(names, skip, options.fields ?? [], site.methodName);
    this.fields = options.fields === undefined ? undefined : resolveFields(names, options.fields, skip);
    this.autoFields =
      options.fields !== undefined
        ? []
        : names.flatMap((name, index) =>
            name === undefined || skip.has(name) ? [] : [{ key: name, index, property: undefined }],
          );
  }

  begin(runtime: ObservabilityRuntime, thisArg: unknown, args: ArrayLike<unknown>): CallState {
    const name = this.spanName ?? this.site.qualifiedName(thisArg, this.key, this.wrapper);
    const parent = context.active();
    const span = runtime.tracer.startSpan(name, this.startOptions, parent);
    let callContext = trace.setSpan(parent, span);
    const recording = span.isRecording();
    if (this.fields !== undefined) {
      const values = readFields(this.fields, args);
      if (values !== undefined) {
        callContext = setLogFields(values, callContext);
        if (recording) span.setAttributes(values);
      }
    } else if (recording && this.autoFields.length > 0) {
      const values = readFields(this.autoFields, args);
      if (values !== undefined) span.setAttributes(values);
    }
    if (recording && typeof this.options.attributes === 'function') {
      const extra = this.callHook(runtime, 'attributes', this.options.attributes, args);
      if (extra !== undefined) span.setAttributes(extra);
    }
    return new CallState(this, runtime, span, callContext, 0, undefined, undefined, undefined);
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

function readFields(
  fields: readonly ArgumentField[],
  args: ArrayLike<unknown>,
): Record<string, string | number | boolean> | undefined {
  let values: Record<string, string | number | boolean> | undefined;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as ArgumentField;
    let value: unknown = field.index < args.length ? args[field.index] : undefined;
    if (field.property !== undefined)
      value =
        typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field.property] : undefined;
    const recorded = toAttributeValue(value);
    if (recorded === undefined) continue;
    (values ??= {})[field.key] = recorded;
  }
  return values;
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
