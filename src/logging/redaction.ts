import type { ObservabilityConfig } from '../config/types.js';

/** What pino writes in place of a redacted value. */
export const REDACTED = '[Redacted]';

const SECRET_KEYS = ['authorization', 'Authorization', 'cookie', 'Cookie', 'password', 'token'];
const SECRET_SECTIONS = [
  'opentelemetry.exporter.headers',
  'exporter.headers',
  '*.exporter.headers',
  '*.opentelemetry.exporter.headers',
  'prometheus.auth.token',
  'prometheus.auth.password',
];

/**
 * Shortest config secret that is scrubbed from log lines by value. Shorter values would blank out
 * ordinary words; such secrets are still redacted by key path.
 */
export const MIN_SCRUBBED_SECRET_LENGTH = 4;

/**
 * The built-in pino redaction paths: the keys authorization, cookie, set-cookie, password and
 * token at the top level and up to three levels deep (`req.headers.authorization`), and the
 * config's secret sections; then `extra` (`logging.redact`).
 */
export function redactionPaths(extra: readonly string[]): string[] {
  const paths: string[] = [];
  for (const key of SECRET_KEYS) paths.push(key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`);
  paths.push('*["set-cookie"]', '*.*["set-cookie"]');
  return [...new Set([...paths, ...SECRET_SECTIONS, ...extra])];
}

/**
 * The secret values of `config` that must never appear in a log line, as they appear inside a
 * JSON string: the Prometheus endpoint token and password (and the Basic credentials built from
 * them), every OTLP exporter header value, and the credentials part of `Bearer xyz` style values.
 */
export function secretValues(config: ObservabilityConfig): string[] {
  const raw: string[] = [];
  const auth = config.prometheus.auth;
  raw.push(auth.token, auth.password);
  if (auth.password !== '') raw.push(Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
  for (const value of Object.values(config.opentelemetry.exporter.headers)) {
    raw.push(value);
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
