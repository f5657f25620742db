import { ObservabilityError } from '../errors.js';
import type { LayerEntry } from './layer.js';
import { readOtelEnv, type IgnoredVariable } from './otel-env.js';
import { parseForKey } from './parse-text.js';
import { listSchemaLeaves, type SchemaLeaf } from './schema.js';
import { readVariable } from './substitute.js';

/** The environment layer: the entries to apply, and the standard variables that were ignored. */
export interface EnvLayer {
  entries: LayerEntry[];
  ignored: IgnoredVariable[];
}

/**
 * Reads the environment into layer entries: the standard OTEL_* variables (lenient: an unusable
 * one is ignored and reported in `ignored`, see otel-env.ts), then the GREY_* variable of each
 * schema key (strict: its text is checked with the layer), which beats the OTEL_* one of the same key.
 */
export function readEnvLayer(env: NodeJS.ProcessEnv): EnvLayer {
  const grey: LayerEntry[] = [];
  for (const { key, leaf, env: name } of listSchemaLeaves()) {
    const raw = readVariable(env, name);
    if (raw === undefined || raw === '') continue;
    grey.push({ key, value: parseEnvValue(raw, leaf, name, key), origin: name });
  }
  const otel = readOtelEnv(env, new Set(grey.map((entry) => entry.key)));
  return { entries: [...otel.entries, ...grey], ignored: otel.ignored };
}

/**
 * Converts a GREY_* variable's text to a value of the key's format (boolean, number, list, map);
 * text the key's own check rejects as well stays text, for the layer's check to report (see
 * {@link parseForKey}).
 */
function parseEnvValue(
  raw: string,
  leaf: Pick<SchemaLeaf, 'format' | 'sensitive'>,
  name: string,
  key: string,
): unknown {
  return parseForKey(raw, leaf, leaf.format.kind, (expected) => {
    throw new ObservabilityError(
      'OBS_ERR_CONFIG_ENV_INVALID',
      `environment variable ${name} cannot be used for ${key}`,
      {
        key,
        value: leaf.sensitive ? '[REDACTED]' : raw,
        expected,
      },
    );
  });
}
