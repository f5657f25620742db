/**
 * Retries as the OTLP specification says ("Retrying", "OTLP/HTTP Throttling", "OTLP/gRPC
 * Throttling"), for both protocols, against the loopback receivers: which answers are retried,
 * that the collector's retry delay is honoured, that every attempt fits in the export timeout.
 * Proved by counting the attempts that reached the receiver and the spans it decoded.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ExportResultCode } from '@opentelemetry/core';
import { exportFailureReason } from '../../src/tracing/export-health.js';
import { retryDelayFromStatusDetails } from '../../src/tracing/grpc-retry-info.js';
import { startTracing, type Tracing } from '../../src/tracing/start-tracing.js';
import {
  encodeRetryInfoStatus,
  startGrpcReceiver,
  startHttpReceiver,
  type OtlpReceiver,
  type ReceiverMode,
} from '../support/otlp-receiver.js';
import { captureLogger, stopTracingAndReceiver, tracingConfig } from './helpers.js';
import { endedSpans, exportOnce, exporterConfig } from './support/direct-export.js';
import { countsOf } from './support/health-counts.js';

type Protocol = 'grpc' | 'http/protobuf';

const start = (protocol: Protocol, mode?: ReceiverMode) =>
  protocol === 'grpc' ? startGrpcReceiver(mode) : startHttpReceiver(mode);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** gRPC status codes (grpc/status.h). */
const CODES = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

interface Case {
  protocol: Protocol;
  title: string;
  mode: ReceiverMode;
  /** Export requests the receiver must count. */
  attempts: number;
  delivered: boolean;
  /** The `reason` label of a failed export (default `rejected`). */
  reason?: string;
  timeoutMs?: number;
}

const cases: Case[] = [
  // OTLP/HTTP: 429, 502, 503, 504 are retried; other statuses are final.
  ...[429, 502, 503, 504].map((status) => ({
    protocol: 'http/protobuf' as const,
    title: `HTTP ${status} once`,
    mode: { kind: 'fail' as const, status, times: 1 },
    attempts: 2,
    delivered: true,
  })),
  ...[400, 401, 403, 404, 413, 500].map((status) => ({
    protocol: 'http/protobuf' as const,
    title: `HTTP ${status} once`,
    mode: { kind: 'fail' as const, status, times: 1 },
    attempts: 1,
    delivered: false,
  })),
  // Retry-After, in seconds and as an HTTP date: honoured, and not waited beyond the timeout.
  {
    protocol: 'http/protobuf',
    title: 'HTTP 503 with Retry-After: 1',
    mode: { kind: 'fail', status: 503, retryAfter: '1', times: 1 },
    attempts: 2,
    delivered: true,
  },
  {
    protocol: 'http/protobuf',
    title: 'HTTP 429 with Retry-After as an HTTP date 2 s ahead',
    mode: { kind: 'fail', status: 429, retryAfter: new Date(Date.now() + 2_000).toUTCString(), times: 1 },
    attempts: 2,
    delivered: true,
    timeoutMs: 10_000,
  },
  {
    // The default backoff (about 1 s) would retry within the 3 s timeout; Retry-After 30 s does not fit.
    protocol: 'http/protobuf',
    title: 'HTTP 503 with Retry-After: 30 beyond the 3 s timeout',
    mode: { kind: 'fail', status: 503, retryAfter: '30', times: 1 },
    attempts: 1,
    delivered: false,
  },
  // OTLP/gRPC: the retryable codes, and RESOURCE_EXHAUSTED only with a RetryInfo.
  ...(['CANCELLED', 'DEADLINE_EXCEEDED', 'ABORTED', 'OUT_OF_RANGE', 'UNAVAILABLE', 'DATA_LOSS'] as const).map(
    (name) => ({
      protocol: 'grpc' as const,
      title: `${name} once`,
      mode: { kind: 'fail' as const, grpcCode: CODES[name], times: 1 },
      attempts: 2,
      delivered: true,
    }),
  ),
  ...(
    [
      'UNKNOWN',
      'INVALID_ARGUMENT',
      'NOT_FOUND',
      'PERMISSION_DENIED',
      'RESOURCE_EXHAUSTED',
      'FAILED_PRECONDITION',
      'UNIMPLEMENTED',
      'INTERNAL',
      'UNAUTHENTICATED',
    ] as const
  ).map((name) => ({
    protocol: 'grpc' as const,
    title: `${name} once${name === 'RESOURCE_EXHAUSTED' ? ' without RetryInfo' : ''}`,
    mode: { kind: 'fail' as const, grpcCode: CODES[name], times: 1 },
    attempts: 1,
    delivered: false,
  })),
  {
    protocol: 'grpc',
    title: 'RESOURCE_EXHAUSTED with RetryInfo 300 ms',
    mode: { kind: 'fail', grpcCode: CODES.RESOURCE_EXHAUSTED, retryDelayMs: 300, times: 1 },
    attempts: 2,
    delivered: true,
  },
  {
    protocol: 'grpc',
    title: 'UNAVAILABLE with RetryInfo 1.5 s',
    mode: { kind: 'fail', grpcCode: CODES.UNAVAILABLE, retryDelayMs: 1_500, times: 1 },
    attempts: 2,
    delivered: true,
  },
  {
    // The default backoff would retry within the 3 s timeout: RetryInfo 30 s does not fit.
    protocol: 'grpc',
    title: 'UNAVAILABLE with RetryInfo 30 s beyond the 3 s timeout',
    mode: { kind: 'fail', grpcCode: CODES.UNAVAILABLE, retryDelayMs: 30_000, times: 1 },
    attempts: 1,
    delivered: false,
    reason: 'unavailable',
  },
  {
    protocol: 'grpc',
    title: 'RESOURCE_EXHAUSTED with RetryInfo 30 s beyond the 3 s timeout',
    mode: { kind: 'fail', grpcCode: CODES.RESOURCE_EXHAUSTED, retryDelayMs: 30_000, times: 1 },
    attempts: 1,
    delivered: false,
  },
];

