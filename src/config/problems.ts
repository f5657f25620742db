/** How the config pipeline reports what is wrong: one coded error naming every problem found. */
import { boundText, ObservabilityError } from '../errors.js';
import type { ConfigLayer, LayerEntry } from './layer.js';
import { redactValue } from './redact.js';

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

/**
 * The coded error for a value one layer set, naming where it came from: the file (and the
 * variables substituted into it), the environment variable, or `options.overrides`. The value is
 * printed redacted (secrets, URL credentials). `OBS_ERR_CONFIG_ENV_INVALID` for the environment,
 * `OBS_ERR_CONFIG_INVALID` otherwise.
 */
export function invalidEntry(
  layer: ConfigLayer,
  entry: LayerEntry,
  expected: string,
  value = entry.value,
): ObservabilityError {
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
    { file: layer.file, key: entry.key, value: redactValue(entry.key, value), expected },
  );
}

/** The names of the variables substituted into one value, bounded: `A, B, C and 12 more`. */
function describeVariables(names: readonly string[]): string {
  const shown = names.slice(0, 5).map((name) => boundText(name, 60));
  return names.length > shown.length ? `${shown.join(', ')} and ${names.length - shown.length} more` : shown.join(', ');
}
