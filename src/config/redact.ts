import { listSchemaLeaves, sensitiveKeys } from './schema.js';

/** Text that stands in for a secret in every output. */
export const REDACTED = '[REDACTED]';

let sensitive: Set<string> | undefined;

/** True when the schema marks `key` as a secret. */
export function isSensitiveKey(key: string): boolean {
  sensitive ??= new Set(sensitiveKeys());
  return sensitive.has(key);
}

/**
 * The printable form of the value at `key`: secrets become [REDACTED] (every value of a secret map,
 * keeping its names), and the password of a URL with credentials is hidden.
 */
export function redactValue(key: string, value: unknown): unknown {
  if (isSensitiveKey(key)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.keys(value).map((name) => [name, REDACTED]));
    }
    return value === '' ? '' : REDACTED;
  }
  if (typeof value === 'string' && value.includes('@') && /^[a-z][a-z0-9+.-]*:/i.test(value))
    return redactUrlCredentials(value);
  return value;
}

function redactUrlCredentials(text: string): string {
  if (!text.includes('://')) return text.replace(/^([^/:@\s]*):[^@/\s]*@/, `$1:${REDACTED}@`); // user:password@host
  try {
    const url = new URL(text);
    if (url.password === '') return text;
    url.password = REDACTED;
    return url.toString();
  } catch {
    // Not a parsable URL, but it may still hold user:password@: hide what looks like one.
    return text.replace(/\/\/([^/:@\s]*):[^@/\s]*@/, `//$1:${REDACTED}@`);
  }
}

/** Every secret value held by `config`, for scrubbing free text such as third-party error messages. */
export function collectSecrets(config: object): string[] {
  const out: string[] = [];
  for (const { key, leaf } of listSchemaLeaves()) {
    if (leaf.sensitive !== true) continue;
    let node: unknown = config;
    for (const name of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[name];
    if (typeof node === 'string' && node !== '') out.push(node);
    else if (node !== null && typeof node === 'object') {
      for (const item of Object.values(node)) if (typeof item === 'string' && item !== '') out.push(item);
    }
  }
  return out;
}
