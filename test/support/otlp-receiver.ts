/**
 * A loopback OTLP trace receiver for tests: http/protobuf on POST /v1/traces and gRPC
 * (opentelemetry.proto.collector.trace.v1.TraceService/Export). Requests are decoded with the
 * official OTLP .proto files (opentelemetry-proto, as shipped in the npm package
 * @opentelemetry/otlp-grpc-exporter-base@0.38.0, installed under the alias otlp-official-protos),
 * never by string search. It records every request's headers (gRPC: metadata) and spans, and can
 * fail (5xx / UNAVAILABLE), delay or hang its answers, or go down (connection refused) and come
 * back on the same port, to play a broken collector.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

const TRACE_SERVICE_PROTO = 'opentelemetry/proto/collector/trace/v1/trace_service.proto';
const REQUEST_TYPE = 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest';
const RESPONSE_TYPE = 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse';

/** How the receiver answers. */
export type ReceiverMode =
  | { kind: 'ok' }
  | { kind: 'fail' } // HTTP 503 / gRPC UNAVAILABLE
  | { kind: 'delay'; ms: number }
  | { kind: 'hang' }; // never answers (until close)

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
  cachedRoot = root;
  return root;
}

const CONVERSION = { longs: Number, enums: Number, bytes: String, defaults: false, oneofs: true } as const;

/** Decodes an http/protobuf body into plain objects (same shape as proto-loader's gRPC objects). */
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

/** Starts an http/protobuf receiver on 127.0.0.1 (free port); its url ends in /v1/traces. */
export async function startHttpReceiver(mode: ReceiverMode = { kind: 'ok' }): Promise<OtlpReceiver> {
  const recorder = createRecorder();
  let current = mode;
  const pending = new Set<ServerResponse>();
  const responseBody = (() => {
    const type = loadRoot().lookupType(RESPONSE_TYPE);
    return Buffer.from(type.encode(type.create({})).finish());
  })();
  let attempts = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
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
      const answer = current;
      if (answer.kind === 'fail') {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
        return;
      }
      recorder.requests.push({ headers, spans: flattenSpans(decodeExportRequest(Buffer.concat(chunks))) });
      const reply = () => {
        pending.delete(res);
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(responseBody);
      };
      pending.add(res);
      if (answer.kind === 'ok') reply();
      else if (answer.kind === 'delay') setTimeout(reply, answer.ms).unref();
    });
  });
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
    url: `http://127.0.0.1:${port}/v1/traces`,
    setMode(next) {
      current = next;
    },
    attempts: () => attempts,
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

/** Starts a gRPC receiver on 127.0.0.1 (free port), insecure; its url is http://127.0.0.1:port. */
export async function startGrpcReceiver(mode: ReceiverMode = { kind: 'ok' }): Promise<OtlpReceiver> {
  const recorder = createRecorder();
  let current = mode;
  const definition = protoLoader.loadSync(TRACE_SERVICE_PROTO, { includeDirs: [protoDir()], ...CONVERSION });
  const loaded = grpc.loadPackageDefinition(definition) as PlainObject;
  const service = loaded.opentelemetry.proto.collector.trace.v1.TraceService.service as grpc.ServiceDefinition;
  let attempts = 0;
  const handlers = {
    Export(call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) {
      attempts++;
      const answer = current;
      if (answer.kind === 'fail') {
        callback({ code: grpc.status.UNAVAILABLE, details: 'unavailable' });
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(call.metadata.getMap())) headers[k.toLowerCase()] = String(v);
      recorder.requests.push({ headers, spans: flattenSpans(call.request) });
      if (answer.kind === 'ok') callback(null, {});
      else if (answer.kind === 'delay') setTimeout(() => callback(null, {}), answer.ms).unref();
    },
  };
  const bind = async (wanted: number): Promise<{ server: grpc.Server; port: number }> => {
    const server = new grpc.Server();
    server.addService(service, handlers);
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${wanted}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    return { server, port: bound };
  };
  let { server, port } = await bind(0);
  let running = true;
  return {
    ...recorder,
    url: `http://127.0.0.1:${port}`,
    setMode(next) {
      current = next;
    },
    attempts: () => attempts,
    async down() {
      server.forceShutdown();
      running = false;
    },
    async up() {
      ({ server, port } = await bind(port));
      running = true;
    },
    async close() {
      if (running) server.forceShutdown();
      running = false;
    },
  };
}
