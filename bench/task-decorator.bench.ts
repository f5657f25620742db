/**
 * Side-by-side benchmark (not part of npm test): a @Task call at sampling ratio 0.1 against the
 * same instrumentation written by hand with @opentelemetry/api, prom-client and pino, in one
 * process, reported as a ratio. Both variants start a span with the same start attributes, count
 * submitted/completed, observe the duration with an exemplar when sampled, and write the same two
 * log lines through the same logger (to /dev/null). Rounds alternate so drift hits both alike.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/task-decorator.bench.js [calls-per-round] [rounds]
 */
import { context, propagation, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  TracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
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

async function workAsync(job: Job): Promise<number> {
  return job.n * 2 + 1;
}

class Decorated {
  @Task({ type: TYPE })
  run(job: Job): number {
    return work(job);
  }

  @Task({ type: TYPE })
  runAsync(job: Job): Promise<number> {
    return workAsync(job);
  }
}

/**
 * The same instrumentation, written out by hand: the same span and start attributes, the tenant
 * put into the baggage for the call (so nested log lines carry it, as @Task does), the same
 * metrics and exemplar, and the same two log lines with the same fields. `sync` and `async` run
 * `work` and `workAsync` like the decorated methods do.
 */
function createManual(tracer: Tracer, metrics: TestTaskMetrics, logger: Logger) {
  const { submitted, completed, failed } = metrics.counters;
  const histogram = metrics.durationHistogram;
  const started = (job: Job): void => {
    submitted.inc({ type: TYPE, tenant: job.tenantId });
    logger.info({ task_type: TYPE, task_id: job.taskId }, 'task started');
  };
  const succeeded = (job: Job, span: Span, start: number): void => {
    const seconds = (performance.now() - start) / 1000;
    completed.inc({ type: TYPE, tenant: job.tenantId });
    const spanContext = span.spanContext();
    const exemplarLabels = (spanContext.traceFlags & 1) === 1 ? { trace_id: spanContext.traceId } : {};
    histogram.observe({ labels: { tenant: job.tenantId }, value: seconds, exemplarLabels } as never);
    logger.info({ task_type: TYPE, task_id: job.taskId, duration_ms: seconds * 1000 }, 'task completed');
  };
  const failedCall = (job: Job, span: Span, error: unknown): void => {
    if (span.isRecording()) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
    }
    failed.inc({ type: TYPE, tenant: job.tenantId });
    logger.error({ task_type: TYPE, task_id: job.taskId, err: error }, 'task failed');
  };
  const inSpan = (job: Job, span: Span): number => {
    started(job);
    const start = performance.now();
    try {
      const result = work(job);
      succeeded(job, span, start);
      return result;
    } catch (error) {
      failedCall(job, span, error);
      throw error;
    } finally {
      span.end();
    }
  };
  const inSpanAsync = async (job: Job, span: Span): Promise<number> => {
    started(job);
    const start = performance.now();
    try {
      const result = await workAsync(job);
      succeeded(job, span, start);
      return result;
    } catch (error) {
      failedCall(job, span, error);
      throw error;
    } finally {
      span.end();
    }
  };
  const callContext = (job: Job): [Context, Span] => {
    const parent = context.active();
    const span = tracer.startSpan(
      'grey.task.run',
      { attributes: { 'grey.task_type': TYPE, 'grey.tenant_id': job.tenantId, 'grey.task_id': job.taskId } },
      parent,
    );
    const baggage = (propagation.getBaggage(parent) ?? propagation.createBaggage()).setEntry('grey.tenant_id', {
      value: job.tenantId,
    });
    return [propagation.setBaggage(trace.setSpan(parent, span), baggage), span];
  };
  return {
    sync: (job: Job): number => {
      const [ctx, span] = callContext(job);
      return context.with(ctx, inSpan, undefined, job, span);
    },
    async: (job: Job): Promise<number> => {
      const [ctx, span] = callContext(job);
      return context.with(ctx, inSpanAsync, undefined, job, span);
    },
  };
}

/** Prints the keys of the log lines each variant writes, to show the two do the same work. */
function reportOutputShapes(
  config: ReturnType<typeof testConfig>,
  tracer: Tracer,
  metrics: TestTaskMetrics,
  job: Job,
): void {
  const shapes: string[] = [];
  for (const variant of ['@Task', 'by hand']) {
    const lines: string[] = [];
    const logger = createLogger(config, { stream: { write: (line: string) => void lines.push(line) } });
    setRuntime({ config, logger, tracer, metrics });
    if (variant === '@Task') new Decorated().run(job);
    else createManual(tracer, metrics, logger).sync(job);
    shapes.push(
      lines
        .map((line) =>
          Object.keys(JSON.parse(line) as object)
            .filter((k) => k !== 'duration_ms')
            .sort()
            .join(','),
        )
        .join(' | '),
    );
  }
  console.log(`log line keys match: ${shapes[0] === shapes[1] ? 'yes' : `NO\n  ${shapes.join('\n  ')}`}`);
}

type Variant = [name: string, fn: (job: Job) => number | Promise<number>];

