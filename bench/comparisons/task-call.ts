/**
 * `task_call@<ratio>`: an async method under @Task, started through initObservability() (span,
 * task metrics, tenant from baggage, two info lines to /dev/null), against the same
 * instrumentation written by hand with @opentelemetry/api + prom-client + pino on its own
 * TracerProvider with the same sampler, batch processor and OTLP http/protobuf exporter; both
 * export to the same live sink (a child process). The undecorated call is timed in the same rounds.
 */
import { context, propagation, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import pino, { type Logger } from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';
import { Task, TENANT_BAGGAGE_KEY, initObservability, type ObservabilityHandle } from '../../src/index.js';
import { isolatedConfigSource } from '../config-source.js';
import { compareRounds, formatNs, timeCalls, timeResult, type BenchMode, type BenchResult } from '../harness.js';
import { startOtlpSink } from '../otlp-sink.js';

/** One job of the measured task. */
export interface Job {
  taskId: string;
  n: number;
}

const TYPE = 'stateless';
const TENANTS = 8;
const ERROR_CAPTURE_DEFAULTS = { max_traces: 1000, max_spans_per_trace: 256, max_buffered_spans: 10_000 };
const SIZES: Record<BenchMode, { calls: number; rounds: number; deadlineMs: number }> = {
  full: { calls: 100, rounds: 3000, deadlineMs: 25_000 },
  quick: { calls: 100, rounds: 600, deadlineMs: 800 },
  tiny: { calls: 50, rounds: 3, deadlineMs: 500 },
};

async function work(job: Job): Promise<number> {
  return job.n * 2 + 1;
}

/** The package side: the task under @Task. */
export class Worker {
  @Task({ type: TYPE })
  run(job: Job): Promise<number> {
    return work(job);
  }
}

/** The package side without its two log lines: what @Task costs besides logging. */
export class WorkerWithoutLogs {
  @Task({ type: TYPE, logs: 'none' })
  run(job: Job): Promise<number> {
    return work(job);
  }
}

/**
 * initObservability() as the package side of the comparison runs it: package defaults at sampling
 * `ratio` (error capture on unless `errorCaptureOff`), OTLP http/protobuf to `endpoint`, info lines
 * to /dev/null, no endpoint and no http/fetch instrumentation (nothing here for them to do).
 */
export function startPackageSide(
  ratio: number,
  errorCaptureOff: boolean,
  endpoint: string,
): Promise<ObservabilityHandle> {
  return initObservability({
    ...isolatedConfigSource(),
    overrides: {
      service: { name: 'bench' },
      prometheus: { enabled: false },
      logging: { level: 'info', destination: process.env.BENCH_LOG_DEST ?? '/dev/null' },
      opentelemetry: {
        enabled: true,
        exporter: { protocol: 'http/protobuf', endpoint, headers: {}, timeout_ms: 10_000 },
        sampling: {
          strategy: 'parent_based_traceid_ratio',
          ratio,
          ...(errorCaptureOff ? { error_capture: { ...ERROR_CAPTURE_DEFAULTS, enabled: false } } : {}),
        },
        instrumentations: { http: false, fetch: false },
      },
    },
  });
}

/**
 * The calls of every variant: `call(fn)(i)` runs `fn` on the i-th of 64 jobs inside the context of
 * the i-th of {@link TENANTS} tenants (in the baggage), as each round's `timeCalls` does.
 */
export function tenantCalls(): (fn: (job: Job) => Promise<number>) => (i: number) => Promise<number> {
  const jobs: Job[] = Array.from({ length: 64 }, (_, i) => ({ taskId: `task-${i}`, n: i }));
  const tenantContexts: Context[] = Array.from({ length: TENANTS }, (_, i) =>
    propagation.setBaggage(
      context.active(),
      propagation.createBaggage({ [TENANT_BAGGAGE_KEY]: { value: `tenant-${i}` } }),
    ),
  );
  return (fn) => (i) => context.with(tenantContexts[i % TENANTS]!, fn, undefined, jobs[i % jobs.length]!);
}

/** Trace fields of the active context, read on every line as a hand-written pino mixin would. */
function handMixin(): Record<string, string> {
  const active = context.active();
  const fields: Record<string, string> = {};
  const spanContext = trace.getSpanContext(active);
  if (spanContext !== undefined) {
    fields.trace_id = spanContext.traceId;
    fields.span_id = spanContext.spanId;
    fields.trace_flags = `0${spanContext.traceFlags.toString(16)}`;
  }
  const tenant = propagation.getBaggage(active)?.getEntry(TENANT_BAGGAGE_KEY)?.value;
  if (tenant !== undefined) fields.tenant_id = tenant;
  return fields;
}

/**
 * The instrumentation of @Task written by hand: same span, attributes, metrics, exemplar and (when
 * `logLines`) log lines.
 */
function createHandWritten(tracer: Tracer, registry: Registry, logger: Logger, logLines = true) {
  const labelNames = ['type', 'tenant'] as const;
  const submitted = new Counter({
    name: 'grey_tasks_submitted_total',
    help: 'submitted',
    labelNames,
    registers: [registry],
  });
  const completed = new Counter({
    name: 'grey_tasks_completed_total',
    help: 'completed',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'grey_task_duration_seconds',
    help: 'duration',
    labelNames: ['tenant'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0],
    enableExemplars: true,
    registers: [registry],
  });
  const taskLogger = logger.child({ task_type: TYPE });
  const inSpan = async (job: Job, span: Span, tenant: string): Promise<number> => {
    submitted.inc({ type: TYPE, tenant });
    if (logLines) taskLogger.info({ task_id: job.taskId }, 'task started');
    const start = performance.now();
    try {
      const result = await work(job);
      const seconds = (performance.now() - start) / 1000;
      completed.inc({ type: TYPE, tenant });
      const spanContext = span.spanContext();
      const exemplarLabels = (spanContext.traceFlags & 1) === 1 ? { trace_id: spanContext.traceId } : {};
      duration.observe({ labels: { tenant }, value: seconds, exemplarLabels } as never);
      if (logLines) taskLogger.info({ task_id: job.taskId, duration_ms: seconds * 1000 }, 'task completed');
      return result;
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: 2 });
      throw error;
    } finally {
      span.end();
    }
  };
  return (job: Job): Promise<number> => {
    const parent = context.active();
    const tenant = propagation.getBaggage(parent)?.getEntry(TENANT_BAGGAGE_KEY)?.value ?? '__none__';
    const span = tracer.startSpan(
      'grey.task.run',
      { attributes: { 'grey.task_type': TYPE, 'grey.tenant_id': tenant, 'grey.task_id': job.taskId } },
      parent,
    );
    return context.with(trace.setSpan(parent, span), inSpan, undefined, job, span, tenant);
  };
}

