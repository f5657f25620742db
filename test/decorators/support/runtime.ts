import { trace, type Tracer } from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace';
import { Counter, Histogram, Registry } from 'prom-client';
import type { TaskCounterLabels, TaskDurationLabels, TaskMetrics } from '../../../src/decorators/index.js';
import { createLogger } from '../../../src/logging/index.js';
import { getRuntime, setRuntime } from '../../../src/runtime.js';
import { testConfig } from '../../support/config.js';
import { captureLines, type CapturedLines } from '../../logging/support/capture.js';
import { startTestTracing, type TestTracing } from '../../logging/support/otel.js';

/** Real prom-client task metrics behind the shape the metrics part exposes (docs/architecture.md). */
export interface TestTaskMetrics extends TaskMetrics {
  registry: Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>;
  counters: { submitted: Counter; completed: Counter; failed: Counter };
  histogram: Histogram;
}

/** Builds the spec's task metrics on a fresh registry, exemplars taken from the active sampled span. */
export function createTestTaskMetrics(): TestTaskMetrics {
  const registry = new Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const counter = (name: string) =>
    new Counter({ name, help: name, labelNames: ['type', 'tenant'], registers: [registry] });
  const submitted = counter('grey_tasks_submitted_total');
  const completed = counter('grey_tasks_completed_total');
  const failed = counter('grey_tasks_failed_total');
  const histogram = new Histogram({
    name: 'grey_task_duration_seconds',
    help: 'Task duration',
    labelNames: ['tenant'],
    buckets: [0.001, 0.01, 0.1, 1, 5],
    enableExemplars: true,
    registers: [registry],
  });
  return {
    registry,
    counters: { submitted, completed, failed },
    histogram,
    tasks: {
      submitted: { inc: (labels: TaskCounterLabels) => submitted.inc(labels as unknown as Record<string, string>) },
      completed: { inc: (labels: TaskCounterLabels) => completed.inc(labels as unknown as Record<string, string>) },
      failed: { inc: (labels: TaskCounterLabels) => failed.inc(labels as unknown as Record<string, string>) },
      duration: {
        observe: (labels: TaskDurationLabels, seconds: number) => {
          const spanContext = trace.getActiveSpan()?.spanContext();
          const sampled = spanContext !== undefined && (spanContext.traceFlags & 1) === 1;
          const exemplarLabels = sampled ? { trace_id: spanContext.traceId } : {};
          histogram.observe({
            labels: labels as unknown as Record<string, string>,
            value: seconds,
            exemplarLabels,
          } as never);
        },
      },
    },
  };
}

/** A live runtime made of real parts: tracer with in-memory exporter, prom-client metrics, pino logger. */
export interface TestRuntime {
  tracing: TestTracing;
  metrics: TestTaskMetrics;
  logs: CapturedLines;
  /** Clears the runtime and stops tracing (unregistering globals). */
  stop(): Promise<void>;
}

/** Installs a runtime through setRuntime(), as initObservability() does. */
export function installTestRuntime(sampler?: Sampler): TestRuntime {
  const tracing = startTestTracing(sampler);
  const metrics = createTestTaskMetrics();
  const logs = captureLines();
  const config = testConfig({ logging: { level: 'info' } });
  const logger = createLogger(config, { stream: logs });
  setRuntime({ config, logger, tracer: tracing.tracer, metrics });
  return {
    tracing,
    metrics,
    logs,
    async stop() {
      setRuntime(undefined);
      await tracing.stop();
    },
  };
}

/** The value of a counter for exactly these labels (0 when never incremented). */
export async function counterValue(counter: Counter, labels: Record<string, string>): Promise<number> {
  const { values } = await counter.get();
  const wanted = Object.entries(labels);
  const match = values.find(
    (v) => wanted.every(([k, val]) => v.labels[k] === val) && Object.keys(v.labels).length === wanted.length,
  );
  return match?.value ?? 0;
}

/**
 * Wraps the live runtime's tracer so that every startSpan() is counted, and installs it; returns
 * the count so far. Tests compare it with the exported spans to prove no started span stayed open.
 */
export function installCountingTracer(): () => number {
  const live = getRuntime();
  if (live === undefined) throw new Error('installTestRuntime() first');
  let started = 0;
  const tracer: Tracer = {
    startSpan: (...args: Parameters<Tracer['startSpan']>) => {
      started++;
      return live.tracer.startSpan(...args);
    },
    startActiveSpan: live.tracer.startActiveSpan.bind(live.tracer) as Tracer['startActiveSpan'],
  };
  setRuntime({ ...live, tracer });
  return () => started;
}
