/**
 * The collector checks of `grey-observability doctor`: does the configured protocol match the
 * endpoint's well-known port, does anything listen there, and does the collector take one test
 * span sent exactly as the service would send it (protocol, endpoint, headers, timeout).
 * Failures are put into words with the fix; nothing here throws.
 */
import { connect as connectHttp2 } from 'node:http2';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as connectTcp } from 'node:net';
import { ExportResultCode } from '@opentelemetry/core';
import { TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { ObservabilityConfig } from '../config/types.js';
import { isObservabilityError } from '../errors.js';
import { createSpanExporter, loadExporterModules, resolveExporterEndpoint } from '../tracing/exporter.js';
import { withIsolatedOtelEnv } from '../tracing/isolated-env.js';
import { buildResource } from '../tracing/resource.js';
import type { DoctorCheck } from './doctor-report.js';

/** The OTLP ports collectors listen on by default (OpenTelemetry Collector, Jaeger, Tempo). */
const WELL_KNOWN_PORTS = { grpc: 4317, 'http/protobuf': 4318 } as const;

/** How long the low-level probes (TCP connect, protocol sniffing) wait, in milliseconds. */
const PROBE_TIMEOUT_MS = 3000;

/** Errors (Node.js codes, OpenSSL and grpc-js messages) of a TLS handshake or certificate check. */
const TLS_FAILURE =
  /CERT_|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|certificate|handshake|ssl|alert|Hostname\/IP does not match/i;

/** Name of the test span the doctor sends. */
const DOCTOR_SPAN_NAME = 'grey.doctor.test_span';

interface Target {
  url: URL;
  host: string;
  port: number;
}

function targetOf(config: ObservabilityConfig): Target {
  const url = new URL(resolveExporterEndpoint(config.opentelemetry.exporter));
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { url, host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

/** The protocol and the endpoint's port agree (4317 grpc, 4318 http/protobuf); a warning otherwise. */
export function checkProtocolPort(config: ObservabilityConfig): DoctorCheck {
  const { protocol } = config.opentelemetry.exporter;
  let target: Target;
  try {
    target = targetOf(config);
  } catch {
    return { status: 'skip', title: 'exporter protocol and endpoint port', detail: 'the endpoint is not a URL' };
  }
  const { url, port } = target;
  const expected = WELL_KNOWN_PORTS[protocol];
  const other = protocol === 'grpc' ? 'http/protobuf' : 'grpc';
  const title = 'exporter protocol and endpoint port';
  if (port === WELL_KNOWN_PORTS[other]) {
    return {
      status: 'warn',
      title,
      detail: `protocol ${protocol} is configured, but port ${port} of ${url.origin} is the usual ${other} port`,
      fix: `use protocol ${other} (opentelemetry.exporter.protocol, GREY_OTEL_EXPORTER_PROTOCOL), or point the endpoint at the collector's ${protocol} port (usually ${expected})`,
    };
  }
  if (port !== expected) {
    return {
      status: 'ok',
      title,
      detail: `protocol ${protocol} on port ${port} (not the usual ${expected}: fine when your collector listens there)`,
    };
  }
  return { status: 'ok', title, detail: `protocol ${protocol} on port ${port}` };
}

/** Result of a TCP connect to the endpoint. */
type Reach = { ok: true; ms: number } | { ok: false; check: DoctorCheck };

function probeTcp(target: Target, title: string): Promise<Reach> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connectTcp({ host: target.host, port: target.port });
    const finish = (reach: Reach) => {
      socket.destroy();
      resolve(reach);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () =>
      finish({
        ok: false,
        check: {
          status: 'fail',
          title,
          detail: `no answer from ${target.host}:${target.port} within ${PROBE_TIMEOUT_MS} ms (a firewall drops the packets, or the host is down)`,
          fix: 'check the host and port, and that the network allows this connection',
        },
      }),
    );
    socket.once('connect', () => finish({ ok: true, ms: performance.now() - started }));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      finish({ ok: false, check: describeSocketError(err, target, title) }),
    );
  });
}

