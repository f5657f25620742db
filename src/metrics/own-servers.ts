/**
 * The HTTP servers of the package's own endpoints (the Prometheus endpoint, the node:cluster
 * aggregated one), so that the http instrumentation never traces their requests: a scrape every
 * interval would otherwise make a trace each time. Known by the server object, not by port or
 * path, so an endpoint on `prometheus.port: 0` (a free port chosen at listen) is recognised too.
 *
 * Kept under a global symbol, so that two copies of the package loaded in one process (a tracing
 * copy and a metrics copy) recognise each other's servers.
 */
const KEY = Symbol.for('@grey/observability.own-servers');

function ownServers(): WeakSet<object> {
  const slot = globalThis as { [KEY]?: WeakSet<object> };
  return (slot[KEY] ??= new WeakSet<object>());
}

/** Marks `server` as one of the package's own endpoints. */
export function markOwnServer(server: object): void {
  ownServers().add(server);
}

/** True when `request` arrived on a server marked by {@link markOwnServer}. Never throws. */
export function isOwnServerRequest(request: { socket?: unknown }): boolean {
  const server = (request.socket as { server?: unknown } | null | undefined)?.server;
  return typeof server === 'object' && server !== null && ownServers().has(server);
}
