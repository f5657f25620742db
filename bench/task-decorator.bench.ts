/**
 * Side-by-side benchmark (not part of npm test): a @Task call at sampling ratio 0.1 against the
 * same instrumentation written by hand with @opentelemetry/api, prom-client and pino, in one
 * process, reported as a ratio. Both variants start a span with the same start attributes, count
 * submitted/completed, observe the duration with an exemplar when sampled, and write the same two
 * log lines through the same logger (to /dev/null). Rounds alternate so drift hits both alike.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/task-decorator.bench.js [calls-per-round] [rounds]
 */
import { context, propagation, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import pino, { type Logger } from 'pino';
import { Task } from '../src/decorators/index.js';
import { closeLogger, createLogger } from '../src/logging/index.js';
import { setRuntime } from '../src/runtime.js';
import { createTestTaskMetrics, type TestTaskMetrics } from '../test/decorators/support/runtime.js';
import { testConfig } from '../test/support/config.js';

interface Job {
  taskId: string;
  tenantId: string;
  n: number;
}

const TYPE = 'stateless';
const DEV_NULL = '/dev/null';

class DiscardingExporter implements SpanExporter {
  exported = 0;
  export(spans: ReadableSpan[], done: (result: { code: number }) => void): void {
    this.exported += spans.length;
    done({ code: 0 });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function work(job: Job): number {
  return job.n * 2 + 1;
}

class Decorated {
  @Task({ type: TYPE })
  run(job: Job): number {
    return work(job);
  }
}

/**
 * The same instrumentation, written out by hand: the same span and start attributes, the tenant
 * put into the baggage for the call (so nested log lines carry it, as @Task does), the same
 * metrics and exemplar, and the same two log lines with the same fields.
 */
function createManual(tracer: Tracer, metrics: TestTaskMetrics, logger: Logger): (job: Job) => number {
  const { submitted, completed, failed } = metrics.counters;
  const histogram = metrics.histogram;
  const inSpan = (job: Job, span: Span): number => {
    const labels = { type: TYPE, tenant: job.tenantId };
    submitted.inc(labels);
    logger.info({ task_type: TYPE, task_id: job.taskId }, 'task started');
    const start = performance.now();
    try {
      const result = work(job);
      const seconds = (performance.now() - start) / 1000;
      completed.inc(labels);
      const spanContext = span.spanContext();
      const exemplarLabels = (spanContext.traceFlags & 1) === 1 ? { trace_id: spanContext.traceId } : {};
      histogram.observe({ labels: { tenant: job.tenantId }, value: seconds, exemplarLabels } as never);
      logger.info({ task_type: TYPE, task_id: job.taskId, duration_ms: seconds * 1000 }, 'task completed');
      return result;
    } catch (error) {
      if (span.isRecording()) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
      }
      failed.inc(labels);
      logger.error({ task_type: TYPE, task_id: job.taskId, err: error }, 'task failed');
      throw error;
    } finally {
      span.end();
    }
  };
  return (job) => {
    const parent = context.active();
    const span = tracer.startSpan(
      'grey.task.run',
      { attributes: { 'grey.task_type': TYPE, 'grey.tenant_id': job.tenantId, 'grey.task_id': job.taskId } },
      parent,
    );
    const baggage = (propagation.getBaggage(parent) ?? propagation.createBaggage()).setEntry('grey.tenant_id', { value: job.tenantId });
    return context.with(propagation.setBaggage(trace.setSpan(parent, span), baggage), inSpan, undefined, job, span);
  };
}

/** Prints the keys of the log lines each variant writes, to show the two do the same work. */
function reportOutputShapes(config: ReturnType<typeof testConfig>, tracer: Tracer, metrics: TestTaskMetrics, job: Job): void {
  const shapes: string[] = [];
  for (const variant of ['@Task', 'by hand']) {
    const lines: string[] = [];
    const logger = createLogger(config, { stream: { write: (line: string) => void lines.push(line) } });
    setRuntime({ config, logger, tracer, metrics });
    if (variant === '@Task') new Decorated().run(job);
    else createManual(tracer, metrics, logger)(job);
    shapes.push(lines.map((line) => Object.keys(JSON.parse(line) as object).filter((k) => k !== 'duration_ms').sort().join(',')).join(' | '));
  }
  console.log(`log line keys match: ${shapes[0] === shapes[1] ? 'yes' : `NO\n  ${shapes.join('\n  ')}`}`);
}

function timeRound(fn: (job: Job) => number, jobs: Job[], calls: number): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) sink += fn(jobs[i % jobs.length]!);
  const elapsed = Number(process.hrtime.bigint() - start);
  if (sink === -1) console.log('unreachable');
  return elapsed / calls;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 2_000);
  const rounds = Number(process.argv[3] ?? 200);
  const deadline = Date.now() + 120_000;
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const exporter = new DiscardingExporter();
  const provider = new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.1) }),
    spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 65_536 })],
  });
  const tracer = provider.getTracer('bench');
  const config = testConfig({ logging: { level: (process.env.BENCH_LOG_LEVEL ?? 'info') as 'info', destination: DEV_NULL } });
  const logger = createLogger(config);
  const metrics = createTestTaskMetrics();

  const jobs: Job[] = Array.from({ length: 64 }, (_, i) => ({ taskId: `task-${i}`, tenantId: `tenant-${i % 8}`, n: i }));
  reportOutputShapes(config, tracer, metrics, jobs[0]!);
  setRuntime({ config, logger, tracer, metrics });
  const decorated = new Decorated();
  const variants: Array<[string, (job: Job) => number]> = [
    ['@Task', (job) => decorated.run(job)],
    ['by hand', createManual(tracer, metrics, logger)],
  ];
  for (const [, fn] of variants) timeRound(fn, jobs, calls); // warm-up
  // Many short rounds, alternating which variant goes first; the ratio is the median of the
  // per-round ratios, which cancels most of the drift a shared 2-core machine shows.
  const perCall = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  const ratios: number[] = [];
  for (let round = 0; round < rounds && Date.now() < deadline; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    const times = new Map(order.map(([name, fn]) => [name, timeRound(fn, jobs, calls)] as const));
    for (const [name, value] of times) perCall.get(name)!.push(value);
    ratios.push(times.get('@Task')! / times.get('by hand')!);
    await new Promise((resolve) => setImmediate(resolve)); // let the batch processor export
  }
  const task = median(perCall.get('@Task')!);
  const manual = median(perCall.get('by hand')!);
  console.log(`calls per round ${calls}, rounds ${ratios.length}, sampling ratio 0.1, spans exported ${exporter.exported}`);
  console.log(`@Task    median ${task.toFixed(0)} ns/call`);
  console.log(`by hand  median ${manual.toFixed(0)} ns/call`);
  console.log(`ratio @Task / by hand = ${median(ratios).toFixed(3)} (median of per-round ratios; target <= 1.00)`);

  await benchLogger(tracer);

  setRuntime(undefined);
  await closeLogger(logger);
  await provider.shutdown();
  contextManager.disable();
  context.disable();
  trace.disable();
  propagation.disable();
}

