import type { ChannelOptions, Client, ClientUnaryCall, Metadata, ServiceError } from '@grpc/grpc-js';
import type { ExportResponse } from '@opentelemetry/otlp-exporter-base';
import type { ExporterTls } from './exporter-tls.js';
import { retryDelayFromStatusDetails } from './grpc-retry-info.js';
import { abandonedAtShutdown, type AttemptTransport } from './retrying-transport.js';

/** The OTLP trace export method. */
const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
/** Trailer carrying the google.rpc.Status of a failed call (with its RetryInfo). */
const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

/** gRPC status codes (grpc/status.h). */
const GrpcStatus = {
  CANCELLED: 1,
  DEADLINE_EXCEEDED: 4,
  RESOURCE_EXHAUSTED: 8,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
} as const;

/**
 * Codes worth a retry (OTLP specification, "OTLP/gRPC Response": retryable codes);
 * RESOURCE_EXHAUSTED only when the server sent a RetryInfo (it can recover then).
 */
const RETRYABLE_CODES: ReadonlySet<number> = new Set([
  GrpcStatus.CANCELLED,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.ABORTED,
  GrpcStatus.OUT_OF_RANGE,
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DATA_LOSS,
]);

/**
 * Reconnect backoff of the channel, in milliseconds. grpc-js's own grows to 120 s, so a collector
 * back after a long outage stayed unreached for up to two minutes (issue 18, item 9). Two bounds:
 * a channel found in TRANSIENT_FAILURE after an UNAVAILABLE attempt is replaced (the next attempt
 * connects at once, so export resumes with the next attempt or retry after the collector is back),
 * and the backoff of a channel is at most 5 s (±20 % jitter) in any case.
 */
const INITIAL_RECONNECT_BACKOFF_MS = 1000;
const MAX_RECONNECT_BACKOFF_MS = 5000;
/** grpc-js CompressionAlgorithms.gzip. */
const GZIP = 2;

type Grpc = typeof import('@grpc/grpc-js');

/** What {@link GrpcTransport} needs. */
export interface GrpcTransportOptions {
  /** `http://host:port` (plaintext) or `https://host:port` (TLS). */
  url: string;
  /** Metadata sent with every call (`opentelemetry.exporter.headers`). */
  metadata: Metadata;
  /** `gzip`: messages are gzip-compressed (`grpc-encoding: gzip`). */
  compression: 'none' | 'gzip';
  /** CA and client certificate for an `https://` URL (exporter-tls.ts); ignored for `http://`. */
  tls: ExporterTls;
}

/**
 * The OTLP gRPC transport: one unary `Export` call per attempt (the serialized batch is already
 * the protobuf message), the attempt's time as its deadline, classified by the OTLP specification:
 * OK success (the reply is the ExportTraceServiceResponse); CANCELLED, DEADLINE_EXCEEDED, ABORTED,
 * OUT_OF_RANGE, UNAVAILABLE (a connection refused or reset is UNAVAILABLE), DATA_LOSS retryable,
 * RESOURCE_EXHAUSTED retryable only with a RetryInfo, the RetryInfo's delay honoured; anything
 * else a failure. Retries are retrying-transport.ts's business. TLS for `https://` with the
 * configured CA (else the system roots) and client certificate; plaintext for `http://`. Unlike
 * the SDK's gRPC transport, {@link shutdown} cancels the calls in flight and closes the channel,
 * so that a collector that accepts and never answers does not keep the process alive.
 */
export class GrpcTransport implements AttemptTransport {
  private client: Client | undefined;
  private readonly calls = new Set<ClientUnaryCall>();
  private stopped = false;

  constructor(
    private readonly grpc: Grpc,
    private readonly options: GrpcTransportOptions,
  ) {}

  send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    if (this.stopped) return Promise.resolve(abandonedAtShutdown());
    let client: Client;
    try {
      client = this.client ??= this.createClient();
    } catch (error) {
      return Promise.resolve({ status: 'failure', error: error as Error });
    }
    return new Promise((resolve) => {
      const call = client.makeUnaryRequest<Buffer, Buffer>(
        EXPORT_PATH,
        (request) => request,
        (response) => response,
        Buffer.from(data.buffer, data.byteOffset, data.byteLength),
        this.options.metadata.clone(),
        { deadline: Date.now() + timeoutMillis },
        (error: ServiceError | null, response?: Buffer) => {
          this.calls.delete(call);
          if (error === null) resolve({ status: 'success', data: response });
          else if (this.stopped) resolve(abandonedAtShutdown());
          else {
            if (error.code === GrpcStatus.UNAVAILABLE) this.replaceIfBroken(client);
            resolve(classify(error));
          }
        },
      );
      this.calls.add(call);
    });
  }

  /** Cancels the calls in flight and closes the channel; later sends fail at once. Idempotent. */
  shutdown(): void {
    this.stopped = true;
    for (const call of this.calls) call.cancel();
    this.calls.clear();
    this.client?.close();
  }

  /**
   * Closes `client` when its channel waits out a reconnect backoff (TRANSIENT_FAILURE), so that the
   * next attempt opens a new channel and connects at once instead of failing until the backoff
   * ends. Calls still on the old channel end as they would anyway (UNAVAILABLE, retryable).
   */
  private replaceIfBroken(client: Client): void {
    if (this.client !== client) return;
    try {
      const state = client.getChannel().getConnectivityState(false);
      if (state !== this.grpc.connectivityState.TRANSIENT_FAILURE) return;
      this.client = undefined;
      client.close();
    } catch {
      // A channel we cannot inspect is kept: its bounded backoff still applies.
    }
  }

  private createClient(): Client {
    const target = new URL(this.options.url);
    const { ca, key, cert } = this.options.tls;
    const credentials =
      target.protocol === 'https:'
        ? this.grpc.credentials.createSsl(ca ?? null, key ?? null, cert ?? null)
        : this.grpc.credentials.createInsecure();
    const channelOptions: ChannelOptions = {
      'grpc.initial_reconnect_backoff_ms': INITIAL_RECONNECT_BACKOFF_MS,
      'grpc.max_reconnect_backoff_ms': MAX_RECONNECT_BACKOFF_MS,
      // A new channel gets a new connection: the global pool would hand it the old one, backoff and all.
      'grpc.use_local_subchannel_pool': 1,
    };
    if (this.options.compression === 'gzip') channelOptions['grpc.default_compression_algorithm'] = GZIP;
    return new this.grpc.Client(target.host, credentials, channelOptions);
  }
}

/** The attempt's outcome for a failed call. */
function classify(error: ServiceError): ExportResponse {
  const details = error.metadata?.get(STATUS_DETAILS_KEY)[0];
  const retryInMillis = retryDelayFromStatusDetails(details instanceof Buffer ? details : undefined);
  const retryable =
    RETRYABLE_CODES.has(error.code) || (error.code === GrpcStatus.RESOURCE_EXHAUSTED && retryInMillis !== undefined);
  return retryable ? { status: 'retryable', retryInMillis, error } : { status: 'failure', error };
}
