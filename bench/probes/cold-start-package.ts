/**
 * Child process of the cold_start bench, the package's side: initObservability() with the defaults
 * (tracing on, OTLP grpc to a closed loopback port, http and fetch instrumentations, default
 * metrics), the endpoint on a free loopback port, logs to stderr; prints `port <n>` once listening.
 * `BENCH_EXPRESS_PG=1` turns the express and pg instrumentations on as well.
 */
import { initObservability } from '../../src/index.js';

const handle = await initObservability({
  env: {},
  overrides: {
    service: { name: 'bench' },
    prometheus: { host: '127.0.0.1', port: 0 },
    logging: { destination: 'stderr' },
    opentelemetry: {
      exporter: { protocol: 'grpc', endpoint: 'http://127.0.0.1:9', headers: {}, timeout_ms: 1000 },
      ...(process.env.BENCH_EXPRESS_PG === '1' ? { instrumentations: { express: true, pg: true } } : {}),
    },
  },
});
process.stdout.write(`port ${handle.metricsServer!.port}\n`);
// The package never keeps a process alive on its own (a service's own server does): stand in for
// that server until the parent has scraped and killed this process.
setInterval(() => undefined, 60_000);
