/**
 * Credentials inside URLs, wherever a URL is printed: the user name and password of the
 * authority (`https://user:password@collector:4318`, or a token as the user name:
 * `https://glc_token@collector:4318`) and query or fragment parameters with a secret name
 * (`?access_token=...`, `#id_token=...`, `&X-Amz-Signature=...`).
 *
 * The shape follows OpenTelemetry's rule for `url.full` (semantic conventions, URL attributes):
 * user name and password are each replaced (`https://[REDACTED]:[REDACTED]@host/`), and a redacted
 * query parameter keeps its name (`?color=blue&sig=[REDACTED]`).
 *
 * The text is matched, not parsed, so that it works on free text and on JSON lines alike: the
 * user info runs from `scheme://` to the last `@` before the end of the authority (`/`, `?`, `#`,
 * whitespace or a JSON string's closing quote; JSON escapes such as `\"` are kept inside).
 */
import { REDACTED } from './redacted.js';
import { isSecretName, type SecretNameMatcher } from './secret-names.js';

// scheme://user-info@ : the user info may hold `@` itself (the last one ends it, as WHATWG URL does).
const USER_INFO = /([a-z][a-z0-9+.-]*:\/\/)((?:[^\s/?#"\\]|\\.)*)@/gi;
// ?name=value, &name=value, #name=value (a JSON string's quote ends the value; escapes are kept in).
const PARAMETER = /([?&#])([^=&#\s"?]+)=((?:[^&#\s"\\]|\\.)*)/g;

function replaceUserInfo(match: string, scheme: string, userInfo: string): string {
  if (userInfo === '') return match;
  return `${scheme}${userInfo.includes(':') ? `${REDACTED}:${REDACTED}` : REDACTED}@`;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/**
 * `text` with the credentials of every URL in it replaced by `[REDACTED]` (see the module comment).
 * `isSecret` decides which parameter names are secret (default: the built-in list). Text without
 * `@` or `=` is returned at the cost of a scan for those characters.
 */
export function scrubUrlCredentials(text: string, isSecret: SecretNameMatcher = isSecretName): string {
  let out = text;
  if (out.includes('@') && out.includes('://')) out = out.replace(USER_INFO, replaceUserInfo);
  if (out.includes('=') && (out.includes('?') || out.includes('#') || out.includes('&'))) {
    out = out.replace(PARAMETER, (match: string, separator: string, name: string, value: string) =>
      value !== '' && value !== REDACTED && isSecret(decodeName(name)) ? `${separator}${name}=${REDACTED}` : match,
    );
  }
  return out;
}

/**
 * The credentials a URL value carries, for scrubbing them from free text where they appear
 * alone (a client's error message quoting the password): the password, or the user name when
 * there is no password (a token used as the user name), each as written and percent-decoded.
 */
export function urlCredentials(value: string): string[] {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#\s]*)@/i.exec(value) ?? /^([^/:@\s]*:[^/\s]*)@/.exec(value);
  if (match === null) return [];
  const userInfo = match[1] as string;
  const colon = userInfo.indexOf(':');
  const secret = colon === -1 ? userInfo : userInfo.slice(colon + 1);
  if (secret === '') return [];
  const decoded = decodeName(secret);
  return decoded === secret ? [secret] : [secret, decoded];
}
