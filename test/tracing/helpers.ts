import { Writable } from 'node:stream';
import { context, propagation, trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';
import type { ConfigOverrides, ObservabilityConfig } from '../../src/config/types.js';
import { testConfig } from '../support/config.js';

/**
 * A config with tracing on, exporting to `endpoint` with a short batch delay, every span sampled,
 * no always-sample rules and no automatic instrumentations, then `overrides` merged in.
 */
export function tracingConfig(
  endpoint: string,
  protocol: 'grpc' | 'http/protobuf',
  overrides: ConfigOverrides = {},
): ObservabilityConfig {
  const config = testConfig({
    service: { name: 'tracing-test', version: '1.2.3', environment: 'test', instance_id: 'i-1' },
    opentelemetry: {
      enabled: true,
      exporter: { protocol, endpoint, headers: {}, timeout_ms: 2000 },
      batch: { max_queue_size: 2048, max_export_batch_size: 512, scheduled_delay_ms: 20 },
      sampling: {
        strategy: 'always_on',
        ratio: 1,
        always_sample: [],
        error_capture: { enabled: false, max_traces: 100, max_spans_per_trace: 50, max_buffered_spans: 10_000 },
      },
      instrumentations: { http: false, fetch: false },
    },
  });
  mergeInto(config as unknown as Record<string, unknown>, overrides as Record<string, unknown>);
  return config;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    const both =
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      current !== null &&
      typeof current === 'object' &&
      !Array.isArray(current);
    if (both && key !== 'headers' && key !== 'resource')
      mergeInto(current as Record<string, unknown>, value as Record<string, unknown>);
    else target[key] = value;
  }
}

/** A pino logger at warn level whose lines are kept, parsed, in `lines`. */
export function captureLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n'))
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, stream), lines };
}

/** Test teardown: shuts tracing down (flushing), closes the receiver, then clears every global. */
export async function stopTracingAndReceiver(
  tracing: { shutdown(timeoutMs: number): Promise<void> } | undefined,
  receiver: { close(): Promise<void> } | undefined,
): Promise<void> {
  await tracing?.shutdown(2000);
  await receiver?.close();
  resetOtelGlobals();
}

/** Unregisters every OpenTelemetry global, whoever set it (test teardown safety net). */
export function resetOtelGlobals(): void {
  trace.disable();
  context.disable();
  propagation.disable();
}
