import {
  SpanStatusCode,
  trace,
  type Attributes,
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
import {
  AddAttributeDecision,
  cleanAttributes,
  cleanSimpleAttributes,
  isTimeInput,
  maybeAddAttribute,
} from '@opentelemetry/core';
import type { ResolvedSpanLimits } from '../span-limits.js';
import { TENANT_BAGGAGE_KEY } from '../../tenancy/tenant-context.js';
import { tenantAttributeFor } from '../tenant-span-processor.js';

/** Where a {@link CapturedSpan} reports its end (the error-capture bookkeeping). */
export interface CapturedSpanSink {
  ended(span: CapturedSpan): void;
}

/** The bookkeeping's record of the dropped trace a captured span belongs to (error-capture.ts). */
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

/**
 * An event of a captured span as the SDK holds it: its attributes cleaned with the event limits
 * (`attributes_per_event`, `attribute_value_length`) at the call, or an exception, whose event
 * attributes the SDK builds at replay (the stack is read then).
 */
type CapturedEvent =
  | {
      readonly name: string;
      readonly attributes: Attributes | undefined;
      readonly droppedAttributesCount: number;
      readonly time: TimeInput;
    }
  | { readonly exception: RecordedException; readonly time: TimeInput };

/**
 * An exception as the SDK's `recordException` reads it, taken when it is recorded: its type (the
 * `code`, else the `name`) and message are copied then (an error's message or code may change
 * after it is recorded), cut to `attribute_value_length`; its stack is read at replay (formatting
 * it costs more than the whole captured span, and most are never replayed).
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
 * It holds what an SDK span would hold, with the same span limits (`opentelemetry.limits`),
 * applied at the call with the SDK's own functions of @opentelemetry/core: at most
 * `attribute_count` attributes (first set, first kept; the values cut to
 * `attribute_value_length`), the last `event_count` events and the last `link_count` links, each
 * with its own attribute limit, and the counts of what was dropped. So a dropped trace never holds
 * more than a sampled one would, however long it runs. The tenant attribute `grey.tenant_id` is
 * set at start as the tenant span processor sets it on SDK spans. Nothing is timed against the
 * clock or passed to span processors while the trace runs, which is what made recording every
 * dropped span as an SDK span cost more than a non-recording span. When its trace must be
 * exported (one of its spans ended in error), {@link replayCapturedSpan} hands this state to a real
 * SDK span with the same ids, times, parent and instrumentation scope (the counts of what was
 * dropped are added to the exported span by the replay provider); when the trace ends without
 * error the state is simply dropped.
 *
 * Times are taken as `performance.now()` readings and converted by the SDK at replay (its
 * `_getTime` takes a number not later than `performance.now()` as such a reading), so an exported
 * captured span has the timing a live SDK span would have had. What the caller hands over is
 * copied at the call, as the SDK copies it: attribute values (arrays and maps included), links
 * and their attributes, status objects; an exception's type and message (its stack is read at
 * replay).
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
  /** The dropped trace this span belongs to, set by the bookkeeping when the span starts. */
  capturedTrace: CapturedTrace | undefined = undefined;
  /** Name at start. */
  readonly startName: string;
  /** Name now (updateName()). */
  private name: string;
  readonly kind: SpanKind | undefined;
  readonly startTime: TimeInput;
  /** End time as given to end(), or the performance.now() reading at end. */
  endTime: TimeInput | undefined = undefined;
  private ended = false;
  /** The attributes as the SDK would hold them (at most `attributeCountLimit`). */
  private attributes: Attributes = {};
  private attributeCount = 0;
  /** Attributes dropped (count limit reached, invalid at start), as the SDK counts them. */
  droppedAttributesCount = 0;
  /** The last `linkCountLimit` links, each with its dropped attribute count; allocated at the first. */
  private links: Link[] | undefined;
  droppedLinksCount = 0;
  /** The last `eventCountLimit` events; allocated at the first. */
  private events: CapturedEvent[] | undefined;
  droppedEventsCount = 0;
  /** Status as the SDK would hold it (UNSET ignored, OK final, a message only with ERROR). */
  private status: SpanStatus | undefined;

  constructor(
    /** The replay tracer of the span's instrumentation scope (see replay-provider.ts). */
    readonly replayTracer: Tracer,
    name: string,
    options: SpanOptions,
    parentContext: Context,
    private readonly context: SpanContext,
    private readonly sink: CapturedSpanSink,
    private readonly limits: ResolvedSpanLimits,
  ) {
    this.startName = name;
    this.name = name;
    this.parentContext = parentContext;
    const parentSpan = trace.getSpan(parentContext);
    this.parentSpan = parentSpan;
    this.isLocalRoot = !(parentSpan instanceof CapturedSpan);
    this.kind = options.kind;
    this.startTime = timeOrNow(options.startTime);
    if (options.attributes !== undefined) this.startAttributes(options.attributes);
    if (options.links !== undefined && options.links.length > 0) this.startLinks(options.links);
    const tenant = tenantAttributeFor(this.attributes, parentContext);
    if (tenant !== undefined) this.setAttribute(TENANT_BAGGAGE_KEY, tenant);
  }

  spanContext(): SpanContext {
    return this.context;
  }

  /** True when the span ended with status ERROR or with the attribute `error` true (boolean or string). */
  get endedInError(): boolean {
    if (this.status?.code === SpanStatusCode.ERROR) return true;
    const error = this.attributes['error'];
    return error === true || error === 'true';
  }

  setAttribute(key: string, value: unknown): this {
    if (this.ended || value === undefined) return this;
    const isNew = !Object.hasOwn(this.attributes, key);
    if (isPrimitive(value) && key.length > 0) {
      // The fast path of the rule below, for the values most attributes are.
      if (isNew && this.attributeCount >= this.limits.attributeCountLimit) this.droppedAttributesCount++;
      else {
        this.attributes[key] = typeof value === 'string' ? cut(value, this.limits.attributeValueLengthLimit) : value;
        if (isNew) this.attributeCount++;
      }
      return this;
    }
    // The SDK's own rule (SpanImpl.setAttribute): validity, count limit, value length, copy.
    const decision = maybeAddAttribute({
      key,
      value: value as Attributes[string],
      attributes: this.attributes,
      limits: this.limits,
      currentAttributesCount: this.attributeCount,
    });
    if (decision === AddAttributeDecision.DROP_LIMIT_REACHED) this.droppedAttributesCount++;
    else if (decision === AddAttributeDecision.ADD_NEW) this.attributeCount++;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    if (this.ended || attributes === null || typeof attributes !== 'object') return this;
    for (const key in attributes) if (Object.hasOwn(attributes, key)) this.setAttribute(key, attributes[key]);
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
    const given = isTimeInput(attributesOrStartTime) ? undefined : attributesOrStartTime;
    if (!this.admitEvent()) return this;
    const cleaned = cleanSimpleAttributes(given, {
      attributeCountLimit: this.limits.attributePerEventCountLimit,
      attributeValueLengthLimit: this.limits.attributeValueLengthLimit,
    });
    this.events!.push({
      name,
      attributes: cleaned.attributes,
      droppedAttributesCount: cleaned.droppedAttributesCount ?? 0,
      time: timeOrNow(explicit),
    });
    return this;
  }

  addLink(link: Link): this {
    if (this.ended) return this;
    const { linkCountLimit } = this.limits;
    // As SpanImpl.addLink: none allowed, or the oldest makes room.
    if (linkCountLimit === 0) {
      this.droppedLinksCount++;
      return this;
    }
    const links = (this.links ??= []);
    if (links.length >= linkCountLimit) {
      links.shift();
      this.droppedLinksCount++;
    }
    links.push(this.cleanLink(link));
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.ended || status.code === SpanStatusCode.UNSET || this.status?.code === SpanStatusCode.OK) return this;
    // As SpanImpl.setStatus: only the code, and a string message with ERROR.
    this.status =
      status.code === SpanStatusCode.ERROR && typeof status.message === 'string'
        ? { code: status.code, message: status.message }
        : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (this.ended) return this;
    this.name = name;
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
    const recorded = this.recorded(exception);
    // The SDK adds no event for an exception with neither a type nor a message.
    if (recorded === undefined || !this.admitEvent()) return;
    this.events!.push({ exception: recorded, time: timeOrNow(time) });
  }

  /** What {@link replayCapturedSpan} gives the SDK span, with the counts of what was dropped here. */
  get state(): CapturedSpanState {
    return {
      name: this.name,
      attributes: this.attributes,
      links: this.links ?? [],
      events: this.events ?? [],
      status: this.status,
    };
  }

  /**
   * The start attributes as the SDK's Tracer.startSpan keeps them (`cleanAttributes` of
   * @opentelemetry/core with the span limits: in order, the first `attributeCountLimit` valid
   * ones; undefined values skipped; every other one dropped and counted), with a fast path for
   * primitive values.
   */
  private startAttributes(given: Attributes): void {
    const { attributeCountLimit, attributeValueLengthLimit } = this.limits;
    for (const key in given) {
      if (!Object.hasOwn(given, key)) continue;
      const value = given[key];
      if (value === undefined) continue;
      if (this.attributeCount >= attributeCountLimit) {
        this.droppedAttributesCount++;
        continue;
      }
      let kept: unknown = value;
      if (!isPrimitive(value) || key.length === 0) {
        kept = cleanAttributes({ [key]: value }, this.limits).attributes?.[key];
        if (kept === undefined) {
          this.droppedAttributesCount++;
          continue;
        }
      } else if (typeof value === 'string') {
        kept = cut(value, attributeValueLengthLimit);
      }
      this.attributes[key] = kept as Attributes[string];
      this.attributeCount++;
    }
  }

  /** Makes room for one event as SpanImpl.addEvent does; false when no event is allowed. */
  private admitEvent(): boolean {
    const { eventCountLimit } = this.limits;
    if (eventCountLimit === 0) {
      this.droppedEventsCount++;
      return false;
    }
    const events = (this.events ??= []);
    if (events.length >= eventCountLimit) {
      events.shift();
      this.droppedEventsCount++;
    }
    return true;
  }

  /** The SDK's start links: each cleaned with the link limits, the last `linkCountLimit` kept. */
  private startLinks(links: Link[]): void {
    const { linkCountLimit } = this.limits;
    const kept = links.length > linkCountLimit ? links.slice(links.length - linkCountLimit) : links;
    this.droppedLinksCount = links.length - kept.length;
    if (kept.length > 0) this.links = kept.map((link) => this.cleanLink(link));
  }

  private cleanLink(link: Link): Link {
    if (link === null || typeof link !== 'object') return link;
    return {
      context: link.context,
      ...cleanAttributes(link.attributes, {
        attributeCountLimit: this.limits.attributePerLinkCountLimit,
        attributeValueLengthLimit: this.limits.attributeValueLengthLimit,
      }),
    };
  }

  /** The exception as recorded now, or undefined when the SDK would record no event for it. */
  private recorded(exception: Exception): RecordedException | undefined {
    const limit = this.limits.attributeValueLengthLimit;
    if (typeof exception === 'string') return exception === '' ? undefined : cut(exception, limit);
    if (typeof exception !== 'object' || exception === null) return undefined;
    try {
      // The SDK's reading (Span.recordException): the type is the code when there is one, else the name.
      const { code, name, message } = exception as { code?: unknown; name?: unknown; message?: unknown };
      const type = code ? String(code) : name ? String(name) : undefined;
      const text = message ? String(message) : undefined;
      if (type === undefined && text === undefined) return undefined;
      return {
        type: type === undefined ? undefined : cut(type, limit),
        message: text === undefined ? undefined : cut(text, limit),
        source: exception,
      };
    } catch {
      return undefined; // A getter that throws: the SDK would throw here; telemetry never throws into the caller.
    }
  }
}

