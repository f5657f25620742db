import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ROOT_CONTEXT, context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { PropagatorName } from '../../src/config/types.js';
import { injectContext } from '../../src/tracing/propagation.js';
import { startTracing, type Tracing } from '../../src/tracing/start-tracing.js';
import { withTenant } from '../../src/tenancy/with-tenant.js';
import { startHttpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { captureLogger, stopTracingAndReceiver, tracingConfig } from './helpers.js';

/** A loopback server that answers each request with its raw header lines, as received. */
async function startEchoServer(): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.rawHeaders));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/downstream`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every value of the header `name` (any casing) among raw header lines, one per line. */
function values(raw: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) out.push(raw[i + 1]!);
  return out;
}

/** The raw header lines a node:http request with `url` and `options` (or `options` alone) brought. */
function httpRequest(url: string | undefined, options: http.RequestOptions): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage): void => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(JSON.parse(body) as string[]));
    };
    const request = url === undefined ? http.request(options, onResponse) : http.request(url, options, onResponse);
    request.on('error', reject).end();
  });
}

async function fetchRaw(url: string, headers: NonNullable<Parameters<typeof fetch>[1]>['headers']): Promise<string[]> {
  const res = await fetch(url, { headers });
  return (await res.json()) as string[];
}

/** `headers` with each name's first letter upper-cased (`Traceparent`, `Baggage`). */
function capitalized(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k[0]!.toUpperCase() + k.slice(1), v]));
}

type Client = (url: string, port: number) => Promise<string[]>;

/** Each way a caller can put the propagation headers on a request, for fetch() and node:http. */
const CALLERS: Array<[string, Client]> = [
  ['fetch, a plain object (the docs snippet)', (url) => fetchRaw(url, injectContext({}))],
  ['fetch, a Headers instance', (url) => fetchRaw(url, injectContext(new Headers()))],
  [
    'fetch, a Request object',
    async (url) => (await (await fetch(new Request(url, { headers: injectContext({}) }))).json()) as string[],
  ],
  ['fetch, an array of pairs', (url) => fetchRaw(url, Object.entries(injectContext<Record<string, string>>({})))],
  ['fetch, capitalized names', (url) => fetchRaw(url, capitalized(injectContext<Record<string, string>>({})))],
  ['http.request(url, { headers }), a plain object', (url) => httpRequest(url, { headers: injectContext({}) })],
  [
    'http.request(url, { headers }), capitalized names',
    (url) => httpRequest(url, { headers: capitalized(injectContext<Record<string, string>>({})) }),
  ],
  [
    'http.request(url, { headers }), the raw array form',
    (url) =>
      httpRequest(url, {
        headers: [...Object.entries(injectContext<Record<string, string>>({})).flat(), 'X-Kept', '1'],
      }),
  ],
  [
    'http.request({ host, port, path, headers })',
    (_url, port) =>
      httpRequest(undefined, { host: '127.0.0.1', port, path: '/downstream', headers: capitalized(injectContext({})) }),
  ],
];

describe('one trace context per outgoing request with the fetch and http instrumentations', () => {
  let receiver: OtlpReceiver | undefined;
  let tracing: Tracing | undefined;
  let echo: Awaited<ReturnType<typeof startEchoServer>>;

  async function start(propagators: PropagatorName[] = ['tracecontext', 'baggage']): Promise<Tracer> {
    await stopTracingAndReceiver(tracing, receiver);
    receiver = await startHttpReceiver();
    const config = tracingConfig(receiver.url, 'http/protobuf', {
      opentelemetry: { instrumentations: { http: true, fetch: true }, propagation: propagators },
    });
    tracing = await startTracing(config, captureLogger().logger);
    return tracing.tracer;
  }

  /** Runs `client` inside a span of its own with the tenant `acme`; returns what the server saw and the client span. */
  async function call(tracer: Tracer, label: string, client: Client): Promise<{ raw: string[]; client: ReceivedSpan }> {
    const { raw, parentId } = await withTenant('acme', () =>
      tracer.startActiveSpan(label, { root: true }, async (span) => {
        const seen = await client(echo.url, echo.port);
        span.end();
        return { raw: seen, parentId: span.spanContext().spanId };
      }),
    );
    let clientSpan: ReceivedSpan | undefined;
    for (let attempt = 0; attempt < 200 && clientSpan === undefined; attempt++) {
      clientSpan = receiver!.spans().find((s) => s.parentSpanId === parentId && s.kind === 3);
      if (clientSpan === undefined) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(
      clientSpan !== undefined,
      `${label}: no client span exported: ${JSON.stringify(receiver!.spans().map((s) => [s.name, s.kind, s.parentSpanId]))} ${parentId} ${JSON.stringify(raw)}`,
    );
    return { raw, client: clientSpan };
  }

  before(async () => {
    echo = await startEchoServer();
  });

  after(async () => {
    await stopTracingAndReceiver(tracing, receiver);
    await echo.close();
  });

  for (const [label, client] of CALLERS) {
    it(`sends one traceparent, the client span's, and one baggage: ${label}`, async () => {
      const tracer = await start();
      const { raw, client: clientSpan } = await call(tracer, label, client);
      assert.deepEqual(values(raw, 'traceparent'), [`00-${clientSpan.traceId}-${clientSpan.spanId}-01`], label);
      assert.deepEqual(values(raw, 'baggage'), ['grey.tenant_id=acme'], label);
      if (label.includes('raw array')) assert.deepEqual(values(raw, 'x-kept'), ['1'], 'the other headers are kept');
      assert.deepEqual(values(raw, '0'), [], 'no header named after an array index');
    });
  }

  it("drops the caller's tracestate with the traceparent it replaces (fetch and http)", async () => {
    const tracer = await start();
    const stale = {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'vendor=stale',
    };
    for (const [label, client] of [
      ['fetch', (url: string) => fetchRaw(url, capitalized(stale))],
      ['http', (url: string) => httpRequest(url, { headers: capitalized(stale) })],
    ] as const) {
      const { raw, client: clientSpan } = await call(tracer, `stale ${label}`, client);
      assert.deepEqual(values(raw, 'traceparent'), [`00-${clientSpan.traceId}-${clientSpan.spanId}-01`], label);
      assert.deepEqual(values(raw, 'tracestate'), [], label);
    }
  });

  it('replaces the b3 headers too when the b3 propagators are configured', async () => {
    const tracer = await start(['tracecontext', 'baggage', 'b3', 'b3multi']);
    for (const [label, client] of CALLERS.filter(([l]) => /plain object|capitalized/.test(l))) {
      const { raw, client: clientSpan } = await call(tracer, label, client);
      for (const name of ['traceparent', 'baggage', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled']) {
        assert.equal(values(raw, name).length, 1, `${label}: ${name} in ${JSON.stringify(raw)}`);
      }
      assert.deepEqual(values(raw, 'x-b3-spanid'), [clientSpan.spanId], label);
      assert.deepEqual(values(raw, 'b3'), [`${clientSpan.traceId}-${clientSpan.spanId}-1`], label);
    }
  });

  it('keeps a hand-set traceparent where the instrumentation injects none (tracing suppressed)', async () => {
    const tracer = await start();
    const forwarded = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await tracer.startActiveSpan('suppressed', {}, ROOT_CONTEXT, async (span) => {
      const suppressed = suppressTracing(context.active());
      const raw = await context.with(suppressed, () => fetchRaw(echo.url, { traceparent: forwarded }));
      const rawHttp = await context.with(suppressed, () =>
        httpRequest(echo.url, { headers: ['traceparent', forwarded] }),
      );
      span.end();
      assert.deepEqual(values(raw, 'traceparent'), [forwarded]);
      assert.deepEqual(values(rawHttp, 'traceparent'), [forwarded]);
    });
  });
});

