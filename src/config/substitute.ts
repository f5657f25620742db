import { ObservabilityError } from '../errors.js';

// ${NAME} or ${NAME:-default}; $${...} is an escape for a literal ${...}.
const REFERENCE = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * The variables substituted into each string of the file, by key path (`prometheus.port`,
 * `prometheus.latency_buckets[0]`): the text they produced is typed by the key's format afterwards.
 */
export type Substitutions = Map<string, string[]>;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string value of `value` (object keys are left
 * alone) from `env`. `$${VAR}` stays as the literal text `${VAR}`. An unset variable without a
 * default is an ObservabilityError naming the variable, the key and the file: thrown, or, when
 * `unset` is given, added to it (the reference is then left as written), so that the caller can
 * report it with the file's other problems. Every string that took a substitution is recorded in
 * `substitutions` under its key path.
 */
export function substituteEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  file: string,
  key = '',
  substitutions: Substitutions = new Map(),
  unset?: ObservabilityError[],
): unknown {
  if (typeof value === 'string') return substituteString(value, env, file, key, substitutions, unset);
  if (Array.isArray(value)) {
    return value.map((item, i) => substituteEnv(item, env, file, `${key}[${i}]`, substitutions, unset));
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [name, child] of Object.entries(value)) {
      out[name] = substituteEnv(child, env, file, key === '' ? name : `${key}.${name}`, substitutions, unset);
    }
    return out;
  }
  return value;
}

function substituteString(
  text: string,
  env: NodeJS.ProcessEnv,
  file: string,
  key: string,
  substitutions: Substitutions,
  unset: ObservabilityError[] | undefined,
): string {
  if (!text.includes('${')) return text;
  return text.replace(REFERENCE, (match, escape: string, name: string, fallback: string | undefined) => {
    if (escape === '$') return match.slice(1);
    const names = substitutions.get(key) ?? [];
    if (!names.includes(name)) substitutions.set(key, [...names, name]);
    const found = env[name];
    // ${VAR:-default} treats an empty VAR as unset (as the shell does); plain ${VAR} takes it as is.
    if (fallback !== undefined) return found !== undefined && found !== '' ? found : fallback;
    if (found !== undefined) return found;
    const error = new ObservabilityError('OBS_ERR_CONFIG_ENV_UNSET', `environment variable ${name} is not set`, {
      file,
      key,
      expected: `${name} set in the environment, or a default written as \${${name}:-default}`,
    });
    if (unset === undefined) throw error;
    unset.push(error);
    return match;
  });
}
