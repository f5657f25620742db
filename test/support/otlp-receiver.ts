/**
 * A loopback OTLP trace receiver for tests: http/protobuf on POST /v1/traces and gRPC
 * (opentelemetry.proto.collector.trace.v1.TraceService/Export). Requests are decoded with the
 * official OTLP .proto files (opentelemetry-proto, as shipped in the npm package
 * @opentelemetry/otlp-grpc-exporter-base@0.38.0, installed under the alias otlp-official-protos),
 * never by string search. It records every request's headers (gRPC: metadata), its encoding
 * (gzip or none) and spans, and can fail (any HTTP status / gRPC code, with `Retry-After` or a
 * google.rpc.RetryInfo, for ever or for the next n requests), answer with a partial success,
 * delay or hang its answers, or go down (connection refused) and come back on the same port, to
 * play a broken collector. Either protocol can serve TLS, optionally requiring a client
 * certificate (mutual TLS).
 */
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { startHttp2Tap, TAP_ENCODING_KEY } from './http2-tap.js';

const TRACE_SERVICE_PROTO = 'opentelemetry/proto/collector/trace/v1/trace_service.proto';
const REQUEST_TYPE = 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest';
const RESPONSE_TYPE = 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse';

/** How the receiver answers. */
export type ReceiverMode =
  | { kind: 'ok' }
  | {
      /** Fails: HTTP `status` (default 503) / gRPC `grpcCode` (default UNAVAILABLE). */
      kind: 'fail';
      status?: number;
      grpcCode?: number;
      /** HTTP `Retry-After` header value. */
      retryAfter?: string;
      /** gRPC: a google.rpc.RetryInfo with this retry_delay in the status details. */
      retryDelayMs?: number;
      /** Fail only the next `times` requests, then answer ok (default: every request). */
      times?: number;
    }
  /** Records the spans and answers with `partial_success { rejected_spans, error_message }`. */
  | { kind: 'partial'; rejected: number; message: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'hang' }; // never answers (until close)

/** TLS of a receiver: its key and certificate (PEM), and the CA its clients must be signed by. */
export interface ReceiverTls {
  key: Buffer;
  cert: Buffer;
  /** With `ca`: a client certificate signed by it is required (mutual TLS). */
  clientCa?: Buffer;
}

/** Options of a receiver. */
export interface ReceiverOptions {
  /** Serve https:// / TLS gRPC instead of plaintext. */
  tls?: ReceiverTls;
}

/** One decoded span, ids in lower-case hex, attributes flattened to plain values. */
export interface ReceivedSpan {
  name: string;
  traceId: string;
  spanId: string;
  /** Empty string for a root span. */
  parentSpanId: string;
  /** OTLP SpanKind number (1 internal, 2 server, 3 client, ...). */
  kind: number;
  attributes: Record<string, unknown>;
  status: { code: number; message: string };
  resource: Record<string, unknown>;
  scope: string;
  /** Instrumentation scope version ('' when none). */
  scopeVersion: string;
  /** Start and end, in ns since the epoch. */
  startTimeUnixNano: number;
  endTimeUnixNano: number;
  /** W3C trace flags of the span (OTLP `flags`, low byte). */
  traceFlags: number;
  traceState: string;
  events: Array<{
    name: string;
    timeUnixNano: number;
    attributes: Record<string, unknown>;
    droppedAttributesCount: number;
  }>;
  links: Array<{
    traceId: string;
    spanId: string;
    attributes: Record<string, unknown>;
    droppedAttributesCount: number;
  }>;
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
}

/** One export request as received. */
export interface ReceivedRequest {
  /** Lower-cased header (or gRPC metadata) names. */
  headers: Record<string, string>;
  /** `content-encoding` (http) / `grpc-encoding` (gRPC) of the request: 'gzip', or 'identity' when none. */
  encoding: string;
  /** When it arrived (performance.now()). */
  receivedAt: number;
  spans: ReceivedSpan[];
}

