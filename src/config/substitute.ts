import { boundText, ObservabilityError } from '../errors.js';
import type { TextSources } from './coerce.js';

// ${NAME} or ${NAME:-default}; $${...} is an escape for a literal ${...}.
const REFERENCE = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * The variables substituted into each string of the file, by key path (`prometheus.port`,
 * `prometheus.latency_buckets[0]`): the text they produced is typed by coerce.ts afterwards.
 */
type Substitutions = TextSources;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string value of `value` (object keys are left
 * alone) from `env`. `$${VAR}` stays as the literal text `${VAR}`. An unset variable without a
 * default is an ObservabilityError naming the variable, the key and the file: thrown, or, when
 * `unset` is given, added to it (the reference is then left as written), so that the caller can
 * report it with the file's other problems (once per variable and key, however often it is
 * referenced there). Every string that took a substitution is recorded in `substitutions` under its
 * key path.
 *
 * `${NAME}` looks up only the environment's own variables (`Object.hasOwn`): `${constructor}` or
 * `${toString:-x}` are unset, never the text of an `Object.prototype` member. Mappings are rebuilt
 * with own properties only, so a key named `__proto__` stays a key (and is reported as unknown).
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
    return Object.fromEntries(
      Object.entries(value).map(([name, child]) => [
        name,
        substituteEnv(child, env, file, key === '' ? name : `${key}.${name}`, substitutions, unset),
      ]),
    );
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
  const names = new Set(substitutions.get(key));
  const reported = new Set<string>();
  const out = text.replace(REFERENCE, (match, escape: string, name: string, fallback: string | undefined) => {
    if (escape === '$') return match.slice(1);
    names.add(name);
    const found = readVariable(env, name);
    // ${VAR:-default} treats an empty VAR as unset (as the shell does); plain ${VAR} takes it as is.
    if (fallback !== undefined) return found !== undefined && found !== '' ? found : fallback;
    if (found !== undefined) return found;
    if (reported.has(name)) return match;
    reported.add(name);
    const shown = boundText(name);
    const error = new ObservabilityError('OBS_ERR_CONFIG_ENV_UNSET', `environment variable ${shown} is not set`, {
      file,
      key,
      expected: `${shown} set in the environment, or a default written as \${${shown}:-default}`,
    });
    if (unset === undefined) throw error;
    unset.push(error);
    return match;
  });
  if (names.size > 0) substitutions.set(key, [...names]);
  return out;
}

/**
 * The environment variable `name`, or undefined when unset: only the environment's own variables
 * count, so `constructor` or `__proto__` never read an `Object.prototype` member.
 */
export function readVariable(env: NodeJS.ProcessEnv, name: string): string | undefined {
  if (!Object.hasOwn(env, name)) return undefined;
  const value = env[name];
  return typeof value === 'string' ? value : undefined;
}
