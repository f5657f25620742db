/**
 * What error capture costs: time per trace (a root span and 3 children, ended) at ratio 0 with
 * error capture off (dropped spans are non-recording) and on (dropped spans are captured and
 * held until the root ends, then discarded), next to an always-sampled trace for reference
 * (its export queue is full, so this is the cost of recording a span, without serialising it).
 * Printed as ratios to the "off" case; absolute numbers depend on the machine.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/error-capture.bench.js
 */
import { ROOT_CONTEXT, context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { pino } from 'pino';
import type { ConfigOverrides } from '../src/config/types.js';
import { startTracing } from '../src/tracing/start-tracing.js';
import { testConfig } from '../test/support/config.js';

const TRACES = 20_000;
const ROUNDS = 7;

function config(overrides: ConfigOverrides) {
  const base = testConfig({
    opentelemetry: {
      enabled: true,
      // A closed loopback port: nothing is exported at ratio 0; the sampled case drops on a full queue.
      exporter: { protocol: 'http/protobuf', endpoint: 'http://127.0.0.1:9/v1/traces', headers: {}, timeout_ms: 1000 },
      instrumentations: { http: false, fetch: false },
    },
  });
  const sampling = overrides.opentelemetry?.sampling;
  if (sampling !== undefined) Object.assign(base.opentelemetry.sampling, sampling);
  return base;
}

function oneTrace(tracer: Tracer): void {
  const root = tracer.startSpan('grey.request', { attributes: { 'grey.task_type': 'stateless' } }, ROOT_CONTEXT);
  const parent = trace.setSpan(ROOT_CONTEXT, root);
  for (let i = 0; i < 3; i++) tracer.startSpan('grey.task.run', { attributes: { step: i } }, parent).end();
  root.end();
}

async function measure(label: string, overrides: ConfigOverrides): Promise<{ label: string; nsPerTrace: number }> {
  const tracing = await startTracing(config(overrides), pino({ level: 'silent' }));
  for (let i = 0; i < 2000; i++) oneTrace(tracing.tracer); // warm-up
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < TRACES; i++) oneTrace(tracing.tracer);
    samples.push(Number(process.hrtime.bigint() - start) / TRACES);
  }
  await tracing.shutdown(500);
  trace.disable();
  context.disable();
  propagation.disable();
  samples.sort((a, b) => a - b);
  return { label, nsPerTrace: samples[Math.floor(samples.length / 2)] as number };
}

const rules = ['error=true'];
const results = [
  await measure('ratio 0, error capture off', {
    opentelemetry: {
      sampling: {
        strategy: 'parent_based_traceid_ratio',
        ratio: 0,
        always_sample: rules,
        error_capture: { enabled: false, max_traces: 1000, max_spans_per_trace: 256 },
      },
    },
  }),
  await measure('ratio 0, error capture on', {
    opentelemetry: {
      sampling: {
        strategy: 'parent_based_traceid_ratio',
        ratio: 0,
        always_sample: rules,
        error_capture: { enabled: true, max_traces: 1000, max_spans_per_trace: 256 },
      },
    },
  }),
  await measure('always sampled, export queue full', {
    opentelemetry: {
      sampling: {
        strategy: 'always_on',
        ratio: 1,
        always_sample: [],
        error_capture: { enabled: false, max_traces: 1000, max_spans_per_trace: 256 },
      },
    },
  }),
];
const off = results[0]!.nsPerTrace;
console.log(`trace = 1 root + 3 children; median of ${ROUNDS} rounds x ${TRACES} traces`);
for (const r of results) {
  console.log(
    `${r.label.padEnd(34)} ${(r.nsPerTrace / 1000).toFixed(2).padStart(7)} µs/trace   x${(r.nsPerTrace / off).toFixed(1)} of off`,
  );
}
