/**
 * The one retry policy of the OTLP exporter, shared by both protocols. A transport
 * (http-transport.ts, grpc-transport.ts) only makes one attempt and classifies it: `success`,
 * `retryable` (with the collector's own retry delay when it gave one) or `failure`; this wrapper
 * decides whether and when to try again, as upstream keeps its `retrying-transport` apart from its
 * transports (@opentelemetry/otlp-exporter-base).
 *
 * The rule (OTLP specification, "Retrying" / "OTLP/HTTP Throttling" / "OTLP/gRPC Throttling";
 * the values are those of the OpenTelemetry JS and Java exporters): a retryable attempt is retried
 * with exponential backoff and jitter (first wait 1 s ± 20 %, then × 1.5 each time, at most 5 s,
 * at most 5 retries), or after the delay the collector asked for (HTTP `Retry-After`, gRPC
 * `google.rpc.RetryInfo`), and only while the wait ends before the export's deadline: every attempt
 * and every wait of one export fit in `opentelemetry.exporter.timeout_ms`.
 *
 * Shutdown: {@link RetryingTransport.drain} (shutdown has begun) makes a retryable result final and
 * ends the waits under way, so the last exports spend shutdown's budget on sending, not on waiting
 * out a collector that is down; such an export ends with its last attempt's error (a refused
 * connection is counted as `unavailable`). {@link RetryingTransport.shutdown} (shutdown's budget
 * is spent) also aborts the attempts in flight: those exports end with {@link ExportAbortedError}
 * (counted as `shutdown`), and nothing of the exporter keeps the event loop alive afterwards.
 */
import type { ExportResponse, ExportResponseFailure, ExportResponseSuccess } from '@opentelemetry/otlp-exporter-base';

/** One attempt of an export, classified by the transport that made it. */
export interface AttemptTransport {
  /**
   * Sends `data` once, waiting at most `timeoutMillis` for the answer. Resolves, never rejects:
   * `success` (with the response body), `retryable` (`retryInMillis` when the collector said when
   * to try again) or `failure`.
   */
  send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse>;
  /**
   * Aborts the attempts in flight (they resolve as failures with {@link ExportAbortedError}),
   * releases sockets and channels, and makes later attempts fail at once. Idempotent.
   */
  shutdown(): void;
}

/** How retries are spaced; see {@link DEFAULT_RETRY_POLICY}. */
export interface RetryPolicy {
  /** Attempts after the first one, at most. */
  maxRetries: number;
  /** Wait before the first retry, in milliseconds (before jitter). */
  initialBackoffMs: number;
  /** Longest wait between two attempts, in milliseconds (after jitter). */
  maxBackoffMs: number;
  /** Factor by which the wait grows after each retry. */
  backoffMultiplier: number;
  /** Relative jitter: each wait is drawn uniformly from ±`jitter` around the backoff. */
  jitter: number;
}

/** The OpenTelemetry JS / Java exporters' policy: 1 s, ×1.5, at most 5 s, 5 retries, ±20 % jitter. */
const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 5,
  initialBackoffMs: 1000,
  maxBackoffMs: 5000,
  backoffMultiplier: 1.5,
  jitter: 0.2,
});

/** The error of an export abandoned at shutdown ({@link RetryingTransport.shutdown}). */
class ExportAbortedError extends Error {
  override readonly name = 'ExportAbortedError';
  /** Read by export-health.ts for the `reason` label of failed spans. */
  readonly reason = 'shutdown';
}

/** The error of an attempt that got no answer within the time it had. */
export class ExportTimeoutError extends Error {
  override readonly name = 'ExportTimeoutError';
  /** Read by export-health.ts for the `reason` label of failed spans. */
  readonly reason = 'timeout';
}

/** A failure of an export abandoned at shutdown. */
export function abandonedAtShutdown(): ExportResponseFailure {
  return { status: 'failure', error: new ExportAbortedError('export abandoned at shutdown') };
}

/** How a wait ended. */
type WaitEnd = 'slept' | 'drained' | 'stopped';

/** Retries the attempts of an {@link AttemptTransport} as the module comment says. */
export class RetryingTransport {
  private readonly policy: Readonly<RetryPolicy>;
  private readonly holdEventLoop: boolean;
  /** Retry waits under way; each ends early when woken by drain() or shutdown(). */
  private readonly waits = new Set<(end: WaitEnd) => void>();
  private draining = false;
  private stopped = false;

  /**
   * @param options.holdEventLoop keep the retry timers referenced, for a caller that awaits an
   *   export itself (the `doctor` command); the tracing pipeline leaves it false, so that an export
   *   never keeps the process alive on its own.
   */
  constructor(
    private readonly transport: AttemptTransport,
    options: { policy?: Readonly<RetryPolicy>; holdEventLoop?: boolean } = {},
  ) {
    this.policy = options.policy ?? DEFAULT_RETRY_POLICY;
    this.holdEventLoop = options.holdEventLoop ?? false;
  }

  /** Sends `data`, retrying within `timeoutMillis` in all; never rejects. */
  async send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponseSuccess | ExportResponseFailure> {
    if (this.stopped) return abandonedAtShutdown();
    const deadline = performance.now() + timeoutMillis;
    let backoff = this.policy.initialBackoffMs;
    let response = await this.transport.send(data, timeoutMillis);
    for (let retry = 0; retry < this.policy.maxRetries && response.status === 'retryable'; retry++) {
      if (this.draining) break;
      const wait = response.retryInMillis ?? this.jittered(backoff);
      backoff *= this.policy.backoffMultiplier;
      if (wait >= deadline - performance.now()) break;
      const end = await this.wait(wait);
      if (end === 'stopped') return abandonedAtShutdown();
      if (end === 'drained') break;
      response = await this.transport.send(data, Math.max(1, deadline - performance.now()));
    }
    if (response.status !== 'retryable') return response;
    return { status: 'failure', error: response.error ?? new Error('the collector asked for a retry') };
  }

  /**
   * Shutdown has begun: from now on a retryable result is final, and the waits under way end now
   * (their exports end with their last attempt's error). Idempotent.
   */
  drain(): void {
    this.draining = true;
    for (const wake of [...this.waits]) wake('drained');
  }

  /**
   * Shutdown's budget is spent: the attempts in flight and the waits under way are abandoned
   * ({@link ExportAbortedError}), later sends fail at once, the transport is shut down. Idempotent.
   */
  shutdown(): void {
    this.stopped = true;
    this.draining = true;
    for (const wake of [...this.waits]) wake('stopped');
    this.transport.shutdown();
  }

  /** `backoff` with ±jitter, never above the longest wait. */
  private jittered(backoff: number): number {
    const { jitter, maxBackoffMs } = this.policy;
    const factor = 1 + (Math.random() * 2 - 1) * jitter;
    return Math.max(0, Math.min(backoff * factor, maxBackoffMs));
  }

  /** Waits `ms` (an unref'd timer unless holdEventLoop), or until drain() / shutdown(). */
  private wait(ms: number): Promise<WaitEnd> {
    if (this.stopped) return Promise.resolve('stopped');
    if (this.draining) return Promise.resolve('drained');
    return new Promise((resolve) => {
      const wake = (end: WaitEnd): void => {
        clearTimeout(timer);
        this.waits.delete(wake);
        resolve(end);
      };
      const timer = setTimeout(() => wake('slept'), ms);
      if (!this.holdEventLoop) timer.unref();
      this.waits.add(wake);
    });
  }
}
