/**
 * `log_line`: one info line with two fields, written inside an active sampled span with a tenant
 * in the baggage, by the package's logger (trace correlation on: trace_id, span_id, trace_flags,
 * tenant_id; redaction and the service identity as configured by default) against plain pino
 * (`pino(pino.destination())`, no mixin), both to /dev/null with the same asynchronous destination.
 */
import { hostname } from 'node:os';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOnSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import pino from 'pino';
import { closeLogger, createLogger } from '../../src/logging/index.js';
import { TENANT_BAGGAGE_KEY } from '../../src/tenancy/tenant-context.js';
import { testConfig } from '../../test/support/config.js';
import { compareRounds, formatNs, timeCalls, timeResult, type BenchMode, type BenchResult } from '../harness.js';

const SIZES: Record<BenchMode, { calls: number; rounds: number; deadlineMs: number }> = {
  full: { calls: 200, rounds: 3000, deadlineMs: 20_000 },
  quick: { calls: 200, rounds: 600, deadlineMs: 1_000 },
  tiny: { calls: 50, rounds: 3, deadlineMs: 500 },
};

/** Runs the log line comparison. */
export async function runLogLine(mode: BenchMode): Promise<BenchResult[]> {
  const size = SIZES[mode];
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const provider = new TracerProvider({ sampler: new AlwaysOnSampler() });
  const span = provider.getTracer('bench').startSpan('grey.task.run');
  const active = propagation.setBaggage(
    trace.setSpan(context.active(), span),
    propagation.createBaggage({ [TENANT_BAGGAGE_KEY]: { value: 'tenant-1' } }),
  );
  const ours = createLogger(
    testConfig({ service: { name: 'bench' }, logging: { level: 'info', destination: '/dev/null' } }),
  );
  const plain = pino(pino.destination({ dest: '/dev/null', sync: false }));
  // Plain pino given the same correlation fields by a constant mixin: what serializing them costs.
  const spanContext = span.spanContext();
  const fields = {
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags: '01',
    tenant_id: 'tenant-1',
  };
  const withFields = pino(
    { base: { service: 'bench', pid: process.pid, hostname: hostname() }, mixin: () => fields },
    pino.destination({ dest: '/dev/null', sync: false }),
  );
  const stats = await context.with(active, () =>
    compareRounds({
      a: () => timeCalls(size.calls, (i) => ours.info({ task_id: 'task-1', i }, 'task completed')),
      b: () => timeCalls(size.calls, (i) => plain.info({ task_id: 'task-1', i }, 'task completed')),
      extra: {
        pino_same_fields: () =>
          timeCalls(size.calls, (i) => withFields.info({ task_id: 'task-1', i }, 'task completed')),
      },
      rounds: size.rounds,
      warmup: { tiny: 1, quick: 10, full: 30 }[mode],
      deadlineMs: size.deadlineMs,
      // Let the asynchronous destinations drain, as a service's event loop would.
      between: () => new Promise((resolve) => setImmediate(resolve)),
    }),
  );
  span.end();
  await closeLogger(ours);
  await new Promise<void>((resolve) => plain.flush(() => resolve()));
  await new Promise<void>((resolve) => withFields.flush(() => resolve()));
  await provider.shutdown();
  contextManager.disable();
  context.disable();
  const sameFields = stats.extraMedians.pino_same_fields!;
  const notes =
    `Plain pino given the same four fields and service identity by a constant mixin: ${formatNs(sameFields)} ` +
    `(${(sameFields / stats.bMedian).toFixed(2)}x plain pino; the package is ${(stats.aMedian / sameFields).toFixed(2)}x that): ` +
    'most of the gap is printing the correlation fields, not finding them. ' +
    `CPU ns per line inside a sampled span with a tenant in the baggage; ${size.calls} lines per round to /dev/null. ` +
    'The package adds trace_id, span_id, trace_flags, tenant_id and the service identity, and censors secret keys. Target <= 1.15.';
  return [timeResult('log_line', stats, notes)];
}