describe('export retries: which answers are retried', { concurrency: true }, () => {
  for (const c of cases) {
    it(`${c.protocol}: ${c.title} -> ${c.attempts} attempt(s), ${c.delivered ? 'delivered' : 'failed'}`, async () => {
      const receiver = await start(c.protocol, c.mode);
      try {
        const config = exporterConfig(
          c.protocol,
          receiver.url,
          c.timeoutMs === undefined ? {} : { timeout_ms: c.timeoutMs },
        );
        const result = await exportOnce(config, endedSpans(3));
        assert.equal(receiver.attempts(), c.attempts, 'attempts that reached the receiver');
        if (c.delivered) {
          assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
          assert.equal(receiver.spans().length, 3, 'the batch was decoded once');
        } else {
          assert.equal(result.code, ExportResultCode.FAILED);
          assert.equal(receiver.spans().length, 0);
          assert.equal(exportFailureReason(result.error), c.reason ?? 'rejected', String(result.error));
        }
      } finally {
        await receiver.close();
      }
    });
  }

  for (const protocol of ['http/protobuf', 'grpc'] as const) {
    it(`${protocol}: a collector that always fails is tried within the timeout, then the export fails`, async () => {
      // Waits of about 1 s, then 1.5 s: within 3 s there is room for 2 or 3 attempts, not more.
      const receiver = await start(protocol, { kind: 'fail' });
      try {
        const result = await exportOnce(exporterConfig(protocol, receiver.url), endedSpans(1));
        assert.equal(result.code, ExportResultCode.FAILED);
        assert.ok(receiver.attempts() >= 2 && receiver.attempts() <= 3, `${receiver.attempts()} attempts`);
      } finally {
        await receiver.close();
      }
    });

    it(`${protocol}: with time enough, an export is retried 5 times at most`, async () => {
      // Backoff 1, 1.5, 2.25, 3.4, 5 s (±20 %, at most 5 s): about 13 s of waits, within 20 s.
      const receiver = await start(protocol, { kind: 'fail' });
      try {
        const result = await exportOnce(exporterConfig(protocol, receiver.url, { timeout_ms: 20_000 }), endedSpans(1));
        assert.equal(result.code, ExportResultCode.FAILED);
        assert.equal(receiver.attempts(), 6, 'the first attempt and 5 retries');
      } finally {
        await receiver.close();
      }
    });
  }
});

for (const protocol of ['http/protobuf', 'grpc'] as const) {
  describe(`export retries through the tracing pipeline over ${protocol}`, () => {
    let receiver: OtlpReceiver | undefined;
    let tracing: Tracing | undefined;

    afterEach(async () => {
      await stopTracingAndReceiver(tracing, receiver);
      tracing = undefined;
      receiver = undefined;
    });

    it(`a collector answering ${protocol === 'grpc' ? 'UNAVAILABLE' : '503'} once: the span is delivered and counted exported`, async () => {
      receiver = await start(protocol, { kind: 'fail', times: 1 });
      const config = tracingConfig(receiver.url, protocol, {
        opentelemetry: { exporter: { timeout_ms: 10_000 } as never },
      });
      tracing = await startTracing(config, captureLogger().logger);
      tracing.tracer.startSpan('grey.task.run').end();
      const spans = await receiver.waitForSpans(1, 10_000);
      assert.equal(spans.length, 1);
      assert.equal(receiver.attempts(), 2);
      await tracing.shutdown(2_000);
      const health = countsOf(tracing.health());
      assert.equal(health.exported, 1);
      assert.equal(health.export_failed, 0);
    });

    it('a collector down for the first second: the span is delivered once it is up', async () => {
      receiver = await start(protocol);
      await receiver.down();
      const config = tracingConfig(receiver.url, protocol, {
        opentelemetry: { exporter: { timeout_ms: 10_000 } as never },
      });
      tracing = await startTracing(config, captureLogger().logger);
      tracing.tracer.startSpan('grey.task.run').end();
      await sleep(1_000);
      await receiver.up();
      const spans = await receiver.waitForSpans(1, 12_000);
      assert.equal(spans.length, 1, 'delivered after the collector came up');
      await tracing.shutdown(2_000);
      const health = countsOf(tracing.health());
      assert.equal(health.exported, 1);
      assert.equal(health.export_failed_by_reason.unavailable, 0);
    });
  });
}

describe('retryDelayFromStatusDetails', () => {
  const cases: Array<[string, Uint8Array | undefined, number | undefined]> = [
    ['a RetryInfo of 1.5 s', encodeRetryInfoStatus(14, 'later', 1_500), 1_500],
    ['a RetryInfo of 250 ms (nanos only)', encodeRetryInfoStatus(8, 'later', 250), 250],
    ['a RetryInfo of 0', encodeRetryInfoStatus(8, 'later', 0), 0],
    ['no details', undefined, undefined],
    ['an empty status', new Uint8Array(0), undefined],
    ['a truncated field', Uint8Array.from([0x1a, 0x7f, 0x0a]), undefined],
    ['an unterminated varint', Uint8Array.from([0x08, 0xff, 0xff]), undefined],
    ['a group wire type', Uint8Array.from([0x0b]), undefined],
  ];
  for (const [title, bytes, expected] of cases) {
    it(`reads ${title} as ${String(expected)}`, () => {
      assert.equal(retryDelayFromStatusDetails(bytes), expected);
    });
  }
});
