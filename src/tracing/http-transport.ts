import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { OTLPExporterError, type ExportResponse, type IExporterTransport } from '@opentelemetry/otlp-exporter-base';
import { COLLECTOR_UNREACHABLE_CODES } from './export-health.js';

/** Most response body read from the collector (what the SDK's own transport reads). */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** Retries after the first attempt, and the backoff between them (the SDK's own values). */
const MAX_RETRIES = 5;
const INITIAL_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 5000;
const BACKOFF_MULTIPLIER = 1.5;
/** HTTP statuses worth a retry (OTLP/HTTP specification). */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/** The error of an export abandoned by {@link AbortableHttpTransport.shutdown}. */
export class ExportAbortedError extends Error {
  override readonly name = 'ExportAbortedError';
  /** Read by export-health.ts for the `reason` label of failed spans. */
  readonly reason = 'shutdown';
}

/** The error of an attempt that got no answer within the export timeout. */
export class ExportTimeoutError extends Error {
  override readonly name = 'ExportTimeoutError';
  readonly reason = 'timeout';
}

/**
 * The OTLP http/protobuf transport: POSTs each serialized batch to `url`, retries what the OTLP
 * specification calls retryable (429/502/503/504, `Retry-After`, connection errors) with the SDK's
 * backoff within the export timeout, and, unlike the SDK's transport (opentelemetry-js-contrib
 * #3349), can be stopped: {@link shutdown} aborts the requests in flight, cancels the retry waits
 * and refuses new sends, so that nothing of it keeps the event loop alive afterwards. Its sockets
 * and timers never hold the event loop on their own either (they are unref'd): a process whose
 * own work is done ends, and the 'beforeExit' flush of register.ts bounds the last export.
 */
export class AbortableHttpTransport implements IExporterTransport {
  private readonly target: URL;
  private readonly agent: HttpAgent;
  private readonly send_: typeof httpRequest;
  private readonly inFlight = new Set<AbortController>();
  /** Retry waits under way, cut short by {@link drain}. */
  private readonly retryWaits = new Set<() => void>();
  private stopped = false;
  private draining = false;

  /**
   * @param holdEventLoop keep the sockets and timers referenced, for a caller that awaits an export
   *   itself (the `doctor` command); the tracing pipeline leaves it false (see the class comment).
   */
  constructor(
    url: string,
    private readonly headers: Readonly<Record<string, string>>,
    private readonly holdEventLoop = false,
  ) {
    this.target = new URL(url);
    const https = this.target.protocol === 'https:';
    this.agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.send_ = https ? httpsRequest : httpRequest;
  }

  async send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    const deadline = Date.now() + timeoutMillis;
    let backoff = INITIAL_BACKOFF_MS;
    let response = await this.attempt(data, timeoutMillis);
    for (let retry = 0; retry < MAX_RETRIES && response.status === 'retryable'; retry++) {
      const jitter = 1 + (Math.random() * 0.4 - 0.2);
      const wait = response.retryInMillis ?? Math.min(backoff * jitter, MAX_BACKOFF_MS);
      backoff *= BACKOFF_MULTIPLIER;
      const remaining = deadline - Date.now();
      if (wait > remaining || this.draining) return response;
      const slept = await this.sleep(wait);
      if (slept === 'stopped') return aborted();
      if (slept === 'drained') return response;
      response = await this.attempt(data, deadline - Date.now());
    }
    return response;
  }

  /**
   * Shutdown has begun: from now on a retryable failure is final, and retry waits under way end
   * now. The last exports spend shutdown's budget on sending, not on waiting out a collector that
   * is down (with its backoff, a refused connection held shutdown for the whole budget). Idempotent.
   */
  drain(): void {
    this.draining = true;
    for (const wake of this.retryWaits) wake();
    this.retryWaits.clear();
  }

  /** Aborts every request in flight and every retry wait; later sends fail at once. Idempotent. */
  shutdown(): void {
    this.stopped = true;
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
    this.agent.destroy();
  }

  /** One POST; resolves (never rejects) with what the OTLP exporter base expects. */
  private attempt(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    if (this.stopped) return Promise.resolve(aborted());
    const controller = new AbortController();
    this.inFlight.add(controller);
    return new Promise<ExportResponse>((resolve) => {
      let done = false;
      const finish = (response: ExportResponse): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.inFlight.delete(controller);
        resolve(response);
      };
      const timer = setTimeout(
        () => {
          finish({ status: 'retryable', error: new ExportTimeoutError(`no answer within ${timeoutMillis} ms`) });
          controller.abort();
        },
        Math.max(0, timeoutMillis),
      );
      if (!this.holdEventLoop) timer.unref();
      controller.signal.addEventListener('abort', () => finish(aborted()), { once: true });
      const req = this.send_(this.target, {
        method: 'POST',
        agent: this.agent,
        signal: controller.signal,
        headers: {
          ...this.headers,
          'Content-Type': 'application/x-protobuf',
          'Content-Length': String(data.byteLength),
        },
      });
      if (!this.holdEventLoop) req.on('socket', (socket) => socket.unref());
      req.on('response', (res) => readResponse(res, finish));
      req.on('error', (error: Error & { code?: string }) => {
        const retryable = typeof error.code === 'string' && COLLECTOR_UNREACHABLE_CODES.has(error.code);
        finish(retryable ? { status: 'retryable', error } : { status: 'failure', error });
      });
      req.end(data);
    });
  }

  /** Waits `ms` (unref'd): `'slept'`, or `'stopped'` / `'drained'` when shutdown() / drain() came first. */
  private sleep(ms: number): Promise<'slept' | 'stopped' | 'drained'> {
    if (this.stopped) return Promise.resolve('stopped');
    if (this.draining) return Promise.resolve('drained');
    const controller = new AbortController();
    this.inFlight.add(controller);
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.inFlight.delete(controller);
        resolve('drained');
      };
      const timer = setTimeout(() => {
        this.inFlight.delete(controller);
        this.retryWaits.delete(wake);
        resolve('slept');
      }, ms);
      if (!this.holdEventLoop) timer.unref();
      this.retryWaits.add(wake);
      controller.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          this.retryWaits.delete(wake);
          resolve('stopped');
        },
        { once: true },
      );
    });
  }
}

function aborted(): ExportResponse {
  return { status: 'failure', error: new ExportAbortedError('export abandoned at shutdown') };
}

function readResponse(res: IncomingMessage, finish: (response: ExportResponse) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      res.destroy();
      finish({ status: 'failure', error: new Error(`OTLP response larger than ${MAX_RESPONSE_BYTES} bytes`) });
      return;
    }
    chunks.push(chunk);
  });
  res.on('error', (error) => finish({ status: 'failure', error }));
  res.on('end', () => {
    const status = res.statusCode ?? 0;
    const body = Buffer.concat(chunks);
    if (status >= 200 && status <= 299) finish({ status: 'success', data: body });
    else if (RETRYABLE_STATUSES.has(status))
      finish({
        status: 'retryable',
        retryInMillis: retryAfterMs(res.headers['retry-after']),
        error: new OTLPExporterError(res.statusMessage, status, body.toString()),
      });
    else finish({ status: 'failure', error: new OTLPExporterError(res.statusMessage, status, body.toString()) });
  });
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), or undefined. */
function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number.parseInt(value, 10);
  if (Number.isInteger(seconds)) return Math.max(0, seconds * 1000);
  const at = new Date(value).getTime();
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
