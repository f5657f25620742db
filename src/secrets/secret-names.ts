import type { ObservabilityConfig } from '../config/types.js';
import { REDACTED } from './redacted.js';

/**
 * The one list of secret names: which keys of a logged object, `@Instrument` argument, span
 * attribute or URL query parameter hold a secret, for every output of the package (log lines,
 * spans, check-config, doctor).
 *
 * A key is compared in its normalised form: lower case, `-` and `_` removed (`apiKey`, `api_key`,
 * `API-KEY` and `x-api-key` all end in `apikey`). It is a secret when its normalised form ends with
 * one of {@link SECRET_NAME_ENDINGS} (`clientSecret`, `refresh_token`, `x-auth-token`,
 * `set-cookie`), equals one of {@link SECRET_NAMES_WHOLE}, or equals a configured name. A name
 * only ever matches at the end of the key, so `token_count`, `tokens_used`, `author`, `keyboard`,
 * `password_file`, `cookie_consent` and `auth_type` stay readable: substring matching (Sentry's
 * server-side scrubber) blanks out "author" and "User authenticated" (getsentry/sentry#6114).
 *
 * The endings cover what public scrubbing lists cover: Sentry's default denylist (sentry-python
 * `DEFAULT_DENYLIST`: password, passwd, secret, api_key, apikey, auth, credentials, mysql_pwd,
 * private_key, token, session, csrftoken, sessionid, set_cookie, cookie, authorization, x_api_key,
 * connect.sid, PHPSESSID, XSRF-TOKEN ...) and OpenTelemetry's list of query parameters to redact in
 * `url.full` (semantic conventions, URL attributes: `sig`, `Signature`, `AWSAccessKeyId`,
 * `X-Goog-Signature`, `X-Amz-Credential` ...).
 */

/** Normalised endings that make a key a secret (see the module comment). */
export const SECRET_NAME_ENDINGS: readonly string[] = [
  // passwords
  'password',
  'passwords',
  'passwd',
  'passphrase',
  'mysqlpwd',
  // secrets and credentials
  'secret',
  'secrets',
  'credential',
  'credentials',
  'creds',
  // tokens (accessToken, refresh_token, x-auth-token, x-csrf-token, XSRF-TOKEN, csrftoken, id_token)
  'token',
  'jwt',
  'bearer',
  'csrf',
  'xsrf',
  // API keys and private keys
  'apikey',
  'apikeys',
  'privatekey',
  'secretkey',
  'accesskey',
  'signingkey',
  'encryptionkey',
  'signature',
  // auth headers and values (authorization, proxy-authorization, x-auth, basicAuth, oauth)
  'auth',
  'authorization',
  // sessions and cookies (cookie, set-cookie, sessionid, PHPSESSID, JSESSIONID, connect.sid)
  'cookie',
  'cookies',
  'session',
  'sessionid',
  'sessid',
  'connect.sid',
];

/** Normalised names that are a secret only as the whole key (short ones that end ordinary words). */
export const SECRET_NAMES_WHOLE: readonly string[] = ['sid', 'sig', 'awsaccesskeyid', 'pwd'];

/** True when `key` names a secret; see {@link createSecretNameMatcher}. */
export type SecretNameMatcher = (key: string) => boolean;

/** Distinct keys whose answer a matcher keeps (keys come from code; user data may bring many). */
const MAX_CACHED_KEYS = 4096;

/** `key` lower-cased with `-` and `_` removed: the form names are compared in. */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/**
 * A matcher for the built-in secret names plus `extraNames` (compared whole, normalised: the names
 * of `logging.redact` entries and of the configured exporter headers, see configuredSecretNames).
 * The answer for each key is cached (up to 4096 keys), so a key seen before costs one Map lookup.
 */
export function createSecretNameMatcher(extraNames: Iterable<string> = []): SecretNameMatcher {
  const whole = new Set(SECRET_NAMES_WHOLE);
  for (const name of extraNames) if (name !== '') whole.add(normalizeKey(name));
  const cache = new Map<string, boolean>();
  return function isSecret(key: string): boolean {
    let secret = cache.get(key);
    if (secret !== undefined) return secret;
    const normalized = normalizeKey(key);
    secret = whole.has(normalized) || SECRET_NAME_ENDINGS.some((ending) => normalized.endsWith(ending));
    if (cache.size < MAX_CACHED_KEYS) cache.set(key, secret);
    return secret;
  };
}

/** True when `key` is a secret by the built-in list alone (no configured names). */
export const isSecretName: SecretNameMatcher = createSecretNameMatcher();

/**
 * `record` (span attributes, a flat map of fields) with the value of every secret-named key
 * replaced by `[REDACTED]`: a copy when one is found, otherwise `record` itself. Not recursive.
 */
export function censorSecretEntries<T extends Readonly<Record<string, unknown>>>(
  record: T,
  isSecret: SecretNameMatcher,
): T {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    if (record[key] !== undefined && isSecret(key)) (copy ??= { ...record })[key] = REDACTED;
  }
  return (copy ?? record) as T;
}

/**
 * The key a `logging.redact` path ends in, unquoted (`req.headers["x-session"]` gives `x-session`),
 * or undefined for a path ending in a wildcard.
 */
export function lastPathKey(path: string): string | undefined {
  const last = path
    .split(/[.[\]]/)
    .filter((segment) => segment !== '')
    .pop()
    ?.replace(/^["']|["']$/g, '');
  return last === undefined || last === '*' || last === '' ? undefined : last;
}

/**
 * The names the config adds to the built-in list: the key each `logging.redact` path ends in and
 * the name of every configured exporter header (`opentelemetry.exporter.headers`).
 */
export function configuredSecretNames(config: Pick<ObservabilityConfig, 'logging' | 'opentelemetry'>): string[] {
  const names: string[] = [];
  for (const path of config.logging.redact) {
    const key = lastPathKey(path);
    if (key !== undefined) names.push(key);
  }
  names.push(...Object.keys(config.opentelemetry.exporter.headers));
  return names;
}

const matchers = new WeakMap<object, SecretNameMatcher>();

/** The matcher of `config`: built-in names plus {@link configuredSecretNames}, one per config object. */
export function secretNameMatcherFor(
  config: Pick<ObservabilityConfig, 'logging' | 'opentelemetry'>,
): SecretNameMatcher {
  let matcher = matchers.get(config);
  if (matcher === undefined) {
    const extra = configuredSecretNames(config);
    matcher = extra.length === 0 ? isSecretName : createSecretNameMatcher(extra);
    matchers.set(config, matcher);
  }
  return matcher;
}
