import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AlwaysOnSampler,
  TracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type Sampler,
} from '@opentelemetry/sdk-trace';

/** A real tracer provider recording into memory, with the AsyncLocalStorage context manager. */
export interface TestTracing {
  tracer: Tracer;
  exporter: InMemorySpanExporter;
  /** Shuts the provider down and unregisters every global this helper set. */
  stop(): Promise<void>;
}

/** Starts a real OTel SDK tracer (not registered globally) and the global context manager. */
export function startTestTracing(sampler: Sampler = new AlwaysOnSampler()): TestTracing {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return {
    tracer: provider.getTracer('grey-test'),
    exporter,
    async stop() {
      await provider.shutdown();
      contextManager.disable();
      context.disable();
      trace.disable();
      propagation.disable();
    },
  };
}