/** A log line inside a span: createLogger's cached mixin against a naive trace mixin and none. */
async function benchLogger(tracer: Tracer): Promise<void> {
  const naive = pino(
    {
      mixin() {
        const spanContext = trace.getSpan(context.active())?.spanContext();
        return spanContext === undefined
          ? {}
          : { trace_id: spanContext.traceId, span_id: spanContext.spanId, trace_flags: `0${spanContext.traceFlags.toString(16)}` };
      },
    },
    pino.destination({ dest: DEV_NULL, sync: false }),
  );
  const plain = pino(pino.destination({ dest: DEV_NULL, sync: false }));
  const ours = createLogger(testConfig({ logging: { level: 'info', destination: DEV_NULL } }));
  const span = tracer.startSpan('logging', { root: true });
  const loggers: Array<[string, Logger]> = [['plain pino', plain], ['naive mixin', naive], ['createLogger', ours]];
  const calls = 20_000;
  const perLine = new Map<string, number[]>(loggers.map(([name]) => [name, []]));
  context.with(trace.setSpan(context.active(), span), () => {
    for (let round = 0; round < 9; round++) {
      for (const [name, logger] of loggers) {
        const start = process.hrtime.bigint();
        for (let i = 0; i < calls; i++) logger.info({ i }, 'line');
        perLine.get(name)!.push(Number(process.hrtime.bigint() - start) / calls);
      }
    }
  });
  span.end();
  const base = median(perLine.get('plain pino')!);
  for (const [name] of loggers) {
    const value = median(perLine.get(name)!);
    console.log(`log line in a span, ${name.padEnd(12)} ${value.toFixed(0)} ns (+${((value / base - 1) * 100).toFixed(0)}% vs plain pino)`);
  }
  await Promise.all([closeLogger(ours), closeLogger(naive), closeLogger(plain)]);
}

await main();
