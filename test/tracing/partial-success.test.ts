/**
 * OTLP partial success (OTLP specification, "Partial Success"): a collector that acknowledges an
 * export but says `partial_success { rejected_spans, error_message }`. The rejected spans are
 * failed{reason="rejected"}, the rest exported, and the collector's message is logged once.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { Registry } from 'prom-client';
import { checkCollector } from '../../src/cli/doctor-collector.js';
import { registerSpanExportMetrics } from '../../src/tracing/export-metrics.js';
import { countsOf } from './support/health-counts.js';
import { MAX_REJECTION_MESSAGE_LENGTH } from '../../src/tracing/otlp-span-exporter.js';
import { startTracing, type Tracing } from '../../src/tracing/start-tracing.js';
import {
  startGrpcReceiver,
  startHttpReceiver,
  type OtlpReceiver,
  type ReceiverMode,
} from '../support/otlp-receiver.js';
import { captureLogger, stopTracingAndReceiver, tracingConfig } from './helpers.js';

type Protocol = 'grpc' | 'http/protobuf';

/** The value of one sample of `name` with `labels` (`{reason="rejected"}`) in the exposition. */
async function sample(registry: Registry, name: string, labels = ''): Promise<number> {
  const text = await registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

for (const protocol of ['http/protobuf', 'grpc'] as const) {
  describe(`partial success over ${protocol}`, () => {
    let receiver: OtlpReceiver | undefined;
    let tracing: Tracing | undefined;

    afterEach(async () => {
      await stopTracingAndReceiver(tracing, receiver);
      tracing = undefined;
      receiver = undefined;
    });

    /** Ends `batches` batches of `perBatch` spans against a receiver answering `mode`; returns the health and log lines. */
    async function run(mode: ReceiverMode, perBatch: number, batches = 1) {
      receiver = await (protocol === 'grpc' ? startGrpcReceiver(mode) : startHttpReceiver(mode));
      const { logger, lines } = captureLogger();
      const config = tracingConfig(receiver.url, protocol as Protocol, {
        opentelemetry: { batch: { max_export_batch_size: perBatch, scheduled_delay_ms: 10 } } as never,
      });
      tracing = await startTracing(config, logger);
      const registry = new Registry();
      const current = tracing;
      registerSpanExportMetrics(registry, () => current.health());
      for (let b = 0; b < batches; b++) {
        for (let i = 0; i < perBatch; i++) tracing.tracer.startSpan(`batch-${b}-${i}`, {}, ROOT_CONTEXT).end();
        await receiver.waitForSpans((b + 1) * perBatch);
      }
      await tracing.shutdown(2_000);
      return { health: countsOf(tracing.health()), lines, registry };
    }

    it('3 spans, 2 rejected: 1 exported, 2 failed{reason="rejected"}, one warning with the collector message', async () => {
      const message = '2 spans have more attributes than allowed';
      const { health, lines, registry } = await run({ kind: 'partial', rejected: 2, message }, 3);
      assert.equal(receiver?.requests.length, 1, 'one export request of 3 spans');
      assert.equal(health.exported, 1);
      assert.equal(health.export_failed, 2);
      assert.equal(health.export_failed_by_reason.rejected, 2);
      assert.equal(await sample(registry, 'grey_observability_spans_failed_total', '{reason="rejected"}'), 2);
      assert.equal(await sample(registry, 'grey_observability_spans_exported_total'), 1);
      const warnings = lines.filter((l) => l.code === 'OBS_WARN_SPANS_REJECTED');
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]?.rejected_spans, 2);
      assert.equal(warnings[0]?.error_message, message);
    });

    it('a partial success rejecting none is a warning: all exported, the message logged', async () => {
      const message = 'attribute values were truncated';
      const { health, lines } = await run({ kind: 'partial', rejected: 0, message }, 3);
      assert.equal(health.exported, 3);
      assert.equal(health.export_failed, 0);
      const warnings = lines.filter((l) => l.code === 'OBS_WARN_SPANS_REJECTED');
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]?.rejected_spans, 0);
      assert.equal(warnings[0]?.error_message, message);
    });

    it('a long error_message is cut to its bound, and a count above the batch size counts the batch only', async () => {
      const { health, lines } = await run({ kind: 'partial', rejected: 1_000, message: 'x'.repeat(100_000) }, 3);
      assert.equal(health.exported, 0);
      assert.equal(health.export_failed_by_reason.rejected, 3, 'never more than the batch');
      const logged = String(lines.find((l) => l.code === 'OBS_WARN_SPANS_REJECTED')?.error_message);
      assert.equal(logged.length, MAX_REJECTION_MESSAGE_LENGTH + 1, 'the bound and an ellipsis');
    });

    it('partial successes of several batches: each counted, the warning rate-limited to one line', async () => {
      const { health, lines } = await run({ kind: 'partial', rejected: 1, message: 'one rejected' }, 2, 4);
      assert.equal(receiver?.requests.length, 4);
      assert.equal(health.exported, 4);
      assert.equal(health.export_failed_by_reason.rejected, 4);
      assert.equal(lines.filter((l) => l.code === 'OBS_WARN_SPANS_REJECTED').length, 1);
    });
  });
}

describe('doctor collector check against a partial success', () => {
  for (const protocol of ['http/protobuf', 'grpc'] as const) {
    it(`${protocol}: the test span rejected is a failure quoting the collector`, async () => {
      const receiver = await (protocol === 'grpc' ? startGrpcReceiver : startHttpReceiver)({
        kind: 'partial',
        rejected: 1,
        message: 'tenant quota exceeded',
      });
      try {
        const check = await checkCollector(tracingConfig(receiver.url, protocol));
        assert.equal(check.status, 'fail');
        assert.match(String(check.detail), /rejected the test span .*tenant quota exceeded/);
      } finally {
        await receiver.close();
      }
    });
  }
});