describe('the http instrumentation across restarts', () => {
  it('instruments node:http clients again after shutdown() and a new start', async () => {
    const echo = await startEchoServer();
    try {
      for (let round = 1; round <= 3; round++) {
        const receiver = await startHttpReceiver();
        const config = tracingConfig(receiver.url, 'http/protobuf', {
          opentelemetry: { instrumentations: { http: true, fetch: false } },
        });
        const tracing = await startTracing(config, captureLogger().logger);
        const raw = await tracing.tracer.startActiveSpan('round', { root: true }, async (span) => {
          const seen = await httpRequest(echo.url, {});
          span.end();
          return seen;
        });
        const spans = await receiver.waitForSpans(2);
        const client = spans.find((s) => s.kind === 3);
        assert.ok(client !== undefined, `round ${round}: no client span`);
        assert.deepEqual(values(raw, 'traceparent'), [`00-${client.traceId}-${client.spanId}-01`], `round ${round}`);
        await stopTracingAndReceiver(tracing, receiver);
      }
    } finally {
      await echo.close();
    }
  });
});

describe('injectContext', () => {
  it('replaces a header of the same name in any casing in a plain record', async () => {
    propagation.setGlobalPropagator(
      (await import('../../src/tracing/build-propagator.js')).buildPropagator(['tracecontext']),
    );
    try {
      const ctx = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: 1,
      });
      const headers = injectContext(
        { Traceparent: 'old', 'content-type': 'text/plain' } as Record<string, string>,
        ctx,
      );
      assert.deepEqual(headers, {
        'content-type': 'text/plain',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      });
    } finally {
      propagation.disable();
    }
  });
});
