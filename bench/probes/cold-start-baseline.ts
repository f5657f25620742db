/**
 * Child process of the cold_start bench, the baseline: started with
 * `--import @opentelemetry/auto-instrumentations-node/register` (which starts @opentelemetry/sdk-node
 * from OTEL_* variables) plus a prom-client endpoint with the default metrics, as a service wires
 * it by hand; prints `port <n>` once listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';

const registry = new Registry();
collectDefaultMetrics({ register: registry });
const server = createServer((request, response) => {
  if (request.url !== '/metrics') {
    response.writeHead(404).end();
    return;
  }
  registry.metrics().then(
    (body) => response.writeHead(200, { 'Content-Type': registry.contentType }).end(body),
    () => response.writeHead(500).end(),
  );
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`port ${(server.address() as AddressInfo).port}\n`);
});
