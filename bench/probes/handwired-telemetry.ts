/**
 * The `--import` file of the hand-wired set (issue 20's "careful" comparison): what a service
 * writes to get this package's defaults from the OpenTelemetry SDK by hand. The ESM loader hook
 * of @opentelemetry/instrumentation (so ESM imports are patched too), then NodeSDK of
 * @opentelemetry/sdk-node 0.301.0 with the http and undici instrumentations, the OTLP gRPC trace
 * exporter (to a closed loopback port) and a parent-based ratio sampler, started before the
 * service's first import. `BENCH_EXPRESS_PG=1` adds the express and pg instrumentations.
 */
import { register } from 'node:module';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const frameworks = process.env.BENCH_EXPRESS_PG === '1' ? [new ExpressInstrumentation(), new PgInstrumentation()] : [];
const sdk = new NodeSDK({
  serviceName: 'bench',
  traceExporter: new OTLPTraceExporter({ url: 'http://127.0.0.1:9', timeoutMillis: 1000 }),
  sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.1) }),
  instrumentations: [new HttpInstrumentation(), new UndiciInstrumentation(), ...frameworks],
});
sdk.start();
