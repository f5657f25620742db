import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { ConfigOverrides } from '../../src/config/types.js';
import { startTracing, type Tracing } from '../../src/tracing/start-tracing.js';
import {
  startGrpcReceiver,
  startHttpReceiver,
  type OtlpReceiver,
  type ReceiverMode,
} from '../support/otlp-receiver.js';
import { captureLogger, resetOtelGlobals, tracingConfig } from './helpers.js';
import { countsOf, type HealthCounts } from './support/health-counts.js';

const MAX_QUEUE = 100;
const BATCH = 50;
const SPANS = 20_000;

function limits(timeoutMs: number): ConfigOverrides {
  return {
    opentelemetry: {
      batch: { max_queue_size: MAX_QUEUE, max_export_batch_size: BATCH, scheduled_delay_ms: 10 },
      exporter: { timeout_ms: timeoutMs } as never,
    },
  };
}

type Protocol = 'grpc' | 'http/protobuf';

async function receiverFor(protocol: Protocol, mode: ReceiverMode): Promise<OtlpReceiver> {
  return protocol === 'grpc' ? startGrpcReceiver(mode) : startHttpReceiver(mode);
}

/** Endpoint of a collector that is down: a receiver that was started and closed again. */
async function downEndpoint(protocol: Protocol): Promise<string> {
  const receiver = await receiverFor(protocol, { kind: 'ok' });
  await receiver.close();
  return receiver.url;
}

for (const protocol of ['http/protobuf', 'grpc'] as const) {
  describe(`a failing collector over ${protocol}`, () => {
    let receiver: OtlpReceiver | undefined;
    let tracing: Tracing | undefined;
    let rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);

    beforeEach(() => {
      rejections = [];
      process.on('unhandledRejection', onRejection);
    });

    afterEach(async () => {
      await tracing?.shutdown(1000);
      await receiver?.close();
      tracing = undefined;
      receiver = undefined;
      process.off('unhandledRejection', onRejection);
      resetOtelGlobals();
    });

    /** Starts tracing against `endpoint`, ends SPANS spans in a tight loop, shuts down. */
    async function flood(endpoint: string, timeoutMs: number, shutdownMs: number) {
      const { logger, lines } = captureLogger();
      const config = tracingConfig(endpoint, protocol, limits(timeoutMs));
      config.opentelemetry.exporter.endpoint = endpoint;
      tracing = await startTracing(config, logger);
      for (let i = 0; i < SPANS; i++) tracing.tracer.startSpan('grey.task.run', {}, ROOT_CONTEXT).end();
      const stillTracing = tracing.tracer.startSpan('after-the-flood', {}, ROOT_CONTEXT);
      assert.equal(stillTracing.isRecording(), true, 'the service keeps tracing');
      stillTracing.end();
      await tracing.shutdown(shutdownMs);
      return { health: countsOf(tracing.health()), lines };
    }

    function assertBoundedAndCounted(health: HealthCounts, lines: Array<Record<string, unknown>>) {
      const held = health.exported + health.export_failed;
      assert.ok(held <= MAX_QUEUE + BATCH, `at most queue + one batch held at once, got ${held}`);
      assert.ok(health.queue_full >= SPANS + 1 - MAX_QUEUE - BATCH, `queue drops counted: ${health.queue_full}`);
      assert.equal(
        lines.filter((l) => l.code === 'OBS_WARN_EXPORT_FAILED').length <= 1,
        true,
        'export failure logged once',
      );
      assert.ok(
        lines.some((l) => l.code === 'OBS_WARN_SPANS_DROPPED'),
        'drops logged',
      );
      assert.deepEqual(rejections, [], 'nothing reached the service as an unhandled rejection');
    }

    it('down: counts the spans it could not send and keeps memory bounded', async () => {
      const { health, lines } = await flood(await downEndpoint(protocol), 500, 2000);
      assert.equal(health.exported, 0);
      assert.ok(health.export_failed > 0, 'failed exports counted');
      assert.equal(health.export_failed + health.queue_full, SPANS + 1, 'every span accounted for');
      assertBoundedAndCounted(health, lines);
      assert.equal(lines.filter((l) => l.code === 'OBS_WARN_EXPORT_FAILED').length, 1);
    });

    it('down at shutdown: the last export is tried once, not retried through the budget', async () => {
      // Export timeout 10 s and budget 3 s: with its backoff (1 s, 1.5 s, 2.25 s...) a retrying
      // export would still be waiting when the budget ran out (OBS_WARN_SHUTDOWN_TIMEOUT, spans
      // abandoned as reason "shutdown"); once shutdown has begun a refused connection is final.
      const endpoint = await downEndpoint(protocol);
      const { logger, lines } = captureLogger();
      const config = tracingConfig(endpoint, protocol, limits(10_000));
      config.opentelemetry.batch.scheduled_delay_ms = 60_000; // nothing exported before shutdown
      tracing = await startTracing(config, logger);
      tracing.tracer.startSpan('last-words', {}, ROOT_CONTEXT).end();
      await tracing.shutdown(3_000);
      const health = countsOf(tracing.health());
      assert.ok(!lines.some((l) => l.code === 'OBS_WARN_SHUTDOWN_TIMEOUT'), 'shutdown ended within its budget');
      assert.equal(health.export_failed, 1);
      assert.equal(health.export_failed_by_reason.shutdown, 0, 'not abandoned: its one attempt failed');
    });

    it('answering 5xx: failed exports are counted, not thrown', async () => {
      receiver = await receiverFor(protocol, { kind: 'fail' });
      const { health, lines } = await flood(receiver.url, 300, 2000);
      assert.equal(health.exported, 0);
      assert.equal(health.export_failed + health.queue_full, SPANS + 1);
      assertBoundedAndCounted(health, lines);
    });

    it('slower than the export timeout: exports time out and are counted', async () => {
      receiver = await receiverFor(protocol, { kind: 'delay', ms: 5_000 });
      const { health, lines } = await flood(receiver.url, 200, 2000);
      assert.equal(health.exported, 0);
      assert.ok(health.export_failed > 0);
      assertBoundedAndCounted(health, lines);
    });

    it('hanging: shutdown gives up at its timeout and says so', async () => {
      receiver = await receiverFor(protocol, { kind: 'hang' });
      const { health, lines } = await flood(receiver.url, 1_000, 100);
      assert.ok(
        lines.some((l) => l.code === 'OBS_WARN_SHUTDOWN_TIMEOUT'),
        'shutdown returned while the export still hung',
      );
      assert.equal(health.exported + health.export_failed + health.queue_full, SPANS + 1, 'every span accounted for');
      const { shutdown, timeout } = health.export_failed_by_reason;
      assert.ok(shutdown > 0, 'what was in flight and queued at shutdown is counted as abandoned');
      assert.equal(shutdown + timeout, health.export_failed, 'abandoned, or timed out on a busy machine');
      assert.deepEqual(rejections, []);
    });
  });
}
