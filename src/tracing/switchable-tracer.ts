import { ProxyTracerProvider, type Tracer } from '@opentelemetry/api';

/**
 * A tracer that forwards to the SDK's tracer while tracing runs and becomes a no-op once
 * {@link SwitchableTracer.switchOff} is called at shutdown, so that code holding the tracer after
 * shutdown records nothing (the API's own proxy tracer would keep the stopped SDK tracer).
 */
export class SwitchableTracer implements Tracer {
  constructor(
    private active: Tracer,
    private readonly name: string,
  ) {}

  startSpan: Tracer['startSpan'] = (name, options, context) => this.active.startSpan(name, options, context);

  startActiveSpan: Tracer['startActiveSpan'] = ((...args: unknown[]) =>
    (this.active.startActiveSpan as (...a: unknown[]) => unknown)(...args)) as Tracer['startActiveSpan'];

  /** From now on every span is non-recording. */
  switchOff(): void {
    this.active = new ProxyTracerProvider().getTracer(this.name);
  }
}
