import type { Attributes, AttributeValue, Context } from '@opentelemetry/api';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { scrubUrlCredentials, type SecretNameMatcher } from '../secrets/index.js';

/**
 * Redacts the credentials of URLs in span attributes before any processor's `onEnd` sees the
 * span (so before export, and before the service's own span processors): the user name and
 * password of `scheme://user:password@host` and the query or fragment parameters whose name is a
 * secret by the one list of secret names (`?access_token=...`, `&X-Amz-Signature=...`, names of
 * `logging.redact` and exporter headers included), as scrubUrlCredentials() does for logs.
 *
 * Why: the instrumentations record URLs as they were requested. instrumentation-http redacts the
 * user info and a fixed list of query names in `url.full`, but not `url.query` of server spans nor
 * other names (`access_token`, `api_key`); instrumentation-undici (fetch) records `url.full` and
 * `url.query` unredacted. OpenTelemetry's semantic conventions (URL attributes) ask for the user
 * info to be redacted and allow query values to be.
 *
 * Every string attribute (and string array element) is checked, whatever its key, so URLs under
 * other keys (`http.url`, `http.target`, `db.connection_string`, the service's own) are covered;
 * a value without `@` or `=` costs a scan for those characters. Runs in `onEnding`, while the span
 * is still writable, so attributes set after start are covered too. Never throws.
 */
export class UrlCredentialsSpanProcessor implements SpanProcessor {
  constructor(private readonly isSecret: SecretNameMatcher) {}

  onStart(_span: Span, _parentContext: Context): void {}

  onEnding(span: Span): void {
    try {
      scrubAttributes(span.attributes, this.isSecret);
      // Event attributes too: an exception event's message may quote the URL a request failed on.
      for (const event of span.events)
        if (event.attributes !== undefined) scrubAttributes(event.attributes, this.isSecret);
    } catch {
      // A span that cannot be read or written any more keeps its attributes; export goes on.
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The semantic conventions' query attribute, written without its `?` (server spans of instrumentation-http). */
const URL_QUERY = 'url.query';

function scrubQuery(query: string, isSecret: SecretNameMatcher): string {
  const prefixed = `?${query}`;
  const scrubbed = scrubUrlCredentials(prefixed, isSecret);
  return scrubbed === prefixed ? query : scrubbed.slice(1);
}

/**
 * Replaces, in place, each string value of `attributes` (and each string in an array value) whose
 * URL credentials scrubUrlCredentials() redacts. In place: the span is still writable in
 * `onEnding`, and `setAttribute` would count a replaced key against the attribute limit rules
 * again (a truncated value stays truncated, a redacted one is shorter or `[REDACTED]`).
 */
function scrubAttributes(attributes: Attributes, isSecret: SecretNameMatcher): void {
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (typeof value === 'string') {
      const scrubbed =
        key === URL_QUERY && !value.startsWith('?')
          ? scrubQuery(value, isSecret)
          : scrubUrlCredentials(value, isSecret);
      if (scrubbed !== value) attributes[key] = scrubbed;
    } else if (Array.isArray(value) && value.some((item) => typeof item === 'string')) {
      const scrubbed = (value as readonly unknown[]).map((item) =>
        typeof item === 'string' ? scrubUrlCredentials(item, isSecret) : item,
      );
      if (scrubbed.some((item, index) => item !== value[index])) attributes[key] = scrubbed as AttributeValue;
    }
  }
}
