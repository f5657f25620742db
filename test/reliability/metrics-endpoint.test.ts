/**
 * Issue 13 (c): /metrics under 1,000 concurrent scrapes plus slow-loris clients. The service runs
 * in a child process (test/reliability/fixtures/metrics-service.ts) with a 10 ms timer probe, so
 * its event-loop lag, open sockets and heap are measured apart from the clients. Issue 19 (9): clients
 * that stop reading a large body are cut at the response bound and hold bounded memory.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ENDPOINT_LIMITS } from '../../src/metrics/server.js';
import { startChildService, type ChildService } from './support/child-service.js';

/** Bounds this test proves (docs/reliability.md). */
const SCRAPES = 1_000;
const SLOW_LORIS = 200;
const MAX_SCRAPE_MS = 15_000;
const MAX_LOOP_LAG_MS = 1_000;
const MAX_HEAP_GROWTH = 16 * 1024 * 1024;
/** While the 1,000 scrapes saturate the service, the timeout checks run late: a wider bound. */
const LORIS_CLOSED_UNDER_LOAD_MS = 15_000;
/** A socket past a timeout is closed at the next check, and we allow scheduling slack on top. */
const CLOSE_SLACK_MS = ENDPOINT_LIMITS.checkIntervalMs + 1_500;

interface Probe {
  maxLagMs: number;
  sockets: number;
  heapUsed: number;
}

function scrape(url: string): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('scrape timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** A client socket and when the server closed it (ms after connect; undefined while open). */
interface Watched {
  socket: Socket;
  closedAfterMs(): number | undefined;
  /** Bytes the server sent (a 408 answer on a timeout; nothing when dropped at the cap). */
  received(): number;
}

/**
 * Opens a socket to the endpoint. `trickle` sends a request line and then one header byte every
 * 500 ms (never finishing the head); otherwise nothing is sent at all.
 */
function openLoris(port: number, trickle: boolean): Promise<Watched> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let opened = 0;
    let closedAt: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    let bytes = 0;
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    socket.on('error', () => {});
    socket.resume(); // read (and drop) what the server sends, so its close is seen
    socket.on('close', () => {
      closedAt = performance.now();
      clearInterval(timer);
    });
    socket.once('connect', () => {
      opened = performance.now();
      if (trickle) {
        socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
        // Bounded: stops on close, and the server closes the socket after headersTimeout.
        let sent = 0;
        timer = setInterval(() => {
          if (++sent > 100) clearInterval(timer);
          else socket.write('a');
        }, 500);
      }
      resolve({
        socket,
        closedAfterMs: () => (closedAt === undefined ? undefined : closedAt - opened),
        received: () => bytes,
      });
    });
    socket.once('error', reject);
  });
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return condition();
}