/** Runs the comparison at one sampling ratio (one initObservability per process: the worker runs one ratio). */
export async function runTaskCall(ratio: number, mode: BenchMode, errorCaptureOff = false): Promise<BenchResult[]> {
  const size = SIZES[mode];
  const sink = await startOtlpSink();
  const handle = await startPackageSide(ratio, errorCaptureOff, sink.endpoint);
  const errorCapture = handle.config.opentelemetry.sampling.error_capture.enabled;

  const provider = new TracerProvider({
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: `${sink.endpoint}/v1/traces` }),
        maxQueueSize: 2048,
        maxExportBatchSize: 512,
        scheduledDelayMillis: 5000,
      }),
    ],
  });
  const handLogger = pino(
    { level: 'info', base: { service: 'bench', pid: process.pid }, messageKey: 'msg', mixin: handMixin },
    pino.destination({ dest: process.env.BENCH_LOG_DEST ?? '/dev/null', sync: false }),
  );
  const handRegistry = new Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>();
  handRegistry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE); // prom-client's condition for exemplars
  const byHand = createHandWritten(provider.getTracer('bench'), handRegistry as unknown as Registry, handLogger);
  const worker = new Worker();
  // The same two sides without their log lines, on registries of their own: what the lines cost.
  const quietRegistry = new Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>();
  quietRegistry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const byHandWithoutLogs = createHandWritten(
    provider.getTracer('bench'),
    quietRegistry as unknown as Registry,
    handLogger,
    false,
  );
  const workerWithoutLogs = new WorkerWithoutLogs();

  const call = tenantCalls();
  const decorated = call((job) => worker.run(job));
  const hand = call(byHand);
  const plain = call(work);
  const decoratedWithoutLogs = call((job) => workerWithoutLogs.run(job));
  const handWithoutLogs = call(byHandWithoutLogs);

  const stats = await compareRounds({
    a: () => timeCalls(size.calls, decorated),
    b: () => timeCalls(size.calls, hand),
    extra: {
      undecorated: () => timeCalls(size.calls, plain),
      task_without_logs: () => timeCalls(size.calls, decoratedWithoutLogs),
      by_hand_without_logs: () => timeCalls(size.calls, handWithoutLogs),
    },
    rounds: size.rounds,
    warmup: { tiny: 1, quick: 10, full: 30 }[mode],
    deadlineMs: size.deadlineMs,
    between: () => new Promise((resolve) => setImmediate(resolve)),
  });
  const undecorated = stats.extraMedians.undecorated!;
  const taskQuiet = stats.extraMedians.task_without_logs!;
  const handQuiet = stats.extraMedians.by_hand_without_logs!;
  const target = ratio === 0 ? 0.8 : ratio === 0.1 ? 1.0 : undefined;
  const notes =
    `async method, tenant from baggage (${TENANTS} tenants), 2 info lines to /dev/null, OTLP http/protobuf to a live sink in another process; ` +
    `CPU ns per call, ${size.calls} calls per round. Over an undecorated call (${formatNs(undecorated)}): @Task +${formatNs(stats.aMedian - undecorated)}, ` +
    `by hand +${formatNs(stats.bMedian - undecorated)}. Without the two log lines (same rounds): @Task +${formatNs(taskQuiet - undecorated)}, ` +
    `by hand +${formatNs(handQuiet - undecorated)}; the lines themselves: @Task ${formatNs(stats.aMedian - taskQuiet)}, ` +
    `by hand ${formatNs(stats.bMedian - handQuiet)}. Package defaults otherwise (error capture ${errorCapture ? 'on' : 'off'}; ` +
    `the hand-written side has no error capture, no redaction, no tenant guard). ` +
    (errorCaptureOff
      ? 'Not one of the targets: shows what error capture costs at this ratio.'
      : target === undefined
        ? 'No target at ratio 1.'
        : `Target <= ${target.toFixed(1)}.`);

  await handle.shutdown();
  await provider.shutdown();
  await new Promise<void>((resolve) => handLogger.flush(() => resolve()));
  sink.stop();
  return [timeResult(`task_call@${ratio}${errorCaptureOff ? ',error_capture=off' : ''}`, stats, notes)];
}
