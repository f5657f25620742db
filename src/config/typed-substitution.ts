import { ObservabilityError } from '../errors.js';
import { describeVariables } from './convict-store.js';
import { parseForKey } from './parse-text.js';
import type { ConfigLayer, LayerEntry } from './layer.js';
import { redactValue } from './redact.js';
import type { SchemaLeaf } from './schema.js';
import type { Substitutions } from './substitute.js';

/**
 * Types the text that `${VAR}` substitution put into the file by the format of its key, as the
 * environment layer types a `GREY_*` variable: `port: ${METRICS_PORT:-9464}` is the number 9464,
 * `enabled: ${ON}` a boolean, `always_sample: ${RULES}` a list. OpenTelemetry's file config reads a
 * node's type after substitution too (opentelemetry-js#5815). Text a key's type cannot take stays
 * text, so that the layer's check reports it as `OBS_ERR_CONFIG_INVALID` naming the file, the key
 * and the variable, with every other invalid value of the file. Items of a list of numbers
 * substituted one by one (`[${LOW}, 1]`) are typed each. Entries are changed in place.
 */
export function typeSubstitutedEntries(
  layer: ConfigLayer,
  substitutions: Substitutions,
  leaves: ReadonlyMap<string, SchemaLeaf>,
): void {
  if (substitutions.size === 0) return;
  for (const entry of layer.entries) {
    const leaf = leaves.get(entry.key);
    if (leaf === undefined || leaf.format.kind === 'string') continue;
    const names = substitutions.get(entry.key);
    if (typeof entry.value === 'string' && names !== undefined) {
      entry.variables = names;
      entry.value = parseForKey(entry.value, leaf, leaf.format.kind, failure(entry, entry.value, layer.file));
    } else if (Array.isArray(entry.value) && leaf.format.kind === 'number-list') {
      entry.value = entry.value.map((item: unknown, i) => {
        const itemNames = substitutions.get(`${entry.key}[${i}]`);
        if (typeof item !== 'string' || itemNames === undefined) return item;
        entry.variables = [...new Set([...(entry.variables ?? []), ...itemNames])];
        return parseForKey(item, leaf, 'number', failure(entry, item, layer.file));
      });
    }
  }
}

/** The error for text the key's check would accept but its type cannot take (see parseForKey). */
function failure(entry: LayerEntry, text: string, file: string | undefined) {
  return (parsing: string): never => {
    throw new ObservabilityError(
      'OBS_ERR_CONFIG_INVALID',
      `invalid value for ${entry.key} substituted from environment variable ${describeVariables(entry.variables ?? [])}`,
      { file, key: entry.key, value: redactValue(entry.key, text), expected: parsing },
    );
  };
}
