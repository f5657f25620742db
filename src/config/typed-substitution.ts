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
      entry.value = typed(entry.value, leaf.format.kind, failure(entry, entry.value, leaf, layer.file));
    } else if (Array.isArray(entry.value) && leaf.format.kind === 'number-list') {
      entry.value = entry.value.map((item: unknown, i) => {
        const itemNames = substitutions.get(`${entry.key}[${i}]`);
        if (typeof item !== 'string' || itemNames === undefined) return item;
        entry.variables = [...new Set([...(entry.variables ?? []), ...itemNames])];
        return typed(item, 'number', failure(entry, item, leaf, layer.file));
      });
    }
  }
}

function failure(entry: LayerEntry, text: string, leaf: SchemaLeaf, file: string | undefined) {
  return (parsing: string): never => {
    try {
      leaf.format(text);
    } catch {
      // The key's own check rejects the text too: it stays as it is, and the layer's check reports
      // it (naming the variable) together with every other invalid value of the file.
      throw new KeepRawText();
    }
    throw new ObservabilityError(
      'OBS_ERR_CONFIG_INVALID',
      `invalid value for ${entry.key} substituted from environment variable ${(entry.variables ?? []).join(', ')}`,
      { file, key: entry.key, value: redactValue(entry.key, text), expected: parsing },
    );
  };
}

/** Thrown by {@link failure} when the text is to stay raw for the layer's check to report. */
class KeepRawText extends Error {}

/** `parseText`, or `text` itself when the key's check will report it (see {@link failure}). */
function typed(text: string, kind: SchemaLeaf['format']['kind'], onFailure: (parsing: string) => never): unknown {
  try {
    return parseText(text, kind, onFailure);
  } catch (error) {
    if (error instanceof KeepRawText) return text;
    throw error;
  }
}
