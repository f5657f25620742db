import { ObservabilityError } from '../errors.js';
import { parseText } from './env-layer.js';
import type { ConfigLayer, LayerEntry } from './layer.js';
import { redactValue } from './redact.js';
import type { SchemaLeaf } from './schema.js';
import type { Substitutions } from './substitute.js';

/**
 * Types the text that `${VAR}` substitution put into the file by the format of its key, as the
 * environment layer types a `GREY_*` variable: `port: ${METRICS_PORT:-9464}` is the number 9464,
 * `enabled: ${ON}` a boolean, `always_sample: ${RULES}` a list. OpenTelemetry's file config reads a
 * node's type after substitution too (opentelemetry-js#5815). Text a key's type cannot take is
 * `OBS_ERR_CONFIG_INVALID` naming the file, the key and the variable. Items of a list of numbers
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
      entry.value = parseText(entry.value, leaf.format.kind, failure(entry, entry.value, leaf, layer.file));
    } else if (Array.isArray(entry.value) && leaf.format.kind === 'number-list') {
      entry.value = entry.value.map((item: unknown, i) => {
        const itemNames = substitutions.get(`${entry.key}[${i}]`);
        if (typeof item !== 'string' || itemNames === undefined) return item;
        entry.variables = [...new Set([...(entry.variables ?? []), ...itemNames])];
        return parseText(item, 'number', failure(entry, item, leaf, layer.file));
      });
    }
  }
}

function failure(entry: LayerEntry, text: string, leaf: SchemaLeaf, file: string | undefined) {
  return (parsing: string): never => {
    let expected = parsing;
    try {
      leaf.format(text);
    } catch (error) {
      // The key's own wording ("an integer from 0 to 65535") says more than the parser's.
      expected = (error as Error).message;
    }
    throw new ObservabilityError(
      'OBS_ERR_CONFIG_INVALID',
      `invalid value for ${entry.key} substituted from environment variable ${(entry.variables ?? []).join(', ')}`,
      { file, key: entry.key, value: redactValue(entry.key, text), expected },
    );
  };
}
