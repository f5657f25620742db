import {
  SpanStatusCode,
  trace,
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type Link,
  type Span,
  type SpanContext,
  type SpanKind,
  type SpanOptions,
  type SpanStatus,
  type TimeInput,
  type Tracer,
} from '@opentelemetry/api';
import { isAnyValue, isTimeInput } from '@opentelemetry/core';

/** Where a {@link CapturedSpan} reports its end (the error-capture bookkeeping). */
export interface CapturedSpanSink {
  ended(span: CapturedSpan): void;
}

/** The bookkeeping's record of the dropped trace a captured span belongs to (error-capture-processor.ts). */
export interface CapturedTrace {
  /** Ended spans waiting for the verdict; allocated at the first one (most traces never need it). */
  spans: CapturedSpan[] | undefined;
  /** Local roots of this trace still running in this process. */
  openRoots: number;
  /** True once the trace must be exported: its spans go straight to export from then on. */
  keep: boolean;
  /** True once its last local root ended, or it was evicted: nothing more is held or exported. */
  closed: boolean;
  /** True while the trace is in the bookkeeping's map (it holds spans, or has a remote parent). */
  listed: boolean;
}

/** One call made on a captured span, replayed in order onto the SDK span it becomes. */
type Operation =
  | readonly ['setAttribute', string, AttributeValue | undefined]
  | readonly ['setAttributes', Attributes]
  | readonly ['addEvent', string, Attributes | TimeInput | undefined, TimeInput | undefined]
  | readonly ['addLink', Link]
  | readonly ['setStatus', SpanStatus]
  | readonly ['updateName', string]
  | readonly ['recordException', RecordedException, TimeInput];

/**
 * An exception as the SDK's `recordException` reads it, taken when it is recorded: its type (the
 * `code`, else the `name`) and message are copied then (an error's message or code may change
 * after it is recorded); its stack is read at replay (formatting it costs more than the whole
 * captured span, and most are never replayed).
 */
type RecordedException =
  string | { readonly type: string | undefined; readonly message: string | undefined; readonly source: Exception };

/**
 * A span of a trace the head sampler dropped, kept while error capture may still need it
 * (`opentelemetry.sampling.error_capture`). It is recording (`isRecording()` is true until it
 * ends, as for an SDK span, so instrumentations set their attributes) but not sampled: its span
 * context is the one the SDK gave the dropped span (trace flags `00`), so propagation downstream
 * is exactly that of an unsampled span.
 *
 * It only writes down what is done to it: the start options, each call (attributes, events,
 * exceptions, links, status, name) with the time it was made, and the end time. Nothing is
 * validated, timed against the clock or passed to span processors while the trace runs, which is
 * what made recording every dropped span as an SDK span cost more than a non-recording span. When
 * its trace must be exported (one of its spans ended in error), {@link replayCapturedSpan} replays
 * the record onto a real SDK span with the same ids, times, parent and instrumentation scope, so
 * the SDK's own rules (attribute limits and validation, exception events, status precedence)
 * apply as they would have; when the trace ends without error the record is simply dropped.
 *
 * Times are taken as `performance.now()` readings and converted by the SDK at replay (its
 * `_getTime` takes a number not later than `performance.now()` as such a reading), so an exported
 * captured span has the timing a live SDK span would have had. What the caller hands over is
 * copied at the call, as the SDK copies it: attribute objects and their array values, links and
 * their attributes, status objects; an exception's type and message (its stack is read at replay).
 */
