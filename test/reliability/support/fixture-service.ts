/**
 * The service side every fixture of test/reliability/fixtures repeats: start the package isolated
 * from the test runner's environment, answer the test's commands, shut down and let the process
 * end, and tell the test it is ready. The test side is startChildService() in child-service.ts.
 */
import type { ConfigOverrides, ObservabilityConfig } from '../../../src/config/types.js';
import { initObservability, type ObservabilityHandle } from '../../../src/init.js';
import { serveCommands, settledHeap } from './child-service.js';

/**
 * initObservability() named `name`, with `overrides` and no environment variables (the runner's
 * GREY_* and OTEL_* never leak in), resolving config files from `cwd`.
 */
export function startFixtureObservability(
  name: string,
  overrides: ConfigOverrides,
  cwd = process.cwd(),
): Promise<ObservabilityHandle> {
  return initObservability({ env: {}, cwd, overrides: { ...overrides, service: { name } } });
}

/**
 * Overrides of a fixture whose every span goes to the test's OTLP receiver: the protocol and the
 * endpoint from FIXTURE_PROTOCOL and FIXTURE_ENDPOINT, info logs to FIXTURE_LOG_FILE, always_on
 * sampling, the exporter's timeout `exporterTimeoutMs` and the batch processor's settings `batch`.
 */
export function exportingToReceiver(
  exporterTimeoutMs: number,
  batch: Pick<
    ObservabilityConfig['opentelemetry']['batch'],
    'scheduled_delay_ms' | 'max_queue_size' | 'max_export_batch_size'
  >,
): ConfigOverrides {
  return {
    logging: { level: 'info', destination: process.env.FIXTURE_LOG_FILE as string },
    opentelemetry: {
      enabled: true,
      exporter: {
        protocol: process.env.FIXTURE_PROTOCOL as 'grpc' | 'http/protobuf',
        endpoint: process.env.FIXTURE_ENDPOINT as string,
        timeout_ms: exporterTimeoutMs,
      },
      sampling: { strategy: 'always_on' },
      batch,
    },
  };
}

/**
 * Closes the IPC channel once the answer under way is sent: with the package shut down, nothing
 * but what the service itself left running keeps the process alive, so it must end on its own.
 */
export function endAfterAnswer(): void {
  setImmediate(() => process.disconnect());
}

/** Tells the test the fixture is ready: the endpoint's URL (when it has one), the settled heap, and `extra`. */
export function sendReady(obs: ObservabilityHandle, extra: Record<string, unknown> = {}): void {
  process.send?.({ ready: true, url: obs.metricsServer?.url, heapUsed: settledHeap(), ...extra });
}

/**
 * Answers the test's commands: `handlers`, and `shutdown` (runs `beforeShutdown`, then
 * `obs.shutdown()`, then {@link endAfterAnswer}); then {@link sendReady}.
 */
export function serveFixture(
  obs: ObservabilityHandle,
  handlers: Parameters<typeof serveCommands>[0],
  beforeShutdown: () => void = () => {},
): void {
  serveCommands({
    ...handlers,
    shutdown: async () => {
      beforeShutdown();
      await obs.shutdown();
      endAfterAnswer();
      return {};
    },
  });
  sendReady(obs);
}
