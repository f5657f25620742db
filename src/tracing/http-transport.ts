import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { OTLPExporterError, type ExportResponse } from '@opentelemetry/otlp-exporter-base';
import { COLLECTOR_UNREACHABLE_CODES } from './export-health.js';
import type { ExporterTls } from './exporter-tls.js';
import { abandonedAtShutdown, ExportTimeoutError, type AttemptTransport } from './retrying-transport.js';

const gzipAsync = promisify(gzip);

/** Most response body read from the collector (what the SDK's own transport reads). */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** HTTP statuses worth a retry (OTLP/HTTP specification, "Failures"). */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/** What {@link HttpTransport} needs. */
interface HttpTransportOptions {
  /** The collector URL, `/v1/traces` included. */
  url: string;
  /** Headers sent with every request (`opentelemetry.exporter.headers`). */
  headers: Readonly<Record<string, string>>;
  /** `gzip`: the body is gzip-compressed and sent with `Content-Encoding: gzip`. */
  compression: 'none' | 'gzip';
  /** CA and client certificate for an `https://` URL (exporter-tls.ts); ignored for `http://`. */
  tls: ExporterTls;
  /**
   * Keep the sockets and timers referenced, for a caller that awaits an export itself (the
   * `doctor` command); the tracing pipeline leaves it false (see the class comment).
   */
  holdEventLoop?: boolean;
}

/**
 * The OTLP http/protobuf transport: POSTs each serialized batch to the collector once and
 * classifies the answer (OTLP/HTTP specification): 2xx success (the body is the
 * ExportTraceServiceResponse), 429/502/503/504 retryable with its `Retry-After`, a connection error
 * (refused, reset, DNS) retryable, no answer within the attempt's time retryable
 * ({@link ExportTimeoutError}), anything else a failure. Retries are retrying-transport.ts's
 * business. TLS verifies the collector with the configured CA (else the system roots) and can
 * present a client certificate; gzip compresses the body. Unlike the SDK's transport
 * (opentelemetry-js-contrib#3349) it can be stopped: {@link shutdown} aborts the requests in
 * flight and refuses new ones. Its sockets and timers never hold the event loop on their own
 * (they are unref'd): a process whose own work is done ends, and the 'beforeExit' flush of
 * register.ts bounds the last export.
 *
 * @public Loaded by exporter.ts through a dynamic `import()`.
 */
export class HttpTransport implements AttemptTransport {
  private readonly target: URL;
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;
  private readonly inFlight = new Set<AbortController>();
  private readonly holdEventLoop: boolean;
  private stopped = false;

  constructor(private readonly options: HttpTransportOptions) {
    this.target = new URL(options.url);
    this.holdEventLoop = options.holdEventLoop ?? false;
    const https = this.target.protocol === 'https:';
    const { ca, key, cert } = options.tls;
    this.agent = https ? new HttpsAgent({ keepAlive: true, ca, key, cert }) : new HttpAgent({ keepAlive: true });
    this.request = https ? httpsRequest : httpRequest;
  }

  async send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    if (this.stopped) return abandonedAtShutdown();
    const body = this.options.compression === 'gzip' ? await gzipAsync(data) : data;
    return this.post(body, timeoutMillis);
  }

  /** Aborts every request in flight; later sends fail at once. Idempotent. */
  shutdown(): void {
    this.stopped = true;
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
    this.agent.destroy();
  }

  /** One POST; resolves (never rejects) with the classified answer. */
  private post(body: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    if (this.stopped) return Promise.resolve(abandonedAtShutdown());
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
      controller.signal.addEventListener('abort', () => finish(abandonedAtShutdown()), { once: true });
      const headers: Record<string, string> = {
        ...this.options.headers,
        'Content-Type': 'application/x-protobuf',
        'Content-Length': String(body.byteLength),
      };
      if (this.options.compression === 'gzip') headers['Content-Encoding'] = 'gzip';
      const req = this.request(this.target, { method: 'POST', agent: this.agent, signal: controller.signal, headers });
      if (!this.holdEventLoop) req.on('socket', (socket) => socket.unref());
      req.on('response', (res) => readResponse(res, finish));
      req.on('error', (error: Error & { code?: string }) => {
        const retryable = typeof error.code === 'string' && COLLECTOR_UNREACHABLE_CODES.has(error.code);
        finish(retryable ? { status: 'retryable', error } : { status: 'failure', error });
      });
      req.end(body);
    });
  }
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

/** `Retry-After` in milliseconds (delay-seconds or an HTTP date, RFC 9110 §10.2.3), or undefined. */
function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
