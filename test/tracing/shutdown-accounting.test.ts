/**
 * Exact accounting at shutdown (issue 18, item 10): against a collector that accepts and never
 * answers, every span the service ended is counted when shutdown() resolves, in health() and in
 * the OBS_WARN_SPANS_DROPPED summary line: ended = exported + failed (all reasons) + dropped, and
 * what shutdown abandoned (in flight, in the batch queue) is failed{reason="shutdown"}.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { countsOf, type HealthCounts } from './support/health-counts.js';
import { startTracing, type Tracing } from '../../src/tracing/start-tracing.js';
import {
  startGrpcReceiver,
  startHttpReceiver,
  type OtlpReceiver,
  type ReceiverMode,
} from '../support/otlp-receiver.js';
import { captureLogger, stopTracingAndReceiver, tracingConfig } from './helpers.js';

/** The figure of the issue: 4,760 spans against a hanging collector. */
const SPANS = 4_760;

function lost(health: HealthCounts): number {
  return health.export_failed + health.queue_full + health.capture_trace_evicted + health.capture_trace_full;
}

for (const protocol of ['http/protobuf', 'grpc'] as const) {
  describe(`accounting at shutdown over ${protocol}`, () => {
    let receiver: OtlpReceiver | undefined;
    let tracing: Tracing | undefined;

    afterEach(async () => {
      await stopTracingAndReceiver(tracing, receiver);
      tracing = undefined;
      receiver = undefined;
    });

    async function endSpansThenShutdown(mode: ReceiverMode, spans: number, shutdownMs: number) {
      receiver = await (protocol === 'grpc' ? startGrpcReceiver(mode) : startHttpReceiver(mode));
      const { logger, lines } = captureLogger();
      // The default batch limits (queue 2,048, batches of 512) and export timeout (10 s).
      const config = tracingConfig(receiver.url, protocol, {
        opentelemetry: {
          exporter: { timeout_ms: 10_000 } as never,
          batch: { max_queue_size: 2_048, max_export_batch_size: 512, scheduled_delay_ms: 5_000 },
        },
      });
      tracing = await startTracing(config, logger);
      for (let i = 0; i < spans; i++) tracing.tracer.startSpan('grey.task.run', {}, ROOT_CONTEXT).end();
      await tracing.shutdown(shutdownMs);
      const summary = lines.find((l) => l.code === 'OBS_WARN_SPANS_DROPPED' && l.export_failed_by_reason !== undefined);
      return { health: countsOf(tracing.health()), summary, lines };
    }

    it(`a hanging collector: all ${SPANS} spans are counted when shutdown() resolves, the abandoned ones as "shutdown"`, async () => {
      const { health, summary, lines } = await endSpansThenShutdown({ kind: 'hang' }, SPANS, 500);
      assert.ok(
        lines.some((l) => l.code === 'OBS_WARN_SHUTDOWN_TIMEOUT'),
        'shutdown gave up on the hanging exports',
      );
      assert.equal(health.exported, 0);
      assert.equal(health.exported + lost(health), SPANS, 'every span ended is exported, failed or dropped');
      assert.equal(health.queue_full, SPANS - 2_048 - 512, 'the queue and the batch in flight held the rest');
      assert.equal(health.export_failed_by_reason.shutdown, 2_048 + 512, 'in flight and queued: abandoned at shutdown');
      assert.equal(health.export_failed, health.export_failed_by_reason.shutdown);
      assert.ok(summary !== undefined, 'the summary line was logged');
      assert.deepEqual(summary.export_failed_by_reason, health.export_failed_by_reason, 'the summary says the same');
      assert.equal(summary.queue_full, health.queue_full);

      // What the abandoned exports report afterwards is not counted a second time.
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(tracing === undefined ? undefined : countsOf(tracing.health()), health);
    });

    it('a collector that hangs after its first answer: the acknowledged batch is exported, the rest abandoned', async () => {
      receiver = await (protocol === 'grpc' ? startGrpcReceiver() : startHttpReceiver());
      const { logger, lines } = captureLogger();
      const config = tracingConfig(receiver.url, protocol, {
        opentelemetry: {
          exporter: { timeout_ms: 10_000 } as never,
          batch: { max_queue_size: 2_048, max_export_batch_size: 512, scheduled_delay_ms: 5_000 },
        },
      });
      tracing = await startTracing(config, logger);
      for (let i = 0; i < SPANS; i++) tracing.tracer.startSpan('grey.task.run', {}, ROOT_CONTEXT).end();
      // The first full batch left at once; the queue waits for the 5 s delay or shutdown.
      await receiver.waitForSpans(512);
      receiver.setMode({ kind: 'hang' });
      await new Promise((resolve) => setTimeout(resolve, 100)); // the acknowledgement is in
      await tracing.shutdown(500);
      const health = countsOf(tracing.health());
      assert.equal(health.exported, 512);
      assert.equal(health.export_failed_by_reason.shutdown, 2_048);
      assert.equal(health.queue_full, SPANS - 512 - 2_048);
      assert.equal(health.exported + lost(health), SPANS);
      const summary = lines.find((l) => l.code === 'OBS_WARN_SPANS_DROPPED' && l.export_failed_by_reason !== undefined);
      assert.deepEqual(summary?.export_failed_by_reason, health.export_failed_by_reason);
    });
  });
}
