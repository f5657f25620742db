import { schemaDefaults } from '../../../src/config/defaults.js';
import type { ObservabilityConfig } from '../../../src/config/types.js';
import { resolveKitOptions, type KitFlags, type MonitoringKitOptions } from '../../../src/operator-kit/kit-options.js';

/** The kit's options for `flags` (none: every default) over `config` (default: the schema's); throws on a problem. */
export function kitOptions(flags: KitFlags = {}, config: ObservabilityConfig = schemaDefaults()): MonitoringKitOptions {
  const resolved = resolveKitOptions(flags, config);
  if ('problems' in resolved) throw new Error(resolved.problems.join('\n'));
  return resolved.options;
}
