/**
 * Issue 19, item 8 (URL credentials redacted in every output), for span attributes: what the
 * fetch and http instrumentations record (`url.full`, `url.query`) and what the service sets, on
 * the spans the loopback receiver decodes.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SpanStatusCode } from '@opentelemetry/api';
import { startTracing, type Tracing } from '../../src/tracing/start-tracing.js';
import { startHttpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { captureLogger, stopTracingAndReceiver, tracingConfig } from './helpers.js';

const SECRETS = [
  'v-fetch-token',
  'v-http-password',
  'v-http-key',
  'v-server-key',
  'v-user-token',
  'v-event-pw',
  'v-ticket',
];

function httpGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

describe('URL credentials in span attributes', () => {
  let receiver: OtlpReceiver;
  let tracing: Tracing;
  let server: http.Server;
  let base: string;
  let spans: ReceivedSpan[] = [];

  before(async () => {
    receiver = await startHttpReceiver();
    const config = tracingConfig(receiver.url, 'http/protobuf', {
      opentelemetry: { instrumentations: { http: true, fetch: true } },
      logging: { redact: ['req.query.ticket'] },
    });
    tracing = await startTracing(config, captureLogger().logger);
    server = http.createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `127.0.0.1:${(server.address() as AddressInfo).port}`;

    assert.equal((await fetch(`http://${base}/fetched?access_token=v-fetch-token&color=blue`)).status, 204);
    assert.equal(await httpGet(`http://ann:v-http-password@${base}/got?api_key=v-http-key&page=2`), 204);
    assert.equal(await httpGet(`http://${base}/callback?client_secret=v-server-key&ticket=v-ticket&state=ok`), 204);
    tracing.tracer.startActiveSpan('own', (span) => {
      span.setAttribute('webhook.target', `https://v-user-token@hooks.example.com/notify`);
      span.addEvent('retry', { 'retry.url': 'postgres://app:v-event-pw@db:5432/app', 'retry.count': 2 });
      span.end();
    });
    // Three requests, each a client and a server span, and `own`. The receiver runs in this
    // process, so its own incoming export requests (POST) make server spans too: left out.
    for (let attempt = 0; attempt < 500 && spans.length < 7; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      spans = receiver.spans().filter((span) => span.name !== 'POST');
    }
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await stopTracingAndReceiver(tracing, receiver);
  });

  it('exports none of the secret values, in any attribute or event', () => {
    assert.equal(spans.length, 7, JSON.stringify(spans.map((s) => s.name)));
    const exported = JSON.stringify(spans.map((s) => [s.attributes, s.events]));
    for (const secret of SECRETS) assert.ok(!exported.includes(secret), `${secret} in ${exported}`);
  });

  it('keeps the URLs readable: names and the other parameters stay, values become [REDACTED]', () => {
    const values = spans.flatMap((s) => Object.values(s.attributes)).filter((v): v is string => typeof v === 'string');
    assert.ok(values.includes(`http://${base}/fetched?access_token=[REDACTED]&color=blue`), JSON.stringify(values));
    assert.ok(
      values.some((v) => v.includes('api_key=[REDACTED]&page=2')),
      JSON.stringify(values),
    );
    assert.ok(
      values.some((v) => v.includes('client_secret=[REDACTED]&ticket=[REDACTED]&state=ok')),
      JSON.stringify(values),
    );
    const own = spans.find((s) => s.name === 'own')!;
    assert.equal(own.attributes['webhook.target'], 'https://[REDACTED]@hooks.example.com/notify');
    assert.equal(own.events[0]?.attributes['retry.url'], 'postgres://[REDACTED]:[REDACTED]@db:5432/app');
    assert.equal(own.events[0]?.attributes['retry.count'], 2);
  });
});

describe('URL credentials in the spans error capture replays', () => {
  it('redacts them on a captured span exported after its trace failed', async () => {
    const receiver = await startHttpReceiver();
    const tracing = await startTracing(
      tracingConfig(receiver.url, 'http/protobuf', {
        opentelemetry: {
          sampling: {
            strategy: 'parent_based_traceid_ratio',
            ratio: 0,
            always_sample: ['error=true'],
            error_capture: { enabled: true, max_traces: 10, max_spans_per_trace: 10, max_buffered_spans: 100 },
          },
        },
      }),
      captureLogger().logger,
    );
    try {
      tracing.tracer.startActiveSpan('captured', (span) => {
        span.setAttribute('upstream.url', 'https://ann:v-captured-pw@api.example.com/v1?token=v-captured-token&page=1');
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      });
      const [captured] = await receiver.waitForSpans(1, 10_000);
      assert.equal(captured?.name, 'captured');
      assert.equal(
        captured.attributes['upstream.url'],
        'https://[REDACTED]:[REDACTED]@api.example.com/v1?token=[REDACTED]&page=1',
      );
    } finally {
      await stopTracingAndReceiver(tracing, receiver);
    }
  });
});
