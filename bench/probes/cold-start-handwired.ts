/**
 * Child process of the cold_start bench, the hand-wired set's service (started with
 * `--import handwired-telemetry.js`): a prom-client endpoint with the default metrics and a pino
 * logger, as the package gives; prints `port <n>` once listening.
 */
import pino from 'pino';
import { servePromClientEndpoint } from './prom-client-endpoint.js';

const logger = pino(pino.destination(2));
servePromClientEndpoint((port) => {
  logger.info({ port }, 'metrics endpoint listening');
  process.stdout.write(`port ${port}\n`);
});