async function timeRound(fn: Variant[1], jobs: Job[], calls: number, isAsync: boolean): Promise<number> {
  let sink = 0;
  const start = process.hrtime.bigint();
  if (isAsync) for (let i = 0; i < calls; i++) sink += await fn(jobs[i % jobs.length]!);
  else for (let i = 0; i < calls; i++) sink += fn(jobs[i % jobs.length]!) as number;
  const elapsed = Number(process.hrtime.bigint() - start);
  if (sink === -1) console.log('unreachable');
  return elapsed / calls;
}

/**
 * Many short rounds, alternating which variant goes first; the ratio is the median of the
 * per-round ratios, which cancels most of the drift a shared 2-core machine shows.
 */
async function compare(
  label: string,
  variants: Variant[],
  jobs: Job[],
  calls: number,
  rounds: number,
  isAsync: boolean,
): Promise<void> {
  for (const [, fn] of variants) await timeRound(fn, jobs, calls, isAsync); // warm-up
  const perCall = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  const ratios: number[] = [];
  const deadline = Date.now() + 60_000;
  for (let round = 0; round < rounds && Date.now() < deadline; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    const times = new Map<string, number>();
    for (const [name, fn] of order) times.set(name, await timeRound(fn, jobs, calls, isAsync));
    for (const [name, value] of times) perCall.get(name)!.push(value);
    ratios.push(times.get('@Task')! / times.get('by hand')!);
    await new Promise((resolve) => setImmediate(resolve)); // let the batch processor export
  }
  console.log(
    `${label}: @Task ${median(perCall.get('@Task')!).toFixed(0)} ns/call, by hand ${median(perCall.get('by hand')!).toFixed(0)} ns/call, ` +
      `ratio @Task / by hand = ${median(ratios).toFixed(3)} over ${ratios.length} rounds of ${calls} (target <= 1.00)`,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 2_000);
  const rounds = Number(process.argv[3] ?? 100);
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const exporter = new DiscardingExporter();
  const provider = new TracerProvider({
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.1) }),
    spanProcessors: [new BatchSpanProcessor({ exporter, maxQueueSize: 65_536 })],
  });
  const tracer = provider.getTracer('bench');
  const config = testConfig({
    logging: { level: (process.env.BENCH_LOG_LEVEL ?? 'info') as 'info', destination: DEV_NULL },
  });
  const logger = createLogger(config);
  const metrics = createTestTaskMetrics();

  const jobs: Job[] = Array.from({ length: 64 }, (_, i) => ({
    taskId: `task-${i}`,
    tenantId: `tenant-${i % 8}`,
    n: i,
  }));
  reportOutputShapes(config, tracer, metrics, jobs[0]!);
  setRuntime({ config, logger, tracer, metrics });
  const decorated = new Decorated();
  const manual = createManual(tracer, metrics, logger);
  console.log(`sampling ratio 0.1; log level ${config.logging.level}`);
  await compare(
    'sync task',
    [
      ['@Task', (job) => decorated.run(job)],
      ['by hand', manual.sync],
    ],
    jobs,
    calls,
    rounds,
    false,
  );
  await compare(
    'async task',
    [
      ['@Task', (job) => decorated.runAsync(job)],
      ['by hand', manual.async],
    ],
    jobs,
    calls,
    rounds,
    true,
  );
  console.log(`spans exported ${exporter.exported}`);

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
          : {
              trace_id: spanContext.traceId,
              span_id: spanContext.spanId,
              trace_flags: `0${spanContext.traceFlags.toString(16)}`,
            };
      },
    },
    pino.destination({ dest: DEV_NULL, sync: false }),
  );
  const plain = pino(pino.destination({ dest: DEV_NULL, sync: false }));
  const ours = createLogger(testConfig({ logging: { level: 'info', destination: DEV_NULL } }));
  const span = tracer.startSpan('logging', { root: true });
  const loggers: Array<[string, Logger]> = [
    ['plain pino', plain],
    ['naive mixin', naive],
    ['createLogger', ours],
  ];
  const calls = 5_000;
  const perLine = new Map<string, number[]>(loggers.map(([name]) => [name, []]));
  context.with(trace.setSpan(context.active(), span), () => {
    for (let round = 0; round < 40; round++) {
      for (const [name, logger] of round % 2 === 0 ? loggers : [...loggers].reverse()) {
        const start = process.hrtime.bigint();
        for (let i = 0; i < calls; i++) logger.info({ i }, 'line');
        perLine.get(name)!.push(Number(process.hrtime.bigint() - start) / calls);
      }
    }
  });
  span.end();
  const base = perLine.get('plain pino')!;
  for (const [name] of loggers) {
    const values = perLine.get(name)!;
    const overhead = median(values.map((value, round) => value / base[round]! - 1));
    console.log(
      `log line in a span, ${name.padEnd(12)} ${median(values).toFixed(0)} ns (${(overhead * 100).toFixed(0)}% over plain pino, median of 40 rounds)`,
    );
  }
  await Promise.all([closeLogger(ours), closeLogger(naive), closeLogger(plain)]);
}

await main();
