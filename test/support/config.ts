import { schemaDefaults } from '../../src/config/defaults.js';
import type { ConfigOverrides, ObservabilityConfig } from '../../src/config/types.js';

/**
 * A resolved config for unit tests: the schema defaults, made test-safe (loopback, free port,
 * silent logs, tracing off), then `overrides` merged in deeply (arrays and maps are replaced).
 */
export function testConfig(overrides: ConfigOverrides = {}): ObservabilityConfig {
  const config = schemaDefaults();
  config.prometheus.host = '127.0.0.1';
  config.prometheus.port = 0;
  config.logging.level = 'silent';
  config.opentelemetry.enabled = false;
  mergeDeep(config as unknown as Record<string, unknown>, overrides as Record<string, unknown>);
  return config;
}

function mergeDeep(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    const isSection =
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      current !== null &&
      typeof current === 'object' &&
      !Array.isArray(current) &&
      key !== 'headers' &&
      key !== 'resource';
    if (isSection) mergeDeep(current as Record<string, unknown>, value as Record<string, unknown>);
    else target[key] = value;
  }
}
