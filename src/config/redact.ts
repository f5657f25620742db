/**
 * How config values are printed: the rules of src/secrets (the marker, URL credentials) applied to
 * the keys the schema marks `sensitive`. Used by config errors and warnings, check-config, doctor,
 * the logger's value scrubber and tracing's start-up error.
 */
import { REDACTED, scrubUrlCredentials, urlCredentials } from '../secrets/index.js';
import { listSchemaLeaves, sensitiveKeys } from './schema.js';

/** Text that stands in for a secret in every output (the one marker, src/secrets/redacted.ts). */
export { REDACTED };

let sensitive: Set<string> | undefined;

/** True when the schema marks `key` as a secret. */
function isSensitiveKey(key: string): boolean {
  sensitive ??= new Set(sensitiveKeys());
  return sensitive.has(key);
}

/**
 * The printable form of the value at `key`: secrets become [REDACTED] (every value of a secret map,
 * keeping its names), and the credentials of a URL (user name and password, secret query
 * parameters) are replaced, `user:password@host` without a scheme included.
 */
export function redactValue(key: string, value: unknown): unknown {
  if (isSensitiveKey(key)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.keys(value).map((name) => [name, REDACTED]));
    }
    return value === '' ? '' : REDACTED;
  }
  if (typeof value !== 'string') return value;
  // user:password@host:port, written without a scheme: the whole user info goes (to its last `@`).
  if (!value.includes('://')) {
    const bare = /^[^/:@\s]*:[^/\s]*@/.exec(value);
    if (bare !== null) return `${REDACTED}:${REDACTED}@${value.slice(bare[0].length)}`;
  }
  return scrubUrlCredentials(value);
}

/**
 * Every secret value held by `config`, for scrubbing free text such as third-party error
 * messages: the values of the sensitive keys, and the credentials of every URL-valued string (the
 * password, or the user name when it stands alone: a token), see urlCredentials().
 */
export function collectSecrets(config: object): string[] {
  const out: string[] = [];
  for (const { key, leaf } of listSchemaLeaves()) {
    let node: unknown = config;
    for (const name of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[name];
    if (leaf.sensitive !== true) {
      if (typeof node === 'string' && node.includes('@')) out.push(...urlCredentials(node));
      continue;
    }
    if (typeof node === 'string' && node !== '') out.push(node);
    else if (node !== null && typeof node === 'object') {
      for (const item of Object.values(node)) if (typeof item === 'string' && item !== '') out.push(item);
    }
  }
  return out;
}
