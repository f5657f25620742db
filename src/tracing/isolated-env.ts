/**
 * Runs `fn` with every `OTEL_*` environment variable hidden, and with the logs and metrics
 * exporters of the OpenTelemetry SDK set to `none`.
 *
 * Why: the config loader has already merged the standard `OTEL_*` variables into the resolved
 * config, so the config is the single source of truth. Left alone, the SDK would read them again
 * behind our back: NodeSDK honours OTEL_SDK_DISABLED and OTEL_LOG_LEVEL and starts OTLP log and
 * metric exporters by default, and the OTLP trace exporters merge OTEL_EXPORTER_OTLP_HEADERS into
 * the configured headers. The SDK reads the environment only while it is constructed and started,
 * which happens synchronously inside `fn`, so hiding the variables for that call is enough.
 * The environment is restored exactly, even when `fn` throws.
 */
export function withIsolatedOtelEnv<T>(fn: () => T): T {
  const env = process.env;
  const saved: Array<[string, string | undefined]> = [];
  for (const name of Object.keys(env)) {
    if (name.startsWith('OTEL_')) {
      saved.push([name, env[name]]);
      delete env[name];
    }
  }
  env.OTEL_LOGS_EXPORTER = 'none';
  env.OTEL_METRICS_EXPORTER = 'none';
  try {
    return fn();
  } finally {
    delete env.OTEL_LOGS_EXPORTER;
    delete env.OTEL_METRICS_EXPORTER;
    for (const [name, value] of saved) if (value !== undefined) env[name] = value;
  }
}
