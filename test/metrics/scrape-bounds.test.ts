import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { Gauge } from 'prom-client';
import { createMetrics } from '../../src/metrics/metrics.js';
import {
  ENDPOINT_LIMITS,
  endpointState,
  serveExposition,
  startMetricsServer,
  type EndpointLimits,
  type MetricsServer,
} from '../../src/metrics/server.js';
import { testConfig } from '../support/config.js';
import { captureLogger, silentLogger } from './support/logger.js';

/** A scrape with a generous watchdog (far above any busy machine's time). */
function scrape(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: 60_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('watchdog: no answer within 60 s')));
    req.on('error', reject);
    req.end();
  });
}

/** A gauge of the service on the package's registry whose collect() waits for the test. */
function controlledGauge(registry: ReturnType<typeof createMetrics>['registry'], name: string) {
  const waiting: Array<() => void> = [];
  let calls = 0;
  let mode: 'hang' | 'resolve' | 'throw' = 'resolve';
  new Gauge({
    name,
    help: 'Rows waiting in a queue the service reads with a query.',
    registers: [registry],
    collect(this: Gauge) {
      calls++;
      this.set(7);
      if (mode === 'throw') throw new Error('the query failed');
      if (mode === 'hang') return new Promise<void>((resolve) => waiting.push(resolve));
      return undefined;
    },
  });
  return {
    calls: () => calls,
    set: (next: typeof mode) => (mode = next),
    release: () => waiting.splice(0).forEach((resolve) => resolve()),
  };
}

async function withEndpoint(
  run: (server: MetricsServer, metrics: ReturnType<typeof createMetrics>) => Promise<void>,
  logger = silentLogger(),
): Promise<void> {
  const config = testConfig({ prometheus: { scrape_timeout_ms: 300, default_metrics: false } });
  const metrics = createMetrics(config, logger);
  const server = await startMetricsServer(config, metrics);
  try {
    await run(server, metrics);
  } finally {
    await server.close();
  }
}

describe('the endpoint with a bad collector', () => {
  it('answers 503 naming the metric whose collect() hangs, and renders afresh at the next scrape (200)', async () => {
    const { logger, lines } = captureLogger();
    await withEndpoint(async (server, metrics) => {
      const slow = controlledGauge(metrics.registry, 'service_queue_rows');
      slow.set('hang');
      const first = await scrape(server.url);
      assert.equal(first.status, 503);
      assert.match(
        first.body,
        /metric service_queue_rows still collecting after 300 ms \(prometheus\.scrape_timeout_ms\)/,
      );
      slow.set('resolve');
      for (let i = 0; i < 3; i++) {
        const later = await scrape(server.url);
        assert.equal(later.status, 200);
        assert.match(later.body, /^service_queue_rows 7$/m);
      }
      assert.equal(slow.calls(), 4, 'each scrape called collect() again');
      assert.equal(
        endpointState(server.port)?.stuckRenderings(),
        1,
        'the first rendering still waits for its collect()',
      );
      slow.release();
      await waitFor(() => endpointState(server.port)?.stuckRenderings() === 0);
    }, logger);
    const warning = lines.find((line) => line.code === 'OBS_WARN_SCRAPE_TIMEOUT');
    assert.deepEqual(warning?.metrics, ['service_queue_rows']);
    assert.equal(warning?.key, 'prometheus.scrape_timeout_ms');
  });

  it('answers 500 when a collect() throws, and 200 at the next scrape', async () => {
    await withEndpoint(async (server, metrics) => {
      const failing = controlledGauge(metrics.registry, 'service_queue_rows');
      failing.set('throw');
      assert.equal((await scrape(server.url)).status, 500);
      failing.set('resolve');
      assert.equal((await scrape(server.url)).status, 200);
      assert.equal(endpointState(server.port)?.stuckRenderings(), 0);
    });
  });

  it(`keeps at most ${ENDPOINT_LIMITS.maxStuckRenderings} stuck renderings: later scrapes get 503 at once without calling collect() again`, async () => {
    await withEndpoint(async (server, metrics) => {
      const slow = controlledGauge(metrics.registry, 'service_queue_rows');
      slow.set('hang');
      const statuses: number[] = [];
      for (let i = 0; i < ENDPOINT_LIMITS.maxStuckRenderings + 6; i++) {
        const answer = await scrape(server.url);
        statuses.push(answer.status);
        assert.match(answer.body, /service_queue_rows/);
      }
      assert.deepEqual(new Set(statuses), new Set([503]));
      assert.equal(slow.calls(), ENDPOINT_LIMITS.maxStuckRenderings);
      assert.equal(endpointState(server.port)?.stuckRenderings(), ENDPOINT_LIMITS.maxStuckRenderings);
      // The query comes back: the stuck renderings end, and scrapes render again.
      slow.set('resolve');
      slow.release();
      await waitFor(() => endpointState(server.port)?.stuckRenderings() === 0);
      assert.equal((await scrape(server.url)).status, 200);
    });
  });

  it('counts a rendering as stuck when one collect() throws while another hangs', async () => {
    await withEndpoint(async (server, metrics) => {
      const slow = controlledGauge(metrics.registry, 'service_queue_rows');
      const failing = controlledGauge(metrics.registry, 'service_cache_rows');
      slow.set('hang');
      failing.set('throw');
      assert.equal((await scrape(server.url)).status, 500);
      assert.equal(endpointState(server.port)?.stuckRenderings(), 1);
      slow.release();
      await waitFor(() => endpointState(server.port)?.stuckRenderings() === 0);
    });
  });
});

