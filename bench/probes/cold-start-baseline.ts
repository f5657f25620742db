/**
 * Child process of the cold_start bench, the baseline: started with
 * `--import @opentelemetry/auto-instrumentations-node/register` (which starts @opentelemetry/sdk-node
 * from OTEL_* variables) plus a prom-client endpoint with the default metrics, as a service wires
 * it by hand; prints `port <n>` once listening.
 */
import { servePromClientEndpoint } from './prom-client-endpoint.js';

servePromClientEndpoint((port) => {
  process.stdout.write(`port ${port}\n`);
});