/** What a captured span holds at its end, as the SDK span it becomes must hold it. */
export interface CapturedSpanState {
  readonly name: string;
  readonly attributes: Attributes;
  readonly links: readonly Link[];
  readonly events: readonly CapturedEvent[];
  readonly status: SpanStatus | undefined;
}

/**
 * Replays `span` onto a real span of its replay tracer (whose sampler samples and whose id
 * generator must hand out the captured span's ids: see replay-provider.ts) and ends it, so that
 * the replay provider's span processors export it as any sampled span. Everything the span holds
 * is within the span limits already, so the SDK span drops nothing more; what the captured span
 * dropped is added to the exported counts by the replay provider ({@link withCapturedDrops}).
 */
export function replayCapturedSpan(span: CapturedSpan): void {
  const state = span.state;
  const live = span.replayTracer.startSpan(
    span.startName,
    { kind: span.kind, attributes: state.attributes, links: [...state.links], startTime: span.startTime },
    span.parentContext,
  );
  for (const event of state.events) {
    if ('exception' in event) live.recordException(exceptionAtReplay(event.exception), event.time);
    else live.addEvent(event.name, event.attributes, event.time);
  }
  if (state.status !== undefined) live.setStatus(state.status);
  if (state.name !== span.startName) live.updateName(state.name);
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

function isPrimitive(value: unknown): value is string | number | boolean {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean';
}

/** `text` cut to `limit` characters, as the SDK cuts string attribute values. */
function cut(text: string, limit: number): string {
  return text.length <= limit ? text : text.substring(0, limit);
}