describe('the metrics endpoint under load and slow clients', () => {
  let service: ChildService;
  let url: string;
  let port: number;
  let baselineHeap: number;

  before(async () => {
    const started = await startChildService('metrics-service.js', { execArgv: ['--expose-gc'], lifetimeMs: 240_000 });
    service = started.service;
    url = started.ready.url as string;
    port = Number(new URL(url).port);
    baselineHeap = started.ready.heapUsed as number;
  });

  after(async () => {
    await service.call('shutdown').catch(() => {});
    await service.exited(10_000).catch(() => service.kill());
  });

  it('answers 1,000 concurrent scrapes within the bound while slow-loris clients are held off and closed', async () => {
    const loris = await Promise.all(Array.from({ length: SLOW_LORIS }, (_, i) => openLoris(port, i % 2 === 0)));
    await service.call('reset');
    const results = await Promise.all(Array.from({ length: SCRAPES }, () => scrape(url)));
    const probe = await service.call<Probe>('probe');

    assert.equal(results.filter((r) => r.status === 200).length, SCRAPES);
    for (const { body } of results)
      assert.match(body, /^grey_tasks_submitted_total\{type="stateless",tenant="tenant-99"\} 1$/m);
    const slowest = Math.max(...results.map((r) => r.ms));
    assert.ok(slowest < MAX_SCRAPE_MS, `slowest scrape took ${slowest.toFixed(0)} ms`);
    assert.ok(probe.maxLagMs < MAX_LOOP_LAG_MS, `the service's timer was late by ${probe.maxLagMs.toFixed(0)} ms`);
    console.log(
      `# ${SCRAPES} scrapes: slowest ${slowest.toFixed(0)} ms; service timer lag max ${probe.maxLagMs.toFixed(0)} ms`,
    );

    // Every slow-loris socket is closed by the server once the head is overdue.
    const bound = LORIS_CLOSED_UNDER_LOAD_MS;
    const allClosed = await waitUntil(() => loris.every((l) => l.closedAfterMs() !== undefined), bound + 1_000);
    assert.ok(
      allClosed,
      `open: ${loris
        .map((l, i) => [i, l.closedAfterMs()])
        .filter(([, c]) => c === undefined)
        .map(([i]) => i)
        .join(',')}; closed after ${loris.map((l) => l.closedAfterMs()?.toFixed(0)).join(',')}`,
    );
    const closedAfter = loris.map((l) => l.closedAfterMs() as number);
    assert.ok(
      Math.min(...closedAfter) >= ENDPOINT_LIMITS.headersTimeoutMs - 100,
      `closed early: ${Math.min(...closedAfter)}`,
    );
    assert.ok(Math.max(...closedAfter) <= bound, `closed late: ${Math.max(...closedAfter)} ms`);

    const settled = await service.call<Probe>('probe');
    assert.equal(settled.sockets, 0, 'the service holds no socket once the clients are gone');
    const growth = settled.heapUsed - baselineHeap;
    assert.ok(growth < MAX_HEAP_GROWTH, `heap grew by ${(growth / 1048576).toFixed(1)} MB`);
    console.log(
      `# slow-loris closed after ${Math.min(...closedAfter).toFixed(0)}-${Math.max(...closedAfter).toFixed(0)} ms; heap growth ${(growth / 1048576).toFixed(1)} MB`,
    );
  });

  it('closes a silent and a trickling client after the headers timeout when not under load', async () => {
    const sockets = [await openLoris(port, false), await openLoris(port, true)];
    const bound = ENDPOINT_LIMITS.headersTimeoutMs + CLOSE_SLACK_MS;
    assert.ok(await waitUntil(() => sockets.every((s) => s.closedAfterMs() !== undefined), bound + 1_000));
    for (const socket of sockets) {
      assert.ok((socket.closedAfterMs() as number) >= ENDPOINT_LIMITS.headersTimeoutMs - 100);
      assert.ok((socket.closedAfterMs() as number) <= bound, `closed after ${socket.closedAfterMs()} ms`);
    }
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const watched = await openLoris(port, false);
    watched.socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    let received = '';
    watched.socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const bound = ENDPOINT_LIMITS.keepAliveTimeoutMs + CLOSE_SLACK_MS;
    assert.ok(await waitUntil(() => watched.closedAfterMs() !== undefined, bound + 1_000));
    assert.match(received, /^HTTP\/1\.1 200 OK/);
    assert.ok((watched.closedAfterMs() as number) >= ENDPOINT_LIMITS.keepAliveTimeoutMs - 100);
    assert.ok((watched.closedAfterMs() as number) <= bound);
  });

  it(`holds at most ${ENDPOINT_LIMITS.maxConnections} connections and closes every one in bound`, async () => {
    const extra = 50;
    const sockets = await Promise.all(
      Array.from({ length: ENDPOINT_LIMITS.maxConnections + extra }, () => openLoris(port, false)),
    );
    try {
      // Under a loaded machine the kernel backlog may hold connections the server has not accepted
      // yet, so when the ones beyond the cap are dropped is not asserted; what the service holds is.
      const probe = await service.call<Probe>('probe');
      assert.ok(probe.sockets <= ENDPOINT_LIMITS.maxConnections, `${probe.sockets} sockets open`);
      // What the service holds is the promise: it lets go of every socket within the bound. When the
      // client side sees each close depends on the kernel backlog of a loaded machine, so it is not
      // asserted (a client socket can sit in the backlog after the server stopped accepting).
      const bound = ENDPOINT_LIMITS.headersTimeoutMs + 40_000;
      const deadline = performance.now() + bound;
      let held = probe.sockets;
      while (held > 0 && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        held = (await service.call<Probe>('probe')).sockets;
      }
      assert.equal(held, 0, 'sockets the service still holds');
    } finally {
      for (const { socket } of sockets) socket.destroy();
    }
    assert.equal((await scrape(url)).status, 200);
  });

  it('bounds what 60 clients that stop reading a 6.4 MB body hold, and cuts every one of them', async () => {
    await service.call('grow');
    const { body } = await scrape(url);
    assert.ok(body.length > 6_400_000, `${body.length} bytes`);
    const baseline = await service.call<ProbeWithBodies>('probe');
    const clients: StalledClient[] = [];
    for (let i = 0; i < 60; i++) clients.push(await stalledScrape(port));
    const held = await service.call<ProbeWithBodies>('probe');
    assert.ok(
      held.bytesInFlight <= ENDPOINT_LIMITS.maxBodyBytesInFlight,
      `${(held.bytesInFlight / 1048576).toFixed(1)} MB of bodies in flight`,
    );
    // The bodies held, and one more rendering's worth of slack.
    const growth = held.arrayBuffers - baseline.arrayBuffers;
    assert.ok(
      growth <= ENDPOINT_LIMITS.maxBodyBytesInFlight + 2 * body.length,
      `Buffers grew by ${(growth / 1048576).toFixed(1)} MB`,
    );
    // Every response is cut (the oldest when the cap was reached, the others at the response bound);
    // the watchdog is far above that bound.
    const watchdog = ENDPOINT_LIMITS.responseTimeoutMs + 45_000;
    const deadline = performance.now() + watchdog;
    let settled = held;
    while ((settled.bytesInFlight > 0 || settled.sockets > 0) && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      settled = await service.call<ProbeWithBodies>('probe');
    }
    assert.equal(settled.bytesInFlight, 0, 'bodies still held');
    assert.equal(settled.sockets, 0, 'sockets still open in the service');
    const received = await Promise.all(clients.map((client) => client.readToEnd()));
    assert.equal(received.filter((bytes) => bytes < body.length).length, 60, 'responses cut before their end');
    console.log(
      `# 60 stalled clients of a ${(body.length / 1048576).toFixed(1)} MB body: ${(held.bytesInFlight / 1048576).toFixed(1)} MB in flight, Buffers +${(growth / 1048576).toFixed(1)} MB`,
    );
  });
});

interface ProbeWithBodies extends Probe {
  arrayBuffers: number;
  bytesInFlight: number;
}

/** A client that sent one GET and stopped reading after the first bytes of the answer. */
interface StalledClient {
  /** Reads again until the connection closes; resolves with the bytes of the body received. */
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
    let contentLength = Number.POSITIVE_INFINITY;
    socket.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (headLength === undefined) {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end >= 0) headLength = end + 4;
        contentLength = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? contentLength);
      }
      // A body read in full ends the connection (keep-alive would hold it open).
      if (headLength !== undefined && total - headLength >= contentLength) socket.destroy();
    });
    socket.once('data', () => {
      socket.pause();
      resolve({
        async readToEnd() {
          socket.resume();
          await closed;
          return headLength === undefined ? 0 : total - headLength;
        },
      });
    });
    socket.once('connect', () => socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    socket.once('error', reject);
  });
}
