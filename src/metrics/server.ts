import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import Negotiator from 'negotiator';
import type { Logger } from 'pino';
import { markOwnServer } from './own-servers.js';
import type { ObservabilityConfig } from '../config/types.js';
import { ObservabilityError } from '../errors.js';
import { createScrapeAuthorizer } from './endpoint-auth.js';
import { CONTENT_TYPES, negotiateFormat, serializeRegistry, type ExpositionFormat } from './exposition.js';
import type { Metrics } from './metrics.js';
import { createBodyLedger } from './response-bodies.js';
import { createRenderings, RenderUnavailable, type ExpositionRenderer } from './scrape-renderings.js';
import { warn } from '../warnings.js';

const gzipAsync = promisify(gzip);

/** A running Prometheus endpoint. */
export interface MetricsServer {
  /** The bound TCP port (the real one when `prometheus.port` is 0); 0 when the endpoint is disabled. */
  port: number;
  /** Full URL of the endpoint, e.g. `http://127.0.0.1:9090/metrics`; empty when disabled. */
  url: string;
  /** Stops listening and closes open connections. Safe to call twice. */
  close(): Promise<void>;
}

export type { ExpositionRenderer } from './scrape-renderings.js';

/** The fixed limits of the endpoint (see {@link ENDPOINT_LIMITS}). */
export interface EndpointLimits {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly idleSocketTimeoutMs: number;
  readonly responseTimeoutMs: number;
  readonly maxBodyBytesInFlight: number;
  readonly maxStuckRenderings: number;
  readonly checkIntervalMs: number;
  readonly maxConnections: number;
}

/**
 * Fixed limits of the endpoint's HTTP server, chosen for scrapers (Prometheus sends its request at
 * once, reads the answer at once and scrapes every few seconds at most): they bound what slow or
 * idle clients and stuck collectors can hold. Documented in docs/metrics.md ("Limits"); proven by
 * test/metrics/scrape-bounds.test.ts and test/reliability/metrics-endpoint.test.ts.
 */
export const ENDPOINT_LIMITS: EndpointLimits = {
  /** A client must send its whole request head within this time (slow-loris bound), in ms. */
  headersTimeoutMs: 5_000,
  /** A client must send its whole request within this time, in ms. */
  requestTimeoutMs: 10_000,
  /** An idle keep-alive connection is closed after this time, in ms. */
  keepAliveTimeoutMs: 5_000,
  /** A socket with no traffic either way is closed after this time, in ms. */
  idleSocketTimeoutMs: 15_000,
  /**
   * A response must be handed to the OS in full within this time of its start, else its connection
   * is closed: a client that stops reading holds its body at most this long, in ms.
   */
  responseTimeoutMs: 15_000,
  /**
   * Most bytes of response bodies held for clients that have not read them yet (bodies shared by
   * several responses counted once); past it the oldest unfinished responses are cut.
   */
  maxBodyBytesInFlight: 64 * 1024 * 1024,
  /**
   * Most renderings still waiting for a collector after their scrape was answered (past
   * `prometheus.scrape_timeout_ms`, or failed while another collector hangs); while this many are
   * stuck, a scrape is answered 503 at once instead of starting one more.
   */
  maxStuckRenderings: 4,
  /** How often the server looks for connections past the two request timeouts, in ms. */
  checkIntervalMs: 1_000,
  /** Most open connections; a connection beyond it is closed at once. */
  maxConnections: 2_048,
} as const;

/**
 * Serves the package's registry on `prometheus.host:port` + `prometheus.path`: GET and HEAD only
 * (405 otherwise, 404 on other paths), text 0.0.4 or OpenMetrics 1.0 by the `Accept` header
 * (OpenMetrics carries exemplars), gzip when asked, optional bearer or basic auth. A collector that
 * throws gives that scrape 500; one still collecting at `prometheus.scrape_timeout_ms` gives it 503
 * naming the metric, and the next scrape renders afresh (see {@link ENDPOINT_LIMITS}).
 *
 * Throws `OBS_ERR_PORT_IN_USE` (key `prometheus.port`) when the port is taken and
 * `OBS_ERR_METRICS_SERVER` (key `prometheus.host`) for other listen errors; nothing stays bound.
 * With `prometheus.enabled: false` nothing is bound and a closed handle (port 0, empty url) is returned.
 */
