import { createHash, timingSafeEqual } from 'node:crypto';
import type { ObservabilityConfig } from '../config/types.js';
import { ObservabilityError } from '../errors.js';

/** Checks the `Authorization` header of one scrape; true when the scrape may proceed. */
export type ScrapeAuthorizer = (authorization: string | undefined) => boolean;

/**
 * Builds the check for `prometheus.auth`: none, bearer (`Authorization: Bearer <token>`) or basic
 * (`Authorization: Basic base64(username:password)`). Comparisons are constant-time. Throws
 * `OBS_ERR_CONFIG_INVALID` when bearer has no token or basic has no username.
 */
export function createScrapeAuthorizer(auth: ObservabilityConfig['prometheus']['auth']): ScrapeAuthorizer {
  switch (auth.type) {
    case 'none':
      return () => true;
    case 'bearer': {
      if (auth.token === '') {
        throw new ObservabilityError('OBS_ERR_CONFIG_INVALID', 'bearer auth needs a token', {
          key: 'prometheus.auth.token',
          value: '',
          expected: 'a non-empty token (GREY_PROMETHEUS_AUTH_TOKEN) when prometheus.auth.type is bearer',
        });
      }
      const expected = digest(auth.token);
      return (header) => {
        const match = header === undefined ? null : /^Bearer[ \t]+(.+)$/i.exec(header.trim());
        return match !== null && timingSafeEqual(digest(match[1] as string), expected);
      };
    }
    case 'basic': {
      if (auth.username === '') {
        throw new ObservabilityError('OBS_ERR_CONFIG_INVALID', 'basic auth needs a username', {
          key: 'prometheus.auth.username',
          value: '',
          expected: 'a non-empty username when prometheus.auth.type is basic',
        });
      }
      const expected = digest(`${auth.username}:${auth.password}`);
      return (header) => {
        const match = header === undefined ? null : /^Basic[ \t]+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
        if (match === null) return false;
        const credentials = Buffer.from(match[1] as string, 'base64').toString('utf8');
        return timingSafeEqual(digest(credentials), expected);
      };
    }
  }
}

/** Fixed-length digest, so timingSafeEqual never sees different lengths (and leaks none). */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
