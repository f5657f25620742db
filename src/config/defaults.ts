import convict from 'convict';
import { configSchema } from './schema.js';
import type { ObservabilityConfig } from './types.js';

/**
 * A fresh copy of every schema default, shaped as the config: convict's own reading of the
 * schema (`getProperties()` of a store nothing was loaded into). Nothing is read from the
 * environment or the command line here (`env: {}`, `args: []`); see docs/architecture.md, "Config".
 */
export function schemaDefaults(): ObservabilityConfig {
  const store = convict(configSchema as unknown as convict.Schema<ObservabilityConfig>, { env: {}, args: [] });
  return store.getProperties();
}