/** A raw connection that sent one GET and stopped reading after the first bytes of the answer. */
interface StalledClient {
  socket: Socket;
  /** Reads again, to the end: resolves with the bytes of the body received, once the server closed the connection or the body is complete. */
  readToEnd(): Promise<number>;
}

function stalledScrape(port: number): Promise<StalledClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let total = 0;
    let headLength: number | undefined;
    let head = '';
    socket.on('error', () => {});
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    const bodyLength = (): number => (headLength === undefined ? 0 : total - headLength);
    socket.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (headLength === undefined) {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end >= 0) headLength = end + 4;
      }
      if (bodyLength() >= BODY_BYTES) socket.destroy();
    });
    socket.once('data', () => {
      socket.pause(); // the client stops reading
      resolve({
        socket,
        async readToEnd() {
          socket.resume();
          await closed;
          return bodyLength();
        },
      });
    });
    socket.once('connect', () => socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    socket.once('error', reject);
  });
}

const BODY_BYTES = 16 * 1024 * 1024;

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`watchdog: condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the endpoint with clients that stop reading', () => {
  // Every rendering makes its own body, as scrapes that do not overlap do.
  const render = async () => ({ body: `# ${'x'.repeat(BODY_BYTES - 3)}\n`, format: 'text' as const });

  async function serve(limits: Partial<EndpointLimits>): Promise<MetricsServer> {
    // The idle-socket timer is pushed far out: only the bounds under test can close a connection.
    return serveExposition(testConfig(), silentLogger(), render, {
      ...ENDPOINT_LIMITS,
      idleSocketTimeoutMs: 600_000,
      ...limits,
    });
  }

  it('cuts a response its client stopped reading at the response bound, and lets go of its body', async (t) => {
    const server = await serve({ responseTimeoutMs: 500 });
    t.after(() => server.close());
    const client = await stalledScrape(server.port);
    assert.equal(endpointState(server.port)?.bytesInFlight(), BODY_BYTES);
    await waitFor(() => endpointState(server.port)?.bytesInFlight() === 0);
    const body = await client.readToEnd();
    assert.ok(body < BODY_BYTES, `the client got ${body} of ${BODY_BYTES} bytes: the response was cut`);
    // The endpoint serves a reading client as before.
    assert.equal((await scrape(server.url)).body.length, BODY_BYTES);
  });

  it('holds at most maxBodyBytesInFlight of unread bodies: the oldest unfinished responses are cut', async (t) => {
    const cap = 3 * BODY_BYTES;
    const server = await serve({ responseTimeoutMs: 600_000, maxBodyBytesInFlight: cap });
    t.after(() => server.close());
    const clients: StalledClient[] = [];
    let most = 0;
    for (let i = 0; i < 8; i++) {
      clients.push(await stalledScrape(server.port));
      most = Math.max(most, endpointState(server.port)!.bytesInFlight());
    }
    assert.equal(most, cap, 'never more than the cap');
    const bodies = await Promise.all(clients.map((client) => client.readToEnd()));
    assert.deepEqual(
      bodies.map((bytes) => bytes === BODY_BYTES),
      [false, false, false, false, false, true, true, true],
      `the five oldest were cut (${bodies.join(', ')} bytes)`,
    );
    await waitFor(() => endpointState(server.port)?.bytesInFlight() === 0);
  });
});
