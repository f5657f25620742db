/**
 * A transparent HTTP/2 relay in front of a loopback gRPC server, for the test receiver: grpc-js
 * strips `grpc-encoding` before any handler or interceptor sees it, so the relay records it (and
 * passes it on as the `x-tap-grpc-encoding` metadata), and it serves the public port, plaintext or
 * TLS (optionally requiring a client certificate), so that going down and up again is closing and
 * reopening it. Streams are relayed as they are: headers, message frames (compressed or not),
 * trailers, trailers-only error answers, and cancellation both ways.
 */
import {
  connect,
  constants,
  createSecureServer,
  createServer,
  type ClientHttp2Session,
  type Http2SecureServer,
  type Http2Server,
  type Http2Session,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo } from 'node:net';

/** The metadata key carrying the request's `grpc-encoding` to the gRPC handler. */
export const TAP_ENCODING_KEY = 'x-tap-grpc-encoding';

/** TLS of the public side. */
export interface TapTls {
  key: Buffer;
  cert: Buffer;
  /** With it, a client certificate signed by it is required. */
  clientCa?: Buffer;
}

/** A running relay. */
export interface Http2Tap {
  port: number;
  /** TLS handshakes refused (no or an untrusted client certificate). */
  tlsRejections(): number;
  /** Stops listening and drops every connection (connection refused from now on). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/** Headers without the HTTP/2 pseudo-headers (`:status` kept when `keepStatus`). */
function plain(headers: IncomingHttpHeaders, keepStatus = false): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') && !(keepStatus && name === ':status')) continue;
    out[name] = value;
  }
  return out;
}

/** Starts a relay on 127.0.0.1 (free port) to the h2c server on `upstreamPort`. */
export async function startHttp2Tap(upstreamPort: number, tls?: TapTls): Promise<Http2Tap> {
  let upstream: ClientHttp2Session | undefined;
  const session = (): ClientHttp2Session => {
    if (upstream === undefined || upstream.closed || upstream.destroyed) {
      upstream = connect(`http://127.0.0.1:${upstreamPort}`);
      upstream.on('error', () => undefined);
    }
    return upstream;
  };
  const sessions = new Set<Http2Session>();
  let tlsRejections = 0;

  const relay = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void => {
    stream.on('error', () => undefined);
    const forward = plain(headers);
    forward[':method'] = headers[':method'];
    forward[':path'] = headers[':path'];
    forward[TAP_ENCODING_KEY] = String(headers['grpc-encoding'] ?? 'identity');
    const request = session().request(forward);
    request.on('error', () => undefined);
    let trailers: OutgoingHttpHeaders = {};
    request.on('response', (answer, flags) => {
      if (stream.destroyed) return;
      const trailersOnly = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
      stream.respond(plain(answer, true), trailersOnly ? { endStream: true } : { waitForTrailers: true });
      if (!trailersOnly) request.pipe(stream);
    });
    request.on('trailers', (received) => (trailers = plain(received)));
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    stream.pipe(request);
    stream.on('close', () => {
      if (!request.closed) request.close(constants.NGHTTP2_CANCEL);
    });
    request.on('close', () => {
      if (!stream.closed && !stream.headersSent) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    });
  };

  const server: Http2Server | Http2SecureServer =
    tls === undefined
      ? createServer()
      : createSecureServer({
          key: tls.key,
          cert: tls.cert,
          ...(tls.clientCa === undefined ? {} : { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true }),
        });
  server.on('stream', relay);
  server.on('session', (s: Http2Session) => {
    sessions.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sessions.delete(s));
  });
  server.on('tlsClientError', () => tlsRejections++);

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  const down = async (): Promise<void> => {
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sessions) s.destroy();
    sessions.clear();
    await closed;
  };
  return {
    port,
    tlsRejections: () => tlsRejections,
    down,
    up: () => listen(port),
    async close() {
      await down();
      upstream?.destroy();
    },
  };
}
