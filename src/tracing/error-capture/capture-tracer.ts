import {
  INVALID_TRACEID,
  context as contextApi,
  trace,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
  type TracerOptions,
  type TracerProvider,
} from '@opentelemetry/api';
import type { TracerProvider as SdkTracerProvider } from '@opentelemetry/sdk-trace';
import { CapturedSpan } from './captured-span.js';
import type { ErrorCapture } from './error-capture.js';

/**
 * A tracer that hands out a {@link CapturedSpan} where the SDK's tracer drops a span (its head
 * sampler said NOT_RECORD) while error capture runs; every other span is the SDK's own. The SDK
 * still makes every decision (ids, sampling, suppression, parent): only the non-recording span it
 * returns is swapped for one that records cheaply, with the same span context and the same span
 * limits (`opentelemetry.limits`, held by the capture).
 */
export class CaptureTracer implements Tracer {
  constructor(
    private readonly sdkTracer: Tracer,
    /** The replay twin of `sdkTracer` (same scope), handed to each captured span. */
    private readonly replayTracer: Tracer,
    private readonly capture: ErrorCapture,
  ) {}

  startSpan(name: string, options: SpanOptions = {}, ctx: Context = contextApi.active()): Span {
    const span = this.sdkTracer.startSpan(name, options, ctx);
    if (span.isRecording() || !this.capture.active) return span;
    const spanContext = span.spanContext();
    // The SDK returns the invalid span context where tracing is suppressed: nothing to capture.
    // (Otherwise its ids are valid: generated, or the parent's; no need to test them again.)
    if (spanContext.traceId === INVALID_TRACEID) return span;
    const parentContext = options.root === true ? trace.deleteSpan(ctx) : ctx;
    return this.capture.started(
      new CapturedSpan(
        this.replayTracer,
        name,
        options,
        parentContext,
        spanContext,
        this.capture,
        this.capture.spanLimits,
      ),
    );
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    // The argument forms of the API's Tracer.startActiveSpan, read as the SDK's tracer reads them.
    const fn = rest[rest.length - 1] as (span: Span) => ReturnType<F>;
    const options = rest.length > 1 ? (rest[0] as SpanOptions | undefined) : undefined;
    const parent = rest.length > 2 ? ((rest[1] as Context | undefined) ?? contextApi.active()) : contextApi.active();
    const span = this.startSpan(name, options, parent);
    return contextApi.with(trace.setSpan(parent, span), fn, undefined, span);
  }
}

/**
 * The tracer provider registered globally while error capture runs: the SDK provider's tracers,
 * each wrapped in a {@link CaptureTracer}. `replay` is the provider that captured spans are
 * replayed through when their trace is kept (same resource and export pipeline, a sampler that
 * samples and an id generator that reuses the captured ids). Tracers are cached by name, version
 * and schema URL, as the SDK caches its own.
 */
export class CaptureTracerProvider implements TracerProvider {
  private readonly tracers = new Map<string, CaptureTracer>();

  constructor(
    private readonly sdk: SdkTracerProvider,
    private readonly replay: SdkTracerProvider,
    private readonly capture: ErrorCapture,
  ) {}

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const key = `${name}@${version ?? ''}:${options?.schemaUrl ?? ''}`;
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      tracer = new CaptureTracer(
        this.sdk.getTracer(name, version, options),
        this.replay.getTracer(name, version, options),
        this.capture,
      );
      this.tracers.set(key, tracer);
    }
    return tracer;
  }

  /** The SDK provider's forceFlush (every exported span, captured ones included, goes through it). */
  forceFlush(): Promise<void> {
    return this.sdk.forceFlush();
  }

  /** The SDK provider's shutdown. */
  shutdown(): Promise<void> {
    return this.sdk.shutdown();
  }
}