/** A running receiver. */
export interface OtlpReceiver {
  /** The URL to configure as `opentelemetry.exporter.endpoint`. */
  url: string;
  requests: ReceivedRequest[];
  /** Every span received so far. */
  spans(): ReceivedSpan[];
  /** Resolves once `count` spans arrived, or with what arrived when `timeoutMs` ran out. */
  waitForSpans(count: number, timeoutMs?: number): Promise<ReceivedSpan[]>;
  setMode(mode: ReceiverMode): void;
  /** Export requests that reached the receiver in any mode (failed and hung ones included). */
  attempts(): number;
  /** TLS connections the receiver refused in the handshake (no or an untrusted client certificate). */
  tlsRejections(): number;
  /** Stops listening (connection refused), dropping open connections; the port stays reserved for up(). */
  down(): Promise<void>;
  /** Listens again on the same port after down(). */
  up(): Promise<void>;
  close(): Promise<void>;
}

function protoDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('otlp-official-protos/package.json')), 'build', 'protos');
}

let cachedRoot: protobuf.Root | undefined;
function loadRoot(): protobuf.Root {
  if (cachedRoot !== undefined) return cachedRoot;
  const dir = protoDir();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(dir, target);
  root.loadSync(TRACE_SERVICE_PROTO, { keepCase: false });
  addPartialSuccess(root);
  cachedRoot = root;
  return root;
}

/**
 * The files of the 0.38 package predate OTLP partial success: ExportTraceServiceResponse is empty
 * there. Adds `ExportTracePartialSuccess partial_success = 1` (`int64 rejected_spans = 1`,
 * `string error_message = 2`) as opentelemetry-proto's collector/trace/v1/trace_service.proto
 * defines them since v0.19, unless the loaded schema already has it.
 */
function addPartialSuccess(root: protobuf.Root): void {
  const response = root.lookupType(RESPONSE_TYPE);
  if (response.fields.partialSuccess !== undefined) return;
  const partial = new protobuf.Type('ExportTracePartialSuccess')
    .add(new protobuf.Field('rejectedSpans', 1, 'int64'))
    .add(new protobuf.Field('errorMessage', 2, 'string'));
  (root.lookup('opentelemetry.proto.collector.trace.v1') as protobuf.Namespace).add(partial);
  response.add(new protobuf.Field('partialSuccess', 1, 'ExportTracePartialSuccess'));
}

const CONVERSION = { longs: Number, enums: Number, bytes: String, defaults: false, oneofs: true } as const;

/**
 * google.rpc.Status, google.rpc.RetryInfo and the two well-known types they use, with the field
 * numbers of googleapis' google/rpc/status.proto and error_details.proto (the gRPC status details
 * a server sends in `grpc-status-details-bin`).
 */
const RPC_ROOT = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
            Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
            RetryInfo: { fields: { retry_delay: { type: 'google.protobuf.Duration', id: 1 } } },
          },
        },
      },
    },
  },
});

/** The `grpc-status-details-bin` value of a status `code` carrying a RetryInfo of `delayMs`. */
export function encodeRetryInfoStatus(code: number, message: string, delayMs: number): Buffer {
  const retryInfo = RPC_ROOT.lookupType('google.rpc.RetryInfo');
  const status = RPC_ROOT.lookupType('google.rpc.Status');
  const value = retryInfo
    .encode(
      retryInfo.create({
        retry_delay: { seconds: Math.floor(delayMs / 1000), nanos: Math.round((delayMs % 1000) * 1e6) },
      }),
    )
    .finish();
  return Buffer.from(
    status
      .encode(
        status.create({ code, message, details: [{ type_url: 'type.googleapis.com/google.rpc.RetryInfo', value }] }),
      )
      .finish(),
  );
}

/** An ExportTraceServiceResponse, empty or with a partial success. */
function encodeExportResponse(partial?: { rejected: number; message: string }): Buffer {
  const type = loadRoot().lookupType(RESPONSE_TYPE);
  const body =
    partial === undefined ? {} : { partialSuccess: { rejectedSpans: partial.rejected, errorMessage: partial.message } };
  return Buffer.from(type.encode(type.fromObject(body)).finish());
}

/** The answer to the next request, counting down a `fail` mode limited by `times`. */
function takeAnswer(state: { mode: ReceiverMode }): ReceiverMode {
  const answer = state.mode;
  if (answer.kind === 'fail' && answer.times !== undefined) {
    state.mode = answer.times <= 1 ? { kind: 'ok' } : { ...answer, times: answer.times - 1 };
  }
  return answer;
}

