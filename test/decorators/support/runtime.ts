import type { Tracer } from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';
import type { Counter, Histogram } from 'prom-client';
import type { ConfigOverrides, ObservabilityConfig } from '../../../src/config/types.js';
import { createLogger } from '../../../src/logging/index.js';
import { createMetrics, TENANT_NONE, type Metrics } from '../../../src/metrics/index.js';
import { getRuntime, setRuntime } from '../../../src/runtime.js';
import { testConfig } from '../../support/config.js';
import { captureLines, type CapturedLines } from '../../logging/support/capture.js';
import { startTestTracing, type TestTracing } from '../../logging/support/otel.js';

/**
 * The real metrics part (createMetrics: catalog helpers, tenant guard, exemplars) with handles on
 * the prom-client metrics behind the task helpers, for assertions.
 */
export interface TestTaskMetrics extends Metrics {
  counters: { submitted: Counter; completed: Counter; failed: Counter };
  durationHistogram: Histogram;
}

/** Builds the metrics part exactly as initObservability() does, on its own registry. */
export function createTestTaskMetrics(
  config: ObservabilityConfig = testConfig(),
  logger: Logger = createLogger(testConfig()),
): TestTaskMetrics {
  const metrics = createMetrics(config, logger);
  const metric = <T>(name: string): T => {
    const found = metrics.registry.getSingleMetric(name);
    if (found === undefined) throw new Error(`the catalog has no ${name}`);
    return found as T;
  };
  return Object.assign(metrics, {
    counters: {
      submitted: metric<Counter>('grey_tasks_submitted_total'),
      completed: metric<Counter>('grey_tasks_completed_total'),
      failed: metric<Counter>('grey_tasks_failed_total'),
    },
    durationHistogram: metric<Histogram>('grey_task_duration_seconds'),
  });
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
export function installTestRuntime(sampler?: Sampler, overrides: ConfigOverrides = {}): TestRuntime {
  const tracing = startTestTracing(sampler);
  const logs = captureLines();
  const config = testConfig({ logging: { level: 'info' }, ...overrides });
  const logger = createLogger(config, { stream: logs });
  const metrics = createTestTaskMetrics(config, logger);
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

/**
 * The value of a counter for exactly these labels (0 when never incremented); a `tenant` left out
 * means the series without a tenant (`__none__`).
 */
export async function counterValue(counter: Counter, labels: Record<string, string>): Promise<number> {
  const { values } = await counter.get();
  const wanted = Object.entries({ tenant: TENANT_NONE, ...labels });
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
