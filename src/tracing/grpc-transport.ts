import type { Client, ClientUnaryCall, Metadata, ServiceError } from '@grpc/grpc-js';
import type { ExportResponse, IExporterTransport } from '@opentelemetry/otlp-exporter-base';
import { ExportAbortedError } from './http-transport.js';

/** The OTLP trace export method. */
const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
/** gRPC status of a call cancelled by the client. */
const GRPC_CANCELLED = 1;

type Grpc = typeof import('@grpc/grpc-js');

/**
 * The OTLP gRPC transport: one unary `Export` call per serialized batch (already protobuf bytes),
 * with the export timeout as its deadline, TLS with the system roots for `https://` and plaintext
 * for `http://`, as the SDK's own gRPC transport. Unlike that one, {@link shutdown} cancels the
 * calls in flight and closes the channel, so that a collector that accepts and never answers does
 * not keep the process alive for the rest of the deadline.
 */
export class AbortableGrpcTransport implements IExporterTransport {
  private client: Client | undefined;
  private readonly calls = new Set<ClientUnaryCall>();
  private stopped = false;

  constructor(
    private readonly grpc: Grpc,
    private readonly url: string,
    private readonly metadata: Metadata,
  ) {}

  send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    if (this.stopped) return Promise.resolve(aborted());
    try {
      this.client ??= this.createClient();
    } catch (error) {
      return Promise.resolve({ status: 'failure', error: error as Error });
    }
    const client = this.client;
    return new Promise((resolve) => {
      const call = client.makeUnaryRequest<Buffer, Buffer>(
        EXPORT_PATH,
        (request) => request,
        (response) => response,
        Buffer.from(data),
        this.metadata.clone(),
        { deadline: Date.now() + timeoutMillis },
        (error: ServiceError | null, response?: Buffer) => {
          this.calls.delete(call);
          if (error === null) resolve({ status: 'success', data: response });
          else if (this.stopped && error.code === GRPC_CANCELLED) resolve(aborted());
          else resolve({ status: 'failure', error });
        },
      );
      this.calls.add(call);
    });
  }

  /** Shutdown has begun. Nothing to do: this transport does not retry (see http-transport.ts). */
  drain(): void {}

  /** Cancels the calls in flight and closes the channel; later sends fail at once. Idempotent. */
  shutdown(): void {
    this.stopped = true;
    for (const call of this.calls) call.cancel();
    this.calls.clear();
    this.client?.close();
  }

  private createClient(): Client {
    const target = new URL(this.url);
    const credentials =
      target.protocol === 'https:' ? this.grpc.credentials.createSsl() : this.grpc.credentials.createInsecure();
    return new this.grpc.Client(target.host, credentials);
  }
}

function aborted(): ExportResponse {
  return { status: 'failure', error: new ExportAbortedError('export abandoned at shutdown') };
}
