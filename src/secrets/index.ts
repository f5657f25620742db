/**
 * Secrets, in one place: the marker that replaces them, the one list of secret names (log
 * fields, `@Instrument` arguments, span attributes, URL parameters), URL credentials, and the
 * scrubbing of known secret values from free text. The config's own secret keys are marked in the
 * schema (`sensitive: true`); src/config/redact.ts applies these rules to config values.
 */
export { REDACTED } from './redacted.js';
export {
  censorSecretEntries,
  configuredSecretNames,
  createSecretNameMatcher,
  isSecretName,
  lastPathKey,
  normalizeKey,
  SECRET_NAME_ENDINGS,
  SECRET_NAMES_WHOLE,
  secretNameMatcherFor,
  type SecretNameMatcher,
} from './secret-names.js';
export { scrubUrlCredentials, urlCredentials } from './url-credentials.js';
export { scrubSecretText } from './scrub-text.js';
