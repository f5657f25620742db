import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createSecretNameMatcher,
  scrubSecretText,
  scrubUrlCredentials,
  urlCredentials,
} from '../../src/secrets/index.js';

describe('URL credentials', () => {
  it('replaces the user name and password of a URL, and a token used as the user name', () => {
    const table: Array<[string, string]> = [
      ['https://user:password@collector:4318', 'https://[REDACTED]:[REDACTED]@collector:4318'],
      ['https://glc_token123@collector:4318/v1/traces', 'https://[REDACTED]@collector:4318/v1/traces'],
      ['http://u:p@ss:w@rd@host/x', 'http://[REDACTED]:[REDACTED]@host/x'],
      ['grpc+tls://u:%40pw@[::1]:4317', 'grpc+tls://[REDACTED]:[REDACTED]@[::1]:4317'],
      [
        'export to https://a:b@h:1 failed, https://c@d too',
        'export to https://[REDACTED]:[REDACTED]@h:1 failed, https://[REDACTED]@d too',
      ],
      [
        'https://collector:4318/path/@scope?mail=ann@example.com',
        'https://collector:4318/path/@scope?mail=ann@example.com',
      ],
      ['mail ann@example.com about http://host:80', 'mail ann@example.com about http://host:80'],
    ];
    for (const [text, expected] of table) assert.equal(scrubUrlCredentials(text), expected, text);
  });

  it('works inside JSON text, escaped quotes included', () => {
    const line = JSON.stringify({ endpoint: 'https://user:pa"ss@collector:4318', next: 'x@y' });
    const scrubbed = scrubUrlCredentials(line);
    assert.equal(JSON.parse(scrubbed).endpoint, 'https://[REDACTED]:[REDACTED]@collector:4318');
    assert.equal(JSON.parse(scrubbed).next, 'x@y');
    assert.ok(!scrubbed.includes('pa\\"ss'));
  });

  it('replaces the values of secret-named query and fragment parameters, keeping their names', () => {
    const table: Array<[string, string]> = [
      ['/cb?access_token=abc&state=s1', '/cb?access_token=[REDACTED]&state=s1'],
      ['https://h/x#id_token=t1&token_type=bearer', 'https://h/x#id_token=[REDACTED]&token_type=bearer'],
      [
        'https://b.s3/o?X-Amz-Credential=c&X-Amz-Signature=s&v=1',
        'https://b.s3/o?X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]&v=1',
      ],
      ['https://h/?sig=abc&api%5Fkey=k&token_count=3', 'https://h/?sig=[REDACTED]&api%5Fkey=[REDACTED]&token_count=3'],
      ['https://h/?q=OpenTelemetry', 'https://h/?q=OpenTelemetry'],
    ];
    for (const [text, expected] of table) assert.equal(scrubUrlCredentials(text), expected, text);
    const isSecret = createSecretNameMatcher(['tenant']);
    assert.equal(scrubUrlCredentials('/x?tenant=acme', isSecret), '/x?tenant=[REDACTED]');
  });

  it('lists the credentials a URL value carries, for scrubbing them from free text', () => {
    assert.deepEqual(urlCredentials('https://user:pa%2Fss@h:1'), ['pa%2Fss', 'pa/ss']);
    assert.deepEqual(urlCredentials('https://tok-1@h:1'), ['tok-1']);
    assert.deepEqual(urlCredentials('u:pw@h:1'), ['pw']);
    assert.deepEqual(urlCredentials('https://h:1/a@b'), []);
  });

  it('scrubs known secret values and URL credentials from free text, longest first', () => {
    assert.equal(
      scrubSecretText('auth with abc123 and abc123def at http://u:abc@h', ['abc123', 'abc123def']),
      'auth with [REDACTED] and [REDACTED] at http://[REDACTED]:[REDACTED]@h',
    );
  });
});
