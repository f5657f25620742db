/**
 * Runs `fn` with every `OTEL_*` environment variable hidden.
 *
 * Why: the config loader has already merged the standard `OTEL_*` variables into the resolved
 * config, so the config is the single source of truth. Left alone, the SDK would read them again
 * behind our back: the OTLP trace exporters merge OTEL_EXPORTER_OTLP_HEADERS into the configured
 * headers, and the SDK reads OTEL_* limits of its own. The SDK reads the environment only while
 * it is constructed, which happens synchronously inside `fn`, so hiding the variables for that
 * call is enough.
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
  try {
    return fn();
  } finally {
    for (const [name, value] of saved) if (value !== undefined) env[name] = value;
  }
}
