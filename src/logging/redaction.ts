/**
 * How the logger keeps secrets out of its lines, with the rules of src/secrets:
 *
 * - by key, in the log call's fields (nested plain objects and arrays, {@link SECRET_KEY_DEPTH}
 *   levels), in child bindings (logger-bindings.ts) and in logged errors ({@link createErrSerializer}),
 *   with the one list of secret names extended by `logging.redact` and the exporter header names;
 * - by path, with pino's redaction: request and response headers as pino-http's serializers write
 *   them, the config's secret keys and the `logging.redact` paths;
 * - by value, in the finished line ({@link createLineScrubber}): the config's secret values and the
 *   credentials of every URL.
 */
import pino from 'pino';
import { collectSecrets, REDACTED } from '../config/redact.js';
import { sensitiveKeys } from '../config/schema.js';
import type { ObservabilityConfig } from '../config/types.js';
import { readErrorStack } from '../error-stack.js';
import { ObservabilityError } from '../errors.js';
import { scrubUrlCredentials, type SecretNameMatcher } from '../secrets/index.js';

/** How deep {@link censorSecretKeys} looks into nested plain objects and arrays (the top level is depth 1). */
const SECRET_KEY_DEPTH = 6;

// pino paths that name a concrete first key cost nothing when that key is absent from a line; a
// wildcard-first path (`*.token`) would run a stringifier on every key of every line (measured:
// a list of wildcards made a line 3-4x slower). Key names anywhere in plain objects are handled
// by censorSecretKeys(); these paths cover what serializers produce (pino-http's req and res),
// each header decided by its name (createRedactCensor).
const HTTP_HEADER_PATHS = ['req.headers.*', 'res.headers.*'];

/**
 * The log paths of every key the config schema marks sensitive, as a config object is logged:
 * whole (`config.prometheus.auth.token`), by section (`prometheus.auth.token`, as
 * `logger.info(obs.config)` writes it) and below its section (`auth.token`, as
 * `logger.info(obs.config.prometheus)` writes it).
 */
function configSecretPaths(): string[] {
  return sensitiveKeys().flatMap((key) => [key, `config.${key}`, key.slice(key.indexOf('.') + 1)]);
}

/**
 * Shortest config secret that is scrubbed from log lines by value. Shorter values would blank out
 * ordinary words; such secrets are still censored by key and path.
 */
const MIN_SCRUBBED_SECRET_LENGTH = 4;

/** The pino redaction paths: request/response headers, the config's secret keys, then `extra` (`logging.redact`). */
export function redactionPaths(extra: readonly string[]): string[] {
  return [...new Set([...HTTP_HEADER_PATHS, ...configSecretPaths(), ...extra])];
}

/**
 * pino's `redact.censor`: a header under `req.headers` or `res.headers` is censored when its name
 * is a secret (`authorization`, `cookie`, `set-cookie`, `x-api-key`, `x-auth-token` ...: the one
 * list, plus configured names) and kept otherwise, unless `logging.redact` names all of them
 * (`req.headers.*`); every other path's value is censored.
 */
export function createRedactCensor(
  isSecret: SecretNameMatcher,
  extra: readonly string[],
): (value: unknown, path: string[]) => unknown {
  const allHeaders = new Set(
    HTTP_HEADER_PATHS.filter((path) => extra.includes(path)).map((path) => path.split('.')[0]),
  );
  return function censor(value, path) {
    if (path.length === 3 && path[1] === 'headers' && (path[0] === 'req' || path[0] === 'res')) {
      return allHeaders.has(path[0]) || isSecret(path[2] as string) ? REDACTED : value;
    }
    return REDACTED;
  };
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
 * Returns `fields` (a log call's merge object) with the value of every secret-named key replaced
 * by {@link REDACTED}, in nested plain objects and arrays too, down to {@link SECRET_KEY_DEPTH}.
 * Copy-on-write: the caller's objects are never changed, and a line without secret keys costs one
 * cached lookup per key and no allocation.
 */
export function censorSecretKeys(
  fields: Record<string, unknown>,
  isSecret: SecretNameMatcher,
): Record<string, unknown> {
  return censorObject(fields, 1, isSecret);
}

function censorObject(
  fields: Record<string, unknown>,
  depth: number,
  isSecret: SecretNameMatcher,
): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in fields) {
    const value = fields[key];
    if (isSecret(key)) {
      if (value === undefined) continue;
      copy ??= { ...fields };
      copy[key] = REDACTED;
      continue;
    }
    if (depth >= SECRET_KEY_DEPTH || typeof value !== 'object' || value === null) continue;
    const censored = censorNested(value, depth + 1, isSecret);
    if (censored !== value) {
      copy ??= { ...fields };
      copy[key] = censored;
    }
  }
  return copy ?? fields;
}

function censorNested(value: object, depth: number, isSecret: SecretNameMatcher): unknown {
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item !== 'object' || item === null) continue;
      const censored = censorNested(item, depth, isSecret);
      if (censored !== item) {
        copy ??= value.slice();
        copy[i] = censored;
      }
    }
    return copy ?? value;
  }
  return isPlainObject(value) ? censorObject(value as Record<string, unknown>, depth, isSecret) : value;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * pino's `err` serializer (pino.stdSerializers.err, the default) with two differences: the stack
 * is read without consuming the error's call sites (readErrorStack: Node's report of an unhandled
 * rejection keeps pointing at the service's line), and secret-named properties of the error and of
 * the plain objects it carries (an HTTP client's `config.headers.authorization`) are censored.
 * The service's error object is not changed (the standard serializer tags it while it works).
 */
export function createErrSerializer(isSecret: SecretNameMatcher): (err: unknown) => unknown {
  return function serializeError(err) {
    if (!(err instanceof Error)) return pino.stdSerializers.err(err as Error);
    // A view of the error whose own `stack` is the text: the standard serializer reads the rest through it.
    const view = Object.create(err, {
      stack: { value: readErrorStack(err), enumerable: false, writable: true, configurable: true },
    }) as Error;
    const serialized = pino.stdSerializers.err(view) as unknown as Record<string, unknown>;
    const censored = censorObject(serialized, 1, isSecret);
    return censored === serialized ? serialized : censored;
  };
}

/**
 * The secret values of `config` that must never appear in a log line, as they appear inside a
 * JSON string: the Prometheus endpoint token and password (and the Basic credentials built from
 * them), every OTLP exporter header value, the credentials part of `Bearer xyz` style values, and
 * the credentials of URL values (see collectSecrets).
 */
export function secretValues(config: ObservabilityConfig): string[] {
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
 * A pino `hooks.streamWrite` that replaces, in each finished line, every value of `secrets` (see
 * secretValues) and the credentials of every URL (user name, password and secret-named query
 * parameters, scrubUrlCredentials) with {@link REDACTED}. A line without secrets, `@` or `=` costs a
 * few substring scans.
 */
export function createLineScrubber(secrets: readonly string[], isSecret: SecretNameMatcher): (line: string) => string {
  return function scrubLine(line: string): string {
    for (let i = 0; i < secrets.length; i++) {
      const secret = secrets[i] as string;
      if (line.includes(secret)) line = line.split(secret).join(REDACTED);
    }
    return scrubUrlCredentials(line, isSecret);
  };
}
