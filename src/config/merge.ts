/** Merging: the validated layers over the schema defaults, noting where each value came from. */
import { getPath, setPath } from './paths.js';
import type { ConfigLayer } from './layer.js';
import type { SchemaLeaf } from './schema.js';
import { schemaDefaults } from './defaults.js';
import type { ConfigSource, ObservabilityConfig } from './types.js';

/** Where one effective value came from. */
export interface ValueSource {
  source: ConfigSource;
  /** The file path, the environment variable, `options.overrides`, or `schema` for defaults. */
  origin: string;
}

/** The source of every key (and of every entry of a map-valued key, see {@link mapEntryKey}). */
export type ValueSources = Record<string, ValueSource>;

/** What a key holds before any layer sets it. */
export const DEFAULT_SOURCE: ValueSource = Object.freeze({ source: 'default', origin: 'schema' });

/**
 * The config of `layers` applied in order (lowest precedence first) over the schema defaults, and
 * the source of each value. A later layer replaces a value; a map-valued key (headers, resource
 * attributes) is merged entry by entry, each entry's value as text. Values are copied, so that
 * the caller's overrides object can change later without changing the config.
 */
export function mergeLayers(
  layers: readonly ConfigLayer[],
  leaves: ReadonlyMap<string, SchemaLeaf>,
): { config: ObservabilityConfig; sources: ValueSources } {
  const merged = schemaDefaults() as unknown as Record<string, unknown>;
  const sources: ValueSources = {};
  for (const key of leaves.keys()) sources[key] = DEFAULT_SOURCE;
  for (const layer of layers) {
    for (const entry of layer.entries) {
      const source: ValueSource = { source: layer.source, origin: entry.origin };
      if ((leaves.get(entry.key) as SchemaLeaf).format.kind === 'string-map') {
        const values = stringifyValues(entry.value);
        setPath(merged, entry.key, { ...(getPath(merged, entry.key) as object), ...values });
        for (const name of Object.keys(values)) sources[mapEntryKey(entry.key, name)] = source;
      } else {
        setPath(merged, entry.key, structuredClone(entry.value));
      }
      sources[entry.key] = source;
    }
  }
  return { config: merged as unknown as ObservabilityConfig, sources };
}

/** The `sources` key of one entry of a map-valued key: `opentelemetry.resource["service.name"]`. */
export function mapEntryKey(key: string, name: string): string {
  return `${key}[${JSON.stringify(name)}]`;
}

/** A map's entries as text, built from entries so that a name such as `__proto__` stays an entry. */
function stringifyValues(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}