export class CapturedSpan implements Span {
  /** The context the span started in (its parent span and baggage), for the replay. */
  readonly parentContext: Context;
  /** The parent span in `parentContext` (a captured span, a remote span context's wrapper), if any. */
  readonly parentSpan: Span | undefined;
  /**
   * True when the span's parent is not a captured span: no parent, a remote one, or a span outside
   * the capture (an SDK span that a rule sampled, under a strategy that is not parent-based; a
   * span context wrapped by hand). Its part of the trace is followed from here.
   */
  readonly isLocalRoot: boolean;
  /** Start options as given (attributes and links copied), start time filled in: see {@link startOptions}. */
  private readonly kind: SpanKind | undefined;
  private readonly startAttributes: Attributes | undefined;
  private readonly links: Link[] | undefined;
  private readonly startTime: TimeInput;
  /** Calls made on the span, in order; allocated at the first one. */
  operations: Operation[] | undefined = undefined;
  /** The dropped trace this span belongs to, set by the bookkeeping when the span starts. */
  capturedTrace: CapturedTrace | undefined = undefined;
  /** Name at start (updateName() is an operation). */
  readonly startName: string;
  /** End time as given to end(), or the performance.now() reading at end. */
  endTime: TimeInput | undefined = undefined;
  private ended = false;
  /** Status code as the SDK would hold it (UNSET ignored, OK final). */
  private statusCode = SpanStatusCode.UNSET;
  /** The attribute `error` set to true (boolean or string) as it stands now. */
  private errorAttribute = false;

  constructor(
    /** The replay tracer of the span's instrumentation scope (see replay-provider.ts). */
    readonly replayTracer: Tracer,
    name: string,
    options: SpanOptions,
    parentContext: Context,
    private readonly context: SpanContext,
    private readonly sink: CapturedSpanSink,
  ) {
    this.startName = name;
    this.parentContext = parentContext;
    const parentSpan = trace.getSpan(parentContext);
    this.parentSpan = parentSpan;
    this.isLocalRoot = !(parentSpan instanceof CapturedSpan);
    const attributes = options.attributes;
    this.kind = options.kind;
    this.startAttributes = attributes === undefined ? undefined : copyAttributes(attributes);
    this.links = options.links === undefined ? undefined : options.links.map(copyLink);
    this.startTime = timeOrNow(options.startTime);
    if (attributes !== undefined && Object.hasOwn(attributes, 'error')) this.noteAttribute(attributes['error']);
  }

  /** The options the span started with, for the replay (built then: most captured spans are never replayed). */
  get startOptions(): SpanOptions {
    return { kind: this.kind, attributes: this.startAttributes, links: this.links, startTime: this.startTime };
  }

  spanContext(): SpanContext {
    return this.context;
  }

  /** True when the span ended with status ERROR or with the attribute `error` true. */
  get endedInError(): boolean {
    return this.statusCode === SpanStatusCode.ERROR || this.errorAttribute;
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (this.ended) return this;
    this.record(['setAttribute', key, Array.isArray(value) ? (value.slice() as AttributeValue) : value]);
    if (key === 'error') this.noteAttribute(value);
    return this;
  }

  setAttributes(attributes: Attributes): this {
    if (this.ended || attributes === null || typeof attributes !== 'object') return this;
    this.record(['setAttributes', copyAttributes(attributes)]);
    if (Object.hasOwn(attributes, 'error')) this.noteAttribute(attributes['error']);
    return this;
  }

  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, startTime?: TimeInput): this {
    if (this.ended) return this;
    // The time defaults to now, as the SDK's does: taken here, not at replay.
    const explicit = isTimeInput(startTime)
      ? startTime
      : isTimeInput(attributesOrStartTime)
        ? attributesOrStartTime
        : undefined;
    const attributes = isTimeInput(attributesOrStartTime) ? undefined : attributesOrStartTime;
    this.record([
      'addEvent',
      name,
      attributes === undefined ? undefined : copyAttributes(attributes),
      timeOrNow(explicit),
    ]);
    return this;
  }

  addLink(link: Link): this {
    if (this.ended) return this;
    this.record(['addLink', copyLink(link)]);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.ended) return this;
    this.record(['setStatus', { ...status }]);
    if (status.code !== SpanStatusCode.UNSET && this.statusCode !== SpanStatusCode.OK) this.statusCode = status.code;
    return this;
  }

  updateName(name: string): this {
    if (this.ended) return this;
    this.record(['updateName', name]);
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.ended = true;
    this.endTime = timeOrNow(endTime);
    this.sink.ended(this);
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    if (this.ended) return;
    let recorded: RecordedException;
    if (typeof exception === 'string' || typeof exception !== 'object' || exception === null) {
      recorded = exception as string;
    } else {
      try {
        // The SDK's reading (Span.recordException): the type is the code when there is one, else the name.
        const { code, name, message } = exception as { code?: unknown; name?: unknown; message?: unknown };
        recorded = {
          type: code ? String(code) : name ? String(name) : undefined,
          message: message ? String(message) : undefined,
          source: exception,
        };
      } catch {
        return; // A getter that throws: the SDK would throw here; telemetry never throws into the caller.
      }
    }
    this.record(['recordException', recorded, timeOrNow(time)]);
  }

  private record(operation: Operation): void {
    (this.operations ??= []).push(operation);
  }

  /**
   * Follows the attribute `error` as the SDK holds it: a value the SDK ignores (undefined, or not
   * an attribute value) leaves the one set before, as `maybeAddAttribute` of @opentelemetry/core
   * does (null is a value: it replaces `true`).
   */
  private noteAttribute(value: unknown): void {
    if (value === undefined || !isAnyValue(value)) return;
    this.errorAttribute = value === true || value === 'true';
  }
}