export async function startMetricsServer(config: ObservabilityConfig, metrics: Metrics): Promise<MetricsServer> {
  if (!config.prometheus.enabled) return { port: 0, url: '', close: async () => {} };
  return serveExposition(config, metrics.logger, async (format, progress) => ({
    body: await serializeRegistry(metrics.registry, format, progress),
    format,
  }));
}

/**
 * The HTTP server behind startMetricsServer() and the cluster endpoint, for any renderer.
 * `limits` is {@link ENDPOINT_LIMITS} unless a test shortens them.
 */
export async function serveExposition(
  config: ObservabilityConfig,
  logger: Logger,
  render: ExpositionRenderer,
  limits: EndpointLimits = ENDPOINT_LIMITS,
): Promise<MetricsServer> {
  const { host, port, path } = config.prometheus;
  const authorize = createScrapeAuthorizer(config.prometheus.auth);
  const challenge = config.prometheus.auth.type === 'basic' ? 'Basic realm="metrics"' : 'Bearer realm="metrics"';
  const takeTurn = createWriteTurns();
  const bodies = createBodyLedger(limits.maxBodyBytesInFlight);
  const renderings = createRenderings(render, config.prometheus.scrape_timeout_ms, limits.maxStuckRenderings);
  // Scrapes that arrive while a rendering of the same format (and encoding) is pending share it:
  // a burst of 1,000 concurrent scrapes costs a few serializations, not 1,000.
  const inFlight = new Map<string, Promise<{ body: Buffer; format: ExpositionFormat }>>();
  const renderShared = (format: ExpositionFormat, gzipped: boolean) => {
    const key = `${format}:${gzipped}`;
    let pending = inFlight.get(key);
    if (pending === undefined) {
      pending = (async () => {
        // Rendering starts in the check phase, after every request that arrived in this poll
        // phase joined it; rendering at once would finish (in microtasks) before the next request
        // of the same burst is read, and a burst would render once per request back to back.
        await new Promise((resolve) => setImmediate(resolve));
        const rendered = await renderings.render(format);
        const plain = Buffer.from(rendered.body, 'utf8');
        return { body: gzipped ? await gzipAsync(plain) : plain, format: rendered.format };
      })().finally(() => {
        // A rendering past its bound is let go: the next scrape renders afresh.
        if (inFlight.get(key) === pending) inFlight.delete(key);
      });
      inFlight.set(key, pending);
    }
    return pending;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const requestPath = (request.url ?? '/').split('?', 1)[0];
    if (requestPath !== path) return reply(response, 404, 'Not Found\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return reply(response, 405, 'Method Not Allowed\n');
    }
    if (!authorize(request.headers.authorization)) {
      response.setHeader('WWW-Authenticate', challenge);
      return reply(response, 401, 'Unauthorized\n');
    }
    const gzipped = acceptsGzip(request.headers['accept-encoding']);
    let rendered: { body: Buffer; format: ExpositionFormat };
    try {
      rendered = await renderShared(negotiateFormat(request.headers.accept), gzipped);
    } catch (error) {
      if (error instanceof RenderUnavailable) {
        warn(logger, 'OBS_WARN_SCRAPE_TIMEOUT', path, {
          message: `${error.message}; the scrape got HTTP 503 (a collect() that never resolves, or a slow one)`,
          fields: { metrics: error.metrics, key: 'prometheus.scrape_timeout_ms' },
        });
        return reply(response, 503, `Service Unavailable: ${error.message}\n`);
      }
      warn(logger, 'OBS_WARN_SCRAPE_FAILED', path, {
        message: 'collecting metrics failed; the scrape got HTTP 500',
        fields: { err: error },
      });
      return reply(response, 500, 'Internal Server Error\n');
    }
    await takeTurn();
    const body = rendered.body;
    response.setHeader('Content-Type', CONTENT_TYPES[rendered.format]);
    response.setHeader('Vary', 'Accept, Accept-Encoding');
    if (gzipped) response.setHeader('Content-Encoding', 'gzip');
    response.setHeader('Content-Length', body.length);
    response.writeHead(200);
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    bodies.hold(response, body);
    // A client that stops reading is cut at the bound, whatever the socket's idle timer does.
    const deadline = setTimeout(() => response.destroy(), limits.responseTimeoutMs);
    deadline.unref();
    response.once('close', () => clearTimeout(deadline));
    response.once('finish', () => clearTimeout(deadline));
    response.end(body);
  };

  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    (request, response) => {
      handle(request, response).catch(() => {
        if (!response.headersSent) reply(response, 500, 'Internal Server Error\n');
        else response.destroy();
      });
    },
  );
  markOwnServer(server);
  server.maxConnections = limits.maxConnections;
  server.setTimeout(limits.idleSocketTimeoutMs, (socket) => socket.destroy());
  await listen(server, host, port);
  // The endpoint never keeps the process alive on its own: the service's own work does (issue 10).
  server.unref();
  server.on('connection', (socket) => socket.unref());
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  const endpoint: MetricsServer = {
    port: bound,
    url: `http://${urlHost}:${bound}${path}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        endpointStates.delete(bound);
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
  endpointStates.set(bound, { bytesInFlight: () => bodies.bytes(), stuckRenderings: () => renderings.stuck() });
  return endpoint;
}

/** What an endpoint holds now (for tests and diagnostics; not part of the public API). */
export interface EndpointState {
  /** Bytes of response bodies not yet handed to the OS (a body shared by several responses counted once). */
  bytesInFlight(): number;
  /** Renderings answered (timed out or failed) whose collectors have not all ended yet. */
  stuckRenderings(): number;
}

const endpointStates = new Map<number, EndpointState>();

/** The state of the endpoint listening on `port` in this process; undefined when none is. */
export function endpointState(port: number): EndpointState | undefined {
  return endpointStates.get(port);
}

/** Longest stretch, in ms, the endpoint writes responses before it lets the service's own work run. */
const WRITE_SLICE_MS = 10;

/**
 * A shared rendering resolves every scrape waiting for it at once; writing hundreds of bodies back
 * to back would hold the event loop for as long. `takeTurn()` lets the writes through one by one
 * and yields to the event loop (timers, I/O of the service) after every WRITE_SLICE_MS of them.
 */
function createWriteTurns(): () => Promise<void> {
  const queue: Array<() => void> = [];
  let draining = false;
  const drain = async (): Promise<void> => {
    let sliceStartedAt = performance.now();
    while (queue.length > 0) {
      (queue.shift() as () => void)();
      await null; // the released response is written in this microtask checkpoint
      if (performance.now() - sliceStartedAt > WRITE_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStartedAt = performance.now();
      }
    }
    draining = false;
  };
  return () =>
    new Promise<void>((resolve) => {
      queue.push(resolve);
      if (draining) return;
      draining = true;
      void drain();
    });
}

function reply(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** True when `Accept-Encoding` accepts gzip (or `x-gzip`, or `*`) with a non-zero quality (RFC 9110 12.5.3, through `negotiator`). */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return new Negotiator({ headers: { 'accept-encoding': header } }).encoding(['gzip', 'x-gzip']) !== undefined;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.close(() => {});
      if (error.code === 'EADDRINUSE') {
        reject(
          new ObservabilityError('OBS_ERR_PORT_IN_USE', `port ${port} on ${host} is already in use`, {
            key: 'prometheus.port',
            value: port,
            expected: 'a free port (GREY_PROMETHEUS_PORT), or stop the process that holds it',
            cause: error,
          }),
        );
      } else {
        reject(
          new ObservabilityError(
            'OBS_ERR_METRICS_SERVER',
            `cannot listen on ${host}:${port} (${error.code ?? error.message})`,
            {
              key: 'prometheus.host',
              value: host,
              expected: 'an address of this machine (0.0.0.0, 127.0.0.1, ::) and a port this process may bind',
              cause: error,
            },
          ),
        );
      }
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
