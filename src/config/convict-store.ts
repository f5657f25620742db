import convict from 'convict';
import { boundText, ObservabilityError } from '../errors.js';
import { getPath, setPath } from './defaults.js';
import type { ConfigLayer, LayerEntry } from './layer.js';
import { collectSecrets, REDACTED, redactValue } from './redact.js';
import { configSchema, isSchemaLeaf, listSchemaLeaves, type SchemaLeaf } from './schema.js';
import type { ObservabilityConfig } from './types.js';

/** A failure of one key's format, as seen by convict's validation. */
interface FormatFailure {
  key: string;
  message: string;
}

/**
 * The convict store that validates each layer as it is loaded (file, then environment, then
 * overrides), so that an invalid value is reported with the source that set it. Each format is
 * wrapped to note which key failed; convict joins its failures into one message otherwise.
 * Free-form maps (headers, resource) hold dotted names such as service.name, which convict would
 * read as key paths: they are checked by their own format and kept outside the store.
 */
export function createStore(): {
  check(layer: ConfigLayer): void;
  finish(config: ObservabilityConfig): ObservabilityConfig;
} {
  const failures: FormatFailure[] = [];
  const mapKeys = listSchemaLeaves()
    .filter(({ leaf }) => leaf.format.kind === 'string-map')
    .map(({ key }) => key);
  const wrap = (node: Record<string, unknown>, prefix: string): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(node).map(([name, child]) => {
        const key = prefix === '' ? name : `${prefix}.${name}`;
        if (!isSchemaLeaf(child)) return [name, wrap(child as Record<string, unknown>, key)];
        const format = (value: unknown): void => {
          try {
            child.format(value);
          } catch (error) {
            failures.push({ key, message: (error as Error).message });
            throw error;
          }
        };
        return [name, { doc: child.doc, default: child.default, sensitive: child.sensitive, format }];
      }),
    );
  const schema = wrap(configSchema, '') as unknown as convict.Schema<ObservabilityConfig>;
  const store = convict(schema, { env: {}, args: [] });
  const validate = (): FormatFailure | undefined => {
    failures.length = 0;
    try {
      // Unknown keys were already reported (flattenToLayer's problems, thrown by check()).
      store.validate({ allowed: 'strict' });
      return undefined;
    } catch (cause) {
      return failures[0] ?? { key: '', message: (cause as Error).message };
    }
  };
  return {
    check(layer) {
      const tree: Record<string, unknown> = {};
      const invalid: ObservabilityError[] = [...(layer.problems ?? [])];
      for (const entry of layer.entries) {
        // Every entry passes its own format before convict's load(), which coerces by the default's
        // type and throws a bare SyntaxError or TypeError on a string for a list or a mapping for a string.
        try {
          leafOf(entry.key).format(entry.value);
        } catch (error) {
          invalid.push(invalidEntry(layer, entry, (error as Error).message));
          continue;
        }
        if (!mapKeys.includes(entry.key)) setPath(tree, entry.key, entry.value);
      }
      // Every invalid value of the layer is reported at once, the first as the error's own.
      if (invalid.length > 0) throw joinProblems(invalid);
      store.load(tree);
      const failure = validate();
      if (failure === undefined) return;
      const entry = layer.entries.find((e) => e.key === failure.key);
      if (entry !== undefined) throw invalidEntry(layer, entry, failure.message);
      // convict failed before any format ran (a section given where a value belongs): find the entry.
      for (const candidate of layer.entries) {
        try {
          leafOf(candidate.key).format(candidate.value);
        } catch (error) {
          throw invalidEntry(layer, candidate, (error as Error).message);
        }
      }
      throw new ObservabilityError('OBS_ERR_CONFIG_INVALID', `invalid value for ${failure.key}`, {
        file: layer.file,
        key: failure.key,
        expected: failure.message,
      });
    },
    // Values derived after the layers (service identity, the OTLP endpoint path) are checked once more.
    finish(config) {
      const withoutMaps = structuredClone(config) as unknown as Record<string, unknown>;
      for (const key of mapKeys) setPath(withoutMaps, key, {});
      store.load(withoutMaps);
      const failure = validate();
      if (failure !== undefined) {
        let message = failure.key === '' ? failure.message : `${failure.key}: ${failure.message}`;
        for (const secret of collectSecrets(config)) message = message.split(secret).join(REDACTED);
        throw new ObservabilityError('OBS_ERR_CONFIG_INVALID', message, { key: failure.key || undefined });
      }
      const validated = store.getProperties() as unknown as Record<string, unknown>;
      for (const key of mapKeys) setPath(validated, key, { ...(getPath(config, key) as object) });
      return validated as unknown as ObservabilityConfig;
    },
  };
}

/**
 * One error naming every problem of `errors` (in order; an error's own `others` follow it): the
 * first is the error's own, the rest are its `others`. A single error without others is returned as is.
 */
export function joinProblems(errors: readonly ObservabilityError[]): ObservabilityError {
  const [first] = errors as [ObservabilityError, ...ObservabilityError[]];
  if (errors.length === 1) return first;
  const others = errors.flatMap((error, i) => [
    ...(i === 0 ? [] : [{ message: error.summary, key: error.key, value: error.value, expected: error.expected }]),
    ...error.others,
  ]);
  return new ObservabilityError(first.code, first.summary, {
    file: first.file,
    key: first.key,
    value: first.value,
    expected: first.expected,
    others,
    omitted: errors.reduce((sum, error) => sum + error.omitted, 0),
  });
}

function leafOf(key: string): SchemaLeaf {
  return listSchemaLeaves().find((l) => l.key === key)?.leaf as SchemaLeaf;
}

/** The coded error for a value one layer set: the file, the variable or options.overrides is named. */
function invalidEntry(layer: ConfigLayer, entry: LayerEntry, expected: string): ObservabilityError {
  const fromEnv = layer.source === 'env';
  const where = fromEnv
    ? ` from environment variable ${entry.origin}`
    : layer.source === 'override'
      ? ' in options.overrides'
      : entry.variables !== undefined
        ? ` substituted from environment variable ${describeVariables(entry.variables)}`
        : '';
  return new ObservabilityError(
    fromEnv ? 'OBS_ERR_CONFIG_ENV_INVALID' : 'OBS_ERR_CONFIG_INVALID',
    `invalid value for ${entry.key}${where}`,
    { file: layer.file, key: entry.key, value: redactValue(entry.key, entry.value), expected },
  );
}

/** The names of the variables substituted into one value, bounded: `A, B, C and 12 more`. */
export function describeVariables(names: readonly string[]): string {
  const shown = names.slice(0, 5).map((name) => boundText(name, 60));
  return names.length > shown.length ? `${shown.join(', ')} and ${names.length - shown.length} more` : shown.join(', ');
}
