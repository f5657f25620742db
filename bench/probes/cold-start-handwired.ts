/**
 * Child process of the cold_start bench, the hand-wired set's service (started with
 * `--import handwired-telemetry.js`): a prom-client endpoint with the default metrics and a pino
 * logger, as the package gives; prints `port <n>` once listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';

const logger = pino(pino.destination(2));
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
  const { port } = server.address() as AddressInfo;
  logger.info({ port }, 'metrics endpoint listening');
  process.stdout.write(`port ${port}\n`);
});