function describeSocketError(err: NodeJS.ErrnoException, target: Target, title: string): DoctorCheck {
  const where = `${target.host}:${target.port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return {
        status: 'fail',
        title,
        detail: `connection refused: nothing listens on ${where}`,
        fix: 'start the collector (docs/local-traces.md shows one), or set opentelemetry.exporter.endpoint (GREY_OTEL_EXPORTER_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT) to where it listens',
      };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return {
        status: 'fail',
        title,
        detail: `the host name ${target.host} does not resolve (${err.code})`,
        fix: 'fix the host in opentelemetry.exporter.endpoint; inside Kubernetes use the collector Service name, e.g. http://otel-collector.observability:4317',
      };
    default:
      return {
        status: 'fail',
        title,
        detail: `cannot connect to ${where}: ${err.code ?? err.message}`,
        fix: 'check the host and port of opentelemetry.exporter.endpoint',
      };
  }
}

/** What one test span export gave. */
interface ExportOutcome {
  ok: boolean;
  ms: number;
  error?: unknown;
  /** The collector acknowledged the export but rejected the span (OTLP partial success). */
  rejected?: { message: string };
}

async function exportTestSpan(config: ObservabilityConfig): Promise<ExportOutcome> {
  const exporterConfig = config.opentelemetry.exporter;
  const modules = await loadExporterModules(exporterConfig.protocol);
  const ended: ReadableSpan[] = [];
  const capture: SpanProcessor = {
    onStart() {},
    onEnd(span) {
      ended.push(span);
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const { exporter, provider } = withIsolatedOtelEnv(() => ({
    exporter: createSpanExporter(exporterConfig, modules, { holdEventLoop: true }).exporter,
    provider: new TracerProvider({ resource: buildResource(config), spanProcessors: [capture] }),
  }));
  provider
    .getTracer('@grey/observability doctor')
    .startSpan(DOCTOR_SPAN_NAME, { attributes: { 'grey.doctor': true } })
    .end();
  const started = performance.now();
  try {
    return await new Promise<ExportOutcome>((resolve) => {
      exporter.export(ended, (result) =>
        resolve({
          ok: result.code === ExportResultCode.SUCCESS,
          ms: performance.now() - started,
          error: result.error,
          ...(result.rejectedSpans > 0 ? { rejected: { message: result.rejectionMessage ?? '' } } : {}),
        }),
      );
    });
  } finally {
    await exporter.shutdown().catch(() => undefined);
    await provider.shutdown().catch(() => undefined);
  }
}

/**
 * Sends one test span with the configured protocol, endpoint and headers and reports the latency,
 * or what went wrong in words and how to fix it.
 */
export async function checkCollector(config: ObservabilityConfig): Promise<DoctorCheck> {
  const { protocol } = config.opentelemetry.exporter;
  let target: Target;
  try {
    target = targetOf(config);
  } catch {
    return {
      status: 'fail',
      title: 'collector',
      detail: `opentelemetry.exporter.endpoint is not a URL`,
      fix: 'write it as http://host:port (grpc) or http://host:port/v1/traces (http/protobuf)',
    };
  }
  const title = `collector at ${target.url.origin} (${protocol})`;
  const reach = await probeTcp(target, title);
  if (!reach.ok) return reach.check;
  let outcome: ExportOutcome;
  try {
    outcome = await exportTestSpan(config);
  } catch (err) {
    outcome = { ok: false, ms: 0, error: err };
  }
  if (outcome.ok && outcome.rejected !== undefined) {
    const said = outcome.rejected.message === '' ? 'no reason given' : outcome.rejected.message;
    return {
      status: 'fail',
      title,
      detail: `the collector acknowledged the export but rejected the test span (OTLP partial success: ${said})`,
      fix: 'check the collector configuration and its logs: its pipeline refuses spans like this one (limits, filters, authentication of the tenant)',
    };
  }
  if (outcome.ok) {
    return {
      status: 'ok',
      title,
      detail: `accepted a test span (${DOCTOR_SPAN_NAME}) in ${Math.round(outcome.ms)} ms`,
    };
  }
  return { status: 'fail', title, ...(await explainExportFailure(config, target, outcome)) };
}

async function explainExportFailure(
  config: ObservabilityConfig,
  target: Target,
  outcome: ExportOutcome,
): Promise<{ detail: string; fix: string }> {
  const { protocol, timeout_ms: timeoutMs } = config.opentelemetry.exporter;
  if (isObservabilityError(outcome.error, 'OBS_ERR_EXPORTER_TLS')) {
    const { summary, file, expected } = outcome.error;
    return {
      detail: `${summary}${file === undefined ? '' : ` (${file})`}`,
      fix: `set ${outcome.error.key} to ${expected}`,
    };
  }
  const error = outcome.error as { code?: unknown; message?: string } | undefined;
  const message = error?.message ?? String(outcome.error);
  if (TLS_FAILURE.test(`${String(error?.code)} ${message}`)) {
    return {
      detail: `the TLS connection to the collector failed: ${message}`,
      fix: 'a collector certificate signed by a private CA needs that CA in opentelemetry.exporter.certificate (OTEL_EXPORTER_OTLP_CERTIFICATE); a collector requiring mutual TLS needs client_key and client_certificate; the certificate must name the endpoint host',
    };
  }
  const headerNames = Object.keys(config.opentelemetry.exporter.headers);
  const credentials =
    headerNames.length === 0
      ? 'no headers are configured: add the token the collector expects under opentelemetry.exporter.headers'
      : `check the values of opentelemetry.exporter.headers (${headerNames.join(', ')}; values are never printed)`;

  if (protocol === 'grpc') {
    if (await speaksHttp1(target)) {
      return {
        detail: `the endpoint answers plain HTTP/1.1, not gRPC: it looks like an OTLP/HTTP port (the gRPC client reported: ${message})`,
        fix: `set protocol http/protobuf (opentelemetry.exporter.protocol) to use this port, or point the endpoint at the collector's gRPC port (usually ${WELL_KNOWN_PORTS.grpc})`,
      };
    }
    switch (error?.code) {
      case 16:
      case 7:
        return { detail: `the collector refused the credentials (${message})`, fix: credentials };
      case 12:
        return {
          detail: `the endpoint speaks gRPC but has no OTLP trace service (${message})`,
          fix: `point the endpoint at an OTLP receiver (an OpenTelemetry Collector's otlp receiver, Jaeger's or Tempo's port ${WELL_KNOWN_PORTS.grpc})`,
        };
      case 4:
        return timeoutFailure(timeoutMs, message);
      default:
        return {
          detail: `the export failed: ${message}`,
          fix: 'check that the endpoint is an OTLP gRPC receiver; for https:// the server certificate must be signed by a CA of this machine or of opentelemetry.exporter.certificate (OTEL_EXPORTER_OTLP_CERTIFICATE), and a collector requiring mutual TLS needs client_key and client_certificate',
        };
    }
  }

  const status = typeof error?.code === 'number' ? error.code : undefined;
  if (status === 404 || status === 405) {
    return {
      detail: `the collector answered HTTP ${status} for ${resolveExporterEndpoint(config.opentelemetry.exporter)}`,
      fix: 'OTLP/HTTP receivers take traces at the path /v1/traces: give the endpoint without a path (it is added) or ending in /v1/traces',
    };
  }
  if (status === 401 || status === 403) {
    return { detail: `the collector refused the credentials (HTTP ${status})`, fix: credentials };
  }
  if (status !== undefined && status >= 400) {
    return {
      detail: `the collector answered HTTP ${status}: ${message}`,
      fix:
        status >= 500 || status === 429
          ? 'the collector is up but failing or overloaded: check its own logs'
          : 'check the collector configuration',
    };
  }
  if (await speaksHttp2Only(target)) {
    return {
      detail: `the endpoint speaks HTTP/2 only: it looks like an OTLP gRPC port (the HTTP client reported: ${message})`,
      fix: `set protocol grpc (opentelemetry.exporter.protocol) to use this port, or point the endpoint at the collector's OTLP/HTTP port (usually ${WELL_KNOWN_PORTS['http/protobuf']})`,
    };
  }
  if (/timeout|timed out/i.test(message)) return timeoutFailure(timeoutMs, message);
  return { detail: `the export failed: ${message}`, fix: 'check that the endpoint is an OTLP/HTTP receiver' };
}

