import { collectSecrets, REDACTED } from '../config/redact.js';
import { sensitiveKeys } from '../config/schema.js';
import pino from 'pino';
import type { ObservabilityConfig } from '../config/types.js';
import { ObservabilityError } from '../errors.js';

/** What pino writes in place of a redacted value: the package's one marker (config/redact.ts). */
export { REDACTED };

/**
 * Keys whose values are censored wherever they appear in a logged plain object (up to
 * {@link SECRET_KEY_DEPTH} levels deep), in the spellings services use.
 */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'authorization',
  'Authorization',
  'proxy-authorization',
  'Proxy-Authorization',
  'cookie',
  'Cookie',
  'set-cookie',
  'Set-Cookie',
  'password',
  'Password',
  'token',
  'Token',
]);

/** How deep {@link censorSecretKeys} looks into nested plain objects (the top level is depth 1). */
export const SECRET_KEY_DEPTH = 4;

// pino paths that name a concrete first key cost nothing when that key is absent from a line; a
// wildcard-first path (`*.token`) would run a stringifier on every key of every line (measured:
// the built-in list as wildcards made a line 3-4x slower). Key names anywhere in plain objects are
// handled by censorSecretKeys(); these paths cover what serializers produce (pino-http's req/res)
// and the config's secret keys.
const HTTP_SECRET_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
];

/**
 * The log paths of every key the config schema marks sensitive, as a config object is logged:
 * whole (`config.prometheus.auth.token`), by section (`prometheus.auth.token`, as
 * `logger.info(obs.config)` writes it) and below its section (`auth.token`, as
 * `logger.info(obs.config.prometheus)` writes it).
 */
export function configSecretPaths(): string[] {
  return sensitiveKeys().flatMap((key) => [key, `config.${key}`, key.slice(key.indexOf('.') + 1)]);
}

/**
 * Shortest config secret that is scrubbed from log lines by value. Shorter values would blank out
 * ordinary words; such secrets are still censored by key and path.
 */
export const MIN_SCRUBBED_SECRET_LENGTH = 4;

/**
 * The pino redaction paths: every {@link SECRET_KEYS} key at the top level (this is what censors
 * child-logger bindings, which pino formats without `formatters.log`), the built-in paths, then
 * `extra` (`logging.redact`).
 */
export function redactionPaths(extra: readonly string[]): string[] {
  const topLevel = [...SECRET_KEYS].map((key) => (/^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`));
  return [...new Set([...topLevel, ...HTTP_SECRET_PATHS, ...configSecretPaths(), ...extra])];
}

/**
 * Checks the `logging.redact` paths one by one with pino's own parser, so that a bad path fails
 * start-up with `OBS_ERR_CONFIG_INVALID` naming it, instead of a bare pino error.
 */
export function assertRedactPaths(paths: readonly string[]): void {
  for (const path of paths) {
    try {
      if (path.trim() === '') throw new Error('empty path');
      pino({ redact: [path] }, { write: () => undefined });
    } catch (error) {
      throw new ObservabilityError(
        'OBS_ERR_CONFIG_INVALID',
        'A logging.redact entry is not a valid pino redaction path.',
        {
          key: 'logging.redact',
          value: path,
          expected:
            'dotted keys with optional * wildcards and ["quoted"] keys, e.g. customer.card or req.headers["x-api-key"]',
          cause: error,
        },
      );
    }
  }
}

/**
 * Returns `fields` (a log call's merge object) with the value of every {@link SECRET_KEYS} key replaced
 * by {@link REDACTED}, in nested plain objects too. Copy-on-write: the caller's objects are never
 * changed, and a line without secret keys costs one Set lookup per key and no allocation.
 */
export function censorSecretKeys(
  fields: Record<string, unknown>,
  keys: ReadonlySet<string> = SECRET_KEYS,
): Record<string, unknown> {
  return censorObject(fields, 1, keys);
}

/**
 * {@link SECRET_KEYS} plus the names of the configured exporter headers (as written and lower-cased),
 * so that `logger.info({ cfg: obs.config.opentelemetry })` censors `x-api-key` however short its value.
 */
export function secretKeysFor(config: ObservabilityConfig): ReadonlySet<string> {
  const names = Object.keys(config.opentelemetry.exporter.headers);
  if (names.length === 0) return SECRET_KEYS;
  return new Set([...SECRET_KEYS, ...names, ...names.map((name) => name.toLowerCase())]);
}

function censorObject(
  fields: Record<string, unknown>,
  depth: number,
  keys: ReadonlySet<string>,
): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in fields) {
    if (keys.has(key)) {
      copy ??= { ...fields };
      copy[key] = REDACTED;
      continue;
    }
    const value = fields[key];
    if (depth < SECRET_KEY_DEPTH && typeof value === 'object' && value !== null && isPlainObject(value)) {
      const censored = censorObject(value as Record<string, unknown>, depth + 1, keys);
      if (censored !== value) {
        copy ??= { ...fields };
        copy[key] = censored;
      }
    }
  }
  return copy ?? fields;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * The secret values of `config` that must never appear in a log line, as they appear inside a
 * JSON string: the Prometheus endpoint token and password (and the Basic credentials built from
 * them), every OTLP exporter header value, and the credentials part of `Bearer xyz` style values.
 */
export function secretValues(config: ObservabilityConfig): string[] {
  // Every key the schema marks sensitive, plus the forms they take on the wire.
  const raw = collectSecrets(config);
  const auth = config.prometheus.auth;
  if (auth.password !== '') raw.push(Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
  for (const value of Object.values(config.opentelemetry.exporter.headers)) {
    const credentials = /^[A-Za-z][\w-]*\s+(\S.*)$/.exec(value)?.[1];
    if (credentials !== undefined) raw.push(credentials);
  }
  const escaped = raw
    .filter((value) => typeof value === 'string' && value.length >= MIN_SCRUBBED_SECRET_LENGTH)
    .map((value) => JSON.stringify(value).slice(1, -1));
  // Longest first, so that a secret that contains another is replaced whole.
  return [...new Set(escaped)].sort((a, b) => b.length - a.length);
}

/**
 * A pino `hooks.streamWrite` that replaces every secret value in a finished line with
 * {@link REDACTED}, or undefined when there is no secret to scrub (no cost at all then).
 */
export function createSecretScrubber(secrets: readonly string[]): ((line: string) => string) | undefined {
  if (secrets.length === 0) return undefined;
  return function scrubSecrets(line: string): string {
    for (let i = 0; i < secrets.length; i++) {
      const secret = secrets[i] as string;
      if (line.includes(secret)) line = line.split(secret).join(REDACTED);
    }
    return line;
  };
}
