import type { TextSources } from './coerce.js';
import type { ConfigLayer, LayerEntry } from './layer.js';
import { readOtelEnv, type IgnoredVariable } from './otel-env.js';
import { listSchemaLeaves } from './schema.js';
import { readVariable } from './substitute.js';

/** What the environment sets: two layers, the standard variables below the package's own. */
export interface EnvReading {
  /**
   * The standard `OTEL_*` variables, typed and checked as they were read (lenient, OpenTelemetry
   * specification: an unusable one is ignored and reported in `ignored`, see otel-env.ts).
   */
  standard: ConfigLayer;
  /** The `GREY_*` variable of each schema key, as text (strict: coerced and validated like the file). */
  grey: ConfigLayer;
  /** Which variable gave each `GREY_*` entry its text (for coercion and errors). */
  textSources: TextSources;
  ignored: IgnoredVariable[];
}

/**
 * Reads the environment: the `GREY_*` variable of each schema key (its text, typed later by
 * coerce.ts), and the standard `OTEL_*` variables of the keys no `GREY_*` variable sets (the
 * package's own variable beats the standard one of the same key). Empty variables are unset.
 */
export function readEnvLayer(env: NodeJS.ProcessEnv): EnvReading {
  const entries: LayerEntry[] = [];
  const textSources: TextSources = new Map();
  for (const { key, env: name } of listSchemaLeaves()) {
    const raw = readVariable(env, name);
    if (raw === undefined || raw === '') continue;
    entries.push({ key, value: raw, origin: name });
    textSources.set(key, [name]);
  }
  const otel = readOtelEnv(env, new Set(entries.map((entry) => entry.key)));
  return {
    standard: { source: 'env', entries: otel.entries, validated: true },
    grey: { source: 'env', entries },
    textSources,
    ignored: otel.ignored,
  };
}
