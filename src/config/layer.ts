import { ObservabilityError, quoteText } from '../errors.js';
import { isSchemaLeaf, configSchema } from './schema.js';
import type { ConfigSource } from './types.js';

/** One key set by one source. `origin` names it: the file path, the variable, or options.overrides. */
export interface LayerEntry {
  key: string;
  value: unknown;
  origin: string;
  /** The environment variables whose text made the value (`${VAR}` in the file, or the `GREY_*` variable). */
  variables?: string[];
}

/** The values one source sets, flattened to schema keys. */
export interface ConfigLayer {
  source: ConfigSource;
  entries: LayerEntry[];
  /** Set for the file layer. */
  file?: string;
  /**
   * What flattening found wrong (unknown keys, sections given as values), reported by the layer's
   * validation together with its invalid values, so that one error names every problem of the source.
   */
  problems?: ObservabilityError[];
  /**
   * Every value was checked by its key's format when the source was read: the standard `OTEL_*`
   * variables, whose reader ignores what it cannot use (see otel-env.ts).
   */
  validated?: true;
}

/**
 * Flattens a nested object (a parsed file or code overrides) into schema keys. A key that the
 * schema does not have, or a section given as a plain value, is a problem naming the key path,
 * kept in `problems` (validation reports them first, see validate.ts).
 */
export function flattenToLayer(
  tree: Record<string, unknown>,
  source: ConfigSource,
  origin: string,
  file?: string,
): ConfigLayer {
  const entries: LayerEntry[] = [];
  const problems: ObservabilityError[] = [];
  const walk = (node: Record<string, unknown>, schemaNode: Record<string, unknown>, prefix: string): void => {
    for (const [name, value] of Object.entries(node)) {
      const key = prefix === '' ? name : `${prefix}.${name}`;
      const schemaChild = Object.hasOwn(schemaNode, name) ? schemaNode[name] : undefined;
      if (schemaChild === undefined) {
        problems.push(
          new ObservabilityError('OBS_ERR_CONFIG_UNKNOWN_KEY', `unknown config key ${quoteText(key)}`, {
            file,
            key,
            expected: `one of: ${Object.keys(schemaNode)
              .map((k) => (prefix === '' ? k : `${prefix}.${k}`))
              .join(', ')}`,
          }),
        );
        continue;
      }
      if (isSchemaLeaf(schemaChild)) {
        if (value !== undefined) entries.push({ key, value, origin });
        continue;
      }
      if (value === undefined) continue;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        problems.push(
          new ObservabilityError('OBS_ERR_CONFIG_INVALID', `${quoteText(key)} is a section`, {
            file,
            key,
            value,
            expected: `a mapping with keys ${Object.keys(schemaChild as object).join(', ')}`,
          }),
        );
        continue;
      }
      walk(value as Record<string, unknown>, schemaChild as Record<string, unknown>, key);
    }
  };
  walk(tree, configSchema as unknown as Record<string, unknown>, '');
  return problems.length === 0 ? { source, entries, file } : { source, entries, file, problems };
}