/** Decodes an ExportTraceServiceRequest (http/protobuf body, gRPC message) into plain objects. */
export function decodeExportRequest(body: Uint8Array): unknown {
  const type = loadRoot().lookupType(REQUEST_TYPE);
  return type.toObject(type.decode(body), CONVERSION);
}

type PlainObject = Record<string, any>;

function hex(base64: unknown): string {
  return typeof base64 === 'string' ? Buffer.from(base64, 'base64').toString('hex') : '';
}

function anyValue(value: PlainObject | undefined): unknown {
  if (value === undefined || value === null) return undefined;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return value.doubleValue;
  if ('arrayValue' in value) return ((value.arrayValue?.values ?? []) as PlainObject[]).map(anyValue);
  if ('kvlistValue' in value) return keyValues(value.kvlistValue?.values);
  if ('bytesValue' in value) return value.bytesValue;
  return undefined;
}

function keyValues(list: PlainObject[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) out[kv.key as string] = anyValue(kv.value);
  return out;
}

/** Flattens a decoded ExportTraceServiceRequest into spans. */
export function flattenSpans(request: unknown): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of ((request as PlainObject).resourceSpans ?? []) as PlainObject[]) {
    const resource = keyValues(rs.resource?.attributes);
    for (const ss of (rs.scopeSpans ?? []) as PlainObject[]) {
      const scope = (ss.scope?.name ?? '') as string;
      const scopeVersion = (ss.scope?.version ?? '') as string;
      for (const span of (ss.spans ?? []) as PlainObject[]) {
        spans.push({
          name: span.name as string,
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: hex(span.parentSpanId),
          kind: Number(span.kind ?? 0),
          attributes: keyValues(span.attributes),
          status: { code: Number(span.status?.code ?? 0), message: (span.status?.message ?? '') as string },
          resource,
          scope,
          scopeVersion,
          startTimeUnixNano: Number(span.startTimeUnixNano ?? 0),
          endTimeUnixNano: Number(span.endTimeUnixNano ?? 0),
          traceFlags: Number(span.flags ?? 0) & 0xff,
          traceState: (span.traceState ?? '') as string,
          events: ((span.events ?? []) as PlainObject[]).map((event) => ({
            name: event.name as string,
            timeUnixNano: Number(event.timeUnixNano ?? 0),
            attributes: keyValues(event.attributes),
            droppedAttributesCount: Number(event.droppedAttributesCount ?? 0),
          })),
          links: ((span.links ?? []) as PlainObject[]).map((link) => ({
            traceId: hex(link.traceId),
            spanId: hex(link.spanId),
            attributes: keyValues(link.attributes),
            droppedAttributesCount: Number(link.droppedAttributesCount ?? 0),
          })),
          droppedAttributesCount: Number(span.droppedAttributesCount ?? 0),
          droppedEventsCount: Number(span.droppedEventsCount ?? 0),
          droppedLinksCount: Number(span.droppedLinksCount ?? 0),
        });
      }
    }
  }
  return spans;
}