function timeoutFailure(timeoutMs: number, message: string): { detail: string; fix: string } {
  return {
    detail: `the collector accepted the connection but did not answer within opentelemetry.exporter.timeout_ms (${timeoutMs} ms): ${message}`,
    fix: 'check that the endpoint is an OTLP receiver and not another service, or raise opentelemetry.exporter.timeout_ms for a slow link',
  };
}

/** True when the endpoint answers an HTTP/1.1 request with an HTTP/1.x response. */
function speaksHttp1(target: Target): Promise<boolean> {
  const request = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(
      {
        host: target.host,
        port: target.port,
        path: '/',
        method: 'GET',
        timeout: PROBE_TIMEOUT_MS,
        rejectUnauthorized: false,
      },
      (res) => {
        res.resume();
        resolve(true);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** True when the endpoint completes an HTTP/2 handshake (a gRPC port) but is no HTTP/1.1 server. */
async function speaksHttp2Only(target: Target): Promise<boolean> {
  if (await speaksHttp1(target)) return false;
  return new Promise((resolve) => {
    const session = connectHttp2(`${target.url.protocol}//${target.url.host}`, { rejectUnauthorized: false });
    const timer = setTimeout(() => finish(false), PROBE_TIMEOUT_MS);
    function finish(result: boolean): void {
      clearTimeout(timer);
      session.destroy();
      resolve(result);
    }
    session.once('remoteSettings', () => finish(true));
    session.once('error', () => finish(false));
  });
}
