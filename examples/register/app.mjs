// A service that knows nothing of observability: started with the one line
//
//   node --import @grey/observability/register examples/register/app.mjs
//
// register reads the config (GREY_OBSERVABILITY_CONFIG, observability.yaml in the working
// directory, GREY_* and OTEL_* variables), starts metrics, tracing and logging before this module
// loads, and traces its HTTP server and fetch calls. getObservability() reaches the handle.
/* global fetch */
import { createServer } from 'node:http';
import { getObservability } from '@grey/observability';

const server = createServer((req, res) => res.end(`hello from ${req.url}\n`));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/hello`;
const body = await (await fetch(url)).text();

const obs = getObservability();
obs?.logger.info({ body: body.trim(), metrics: obs.metricsServer?.url ?? null }, 'register app done');
server.close();
await obs?.shutdown();