function createRecorder(): Pick<OtlpReceiver, 'requests' | 'spans' | 'waitForSpans'> {
  const requests: ReceivedRequest[] = [];
  const spans = () => requests.flatMap((r) => r.spans);
  return {
    requests,
    spans,
    async waitForSpans(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (spans().length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      return spans();
    },
  };
}

/** Starts an http/protobuf receiver on 127.0.0.1 (free port); its url ends in /v1/traces (https:// with `tls`). */
export async function startHttpReceiver(
  mode: ReceiverMode = { kind: 'ok' },
  options: ReceiverOptions = {},
): Promise<OtlpReceiver> {
  const recorder = createRecorder();
  const state = { mode };
  const pending = new Set<ServerResponse>();
  let attempts = 0;
  let tlsRejections = 0;
  const handler: RequestListener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      attempts++;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : (v ?? '');
      const answer = takeAnswer(state);
      if (answer.kind === 'fail') {
        const extra: Record<string, string> =
          answer.retryAfter === undefined ? {} : { 'retry-after': answer.retryAfter };
        res.writeHead(answer.status ?? 503, { 'content-type': 'text/plain', ...extra }).end('unavailable');
        return;
      }
      const encoding = headers['content-encoding'] ?? 'identity';
      const raw = Buffer.concat(chunks);
      const body = encoding === 'gzip' ? gunzipSync(raw) : raw;
      recorder.requests.push({
        headers,
        encoding,
        receivedAt: performance.now(),
        spans: flattenSpans(decodeExportRequest(body)),
      });
      const responseBody = encodeExportResponse(answer.kind === 'partial' ? answer : undefined);
      const reply = () => {
        pending.delete(res);
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(responseBody);
      };
      pending.add(res);
      if (answer.kind === 'ok' || answer.kind === 'partial') reply();
      else if (answer.kind === 'delay') setTimeout(reply, answer.ms).unref();
    });
  };
  const tls = options.tls;
  const server =
    tls === undefined
      ? createServer(handler)
      : createHttpsServer(
          {
            key: tls.key,
            cert: tls.cert,
            ...(tls.clientCa === undefined ? {} : { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true }),
          },
          handler,
        );
  server.on('tlsClientError', () => tlsRejections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const stop = async (): Promise<void> => {
    for (const res of pending) res.destroy();
    pending.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  };
  return {
    ...recorder,
    url: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}/v1/traces`,
    setMode(next) {
      state.mode = next;
    },
    attempts: () => attempts,
    tlsRejections: () => tlsRejections,
    down: stop,
    async up() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    },
    async close() {
      if (server.listening) await stop();
    },
  };
}

/**
 * Starts a gRPC receiver on 127.0.0.1 (free port): a grpc-js server behind an HTTP/2 relay
 * (http2-tap.ts) that serves the public port, plaintext (url http://127.0.0.1:port) or TLS with
 * `tls` (https://127.0.0.1:port), and records each request's `grpc-encoding`.
 */
export async function startGrpcReceiver(
  mode: ReceiverMode = { kind: 'ok' },
  options: ReceiverOptions = {},
): Promise<OtlpReceiver> {
  const recorder = createRecorder();
  const state = { mode };
  // The TraceService's one method, (de)serialized with the same official schema as http/protobuf.
  const service: grpc.ServiceDefinition = {
    Export: {
      path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      requestStream: false,
      responseStream: false,
      requestSerialize: () => Buffer.alloc(0), // a receiver never sends requests
      requestDeserialize: (bytes: Buffer) => decodeExportRequest(bytes),
      responseSerialize: (partial: { rejected: number; message: string } | undefined) => encodeExportResponse(partial),
      responseDeserialize: (bytes: Buffer) => bytes,
    },
  };
  let attempts = 0;
  const handlers = {
    Export(call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) {
      attempts++;
      const answer = takeAnswer(state);
      if (answer.kind === 'fail') {
        const code = answer.grpcCode ?? grpc.status.UNAVAILABLE;
        const metadata = new grpc.Metadata();
        if (answer.retryDelayMs !== undefined)
          metadata.set('grpc-status-details-bin', encodeRetryInfoStatus(code, 'try later', answer.retryDelayMs));
        callback({ code, details: 'refused by the test receiver', metadata });
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(call.metadata.getMap())) headers[k.toLowerCase()] = String(v);
      const encoding = headers[TAP_ENCODING_KEY] ?? 'unknown';
      delete headers[TAP_ENCODING_KEY];
      recorder.requests.push({
        headers,
        encoding,
        receivedAt: performance.now(),
        spans: flattenSpans(call.request),
      });
      if (answer.kind === 'ok') callback(null, undefined);
      else if (answer.kind === 'partial') callback(null, answer);
      else if (answer.kind === 'delay') setTimeout(() => callback(null, undefined), answer.ms).unref();
    },
  };
  const server = new grpc.Server();
  server.addService(service, handlers);
  const internalPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  const tap = await startHttp2Tap(internalPort, options.tls);
  return {
    ...recorder,
    url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${tap.port}`,
    setMode(next) {
      state.mode = next;
    },
    attempts: () => attempts,
    tlsRejections: () => tap.tlsRejections(),
    down: () => tap.down(),
    up: () => tap.up(),
    async close() {
      await tap.close();
      server.forceShutdown();
    },
  };
}
