/**
 * The prom-client endpoint the comparison sides of cold_start write by hand: a registry with the
 * default metrics served on GET /metrics of a free loopback port. Calls `onListening(port)` once
 * listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';

export function servePromClientEndpoint(onListening: (port: number) => void): void {
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
  server.listen(0, '127.0.0.1', () => onListening((server.address() as AddressInfo).port));
}
