import { REDACTED } from './redacted.js';
import type { SecretNameMatcher } from './secret-names.js';
import { scrubUrlCredentials } from './url-credentials.js';

/**
 * `text` (a message, an error of a third-party client, a rendered report) with every known secret
 * value replaced by `[REDACTED]`, longest first so that a secret containing another goes whole,
 * and the credentials of every URL in it redacted (see url-credentials.ts). `secrets` usually comes
 * from collectSecrets(config).
 */
export function scrubSecretText(text: string, secrets: readonly string[], isSecret?: SecretNameMatcher): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret !== '' && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return scrubUrlCredentials(out, isSecret);
}