/**
 * Replays `span` onto a real span of its replay tracer (whose sampler samples and whose id
 * generator must hand out the captured span's ids: see replay-provider.ts) and ends it, so that
 * the replay provider's span processors export it as any sampled span.
 */
export function replayCapturedSpan(span: CapturedSpan): void {
  const live = span.replayTracer.startSpan(span.startName, span.startOptions, span.parentContext);
  for (const operation of span.operations ?? []) {
    switch (operation[0]) {
      case 'setAttribute':
        live.setAttribute(operation[1], operation[2] as AttributeValue);
        break;
      case 'setAttributes':
        live.setAttributes(operation[1]);
        break;
      case 'addEvent':
        live.addEvent(operation[1], operation[2], operation[3]);
        break;
      case 'addLink':
        live.addLink(operation[1]);
        break;
      case 'setStatus':
        live.setStatus(operation[1]);
        break;
      case 'updateName':
        live.updateName(operation[1]);
        break;
      case 'recordException':
        live.recordException(exceptionAtReplay(operation[1]), operation[2]);
        break;
    }
  }
  live.end(span.endTime);
}

/** The exception to give the live span for `recorded`: type and message as recorded, the stack read now. */
function exceptionAtReplay(recorded: RecordedException): Exception {
  if (typeof recorded !== 'object') return recorded;
  let stack: string | undefined;
  try {
    const value = (recorded.source as { stack?: unknown }).stack;
    stack = value ? String(value) : undefined;
  } catch {
    stack = undefined;
  }
  return { name: recorded.type, message: recorded.message, stack } as Exception;
}

/**
 * `time` when it is a TimeInput, else the performance.now() reading of this moment. What the SDK
 * does with a missing or invalid time (not a number, Date or HrTime) is take the time of the
 * call; taking it at replay instead would move the span to the moment its trace was kept.
 */
function timeOrNow(time: unknown): TimeInput {
  return isTimeInput(time) ? time : performance.now();
}

/**
 * A copy of `attributes` as the SDK keeps them at the call: own keys, array values copied (the
 * caller may change its objects after the call; the replay must see them as they were).
 */
function copyAttributes(attributes: Attributes): Attributes {
  const copy: Attributes = {};
  for (const key in attributes) {
    if (!Object.hasOwn(attributes, key)) continue;
    const value = attributes[key];
    copy[key] = Array.isArray(value) ? (value.slice() as AttributeValue) : value;
  }
  return copy;
}

/** A copy of `link` (its attributes copied as {@link copyAttributes} does); the span context is immutable. */
function copyLink(link: Link): Link {
  if (link === null || typeof link !== 'object') return link;
  return link.attributes === undefined ? { ...link } : { ...link, attributes: copyAttributes(link.attributes) };
}
