/**
 * Issue 19, items 7 and 8: the logger censors every key of the one list of secret names (src/secrets),
 * nested, in bindings and errors, and the credentials of every URL, checked on the raw line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/logging/index.js';
import { testConfig } from '../support/config.js';
import { captureLines } from './support/capture.js';

/** The seven secret-shaped keys of the issue plus its two header cases, each with a value that names it. */
const ISSUE_FIELDS = {
  password: 'v-password',
  apiKey: 'v-apiKey',
  api_key: 'v-api_key',
  clientSecret: 'v-clientSecret',
  accessToken: 'v-accessToken',
  passwd: 'v-passwd',
  secret: 'v-secret',
  refresh_token: 'v-refresh_token',
  headers: { 'x-api-key': 'v-x-api-key', authorization: 'v-authorization' },
};

/** Values of `fields` (flattened) that appear in `text`. */
function leaked(text: string, values: readonly string[]): string[] {
  return values.filter((value) => text.includes(value));
}

function allValues(fields: unknown): string[] {
  if (typeof fields === 'string') return [fields];
  if (fields === null || typeof fields !== 'object') return [];
  return Object.values(fields).flatMap(allValues);
}

function logOnce(fields: Record<string, unknown>, overrides = {}): { raw: string; line: Record<string, any> } {
  const out = captureLines();
  createLogger(testConfig({ logging: { level: 'info' }, ...overrides }), { stream: out }).info(fields, 'line');
  return { raw: out.raw.join(''), line: out.lines[0] as Record<string, any> };
}

describe('createLogger secret names', () => {
  it('writes [REDACTED] for each secret-shaped key of issue 19 in the raw line', () => {
    const { raw, line } = logOnce(ISSUE_FIELDS);
    assert.deepEqual(leaked(raw, allValues(ISSUE_FIELDS)), []);
    for (const key of Object.keys(ISSUE_FIELDS).filter((k) => k !== 'headers'))
      assert.equal(line[key], '[REDACTED]', key);
    assert.equal(line.headers['x-api-key'], '[REDACTED]');
    assert.equal(line.headers.authorization, '[REDACTED]');
    assert.equal((raw.match(/\[REDACTED\]/g) ?? []).length, 10);
  });

  it('censors them nested, in arrays and under objects of other names', () => {
    const fields = {
      request: { body: { user: { credentials: ISSUE_FIELDS } } },
      batch: [{ ...ISSUE_FIELDS }, 'plain'],
    };
    const { raw, line } = logOnce(fields);
    assert.deepEqual(leaked(raw, allValues(ISSUE_FIELDS)), []);
    assert.equal(line.request.body.user.credentials, '[REDACTED]', 'a secret-named object goes whole');
    assert.equal(line.batch[0].clientSecret, '[REDACTED]');
    assert.equal(line.batch[0].headers['x-api-key'], '[REDACTED]');
    assert.equal(line.batch[1], 'plain');
    const deep = { a: { b: { c: { d: { e: { api_key: 'v-deep' } } } } } };
    assert.equal(logOnce(deep).line.a.b.c.d.e.api_key, '[REDACTED]', 'six levels down');
  });

  it('censors the other secret names services use: auth headers, session cookies, private keys, tokens', () => {
    const fields = {
      'x-auth-token': 'v1',
      'Proxy-Authorization': 'v2',
      private_key: 'v3',
      privateKey: 'v4',
      cookie: 'sessionid=v5',
      'set-cookie': ['connect.sid=v6; HttpOnly'],
      sessionid: 'v7',
      'connect.sid': 'v8',
      PHPSESSID: 'v9',
      'XSRF-TOKEN': 'v10',
      id_token: 'v11',
      aws_secret_access_key: 'v12',
      'X-Goog-Api-Key': 'v13',
      MYSQL_PWD: 'v14',
      client_credentials: { id: 'v15', key: 'v16' },
    };
    const { raw } = logOnce(fields);
    assert.deepEqual(leaked(raw, allValues(fields)), []);
    assert.equal((raw.match(/\[REDACTED\]/g) ?? []).length, Object.keys(fields).length);
  });

  it('keeps keys that only contain a secret word: counts, authors, keyboards, file paths', () => {
    const fields = {
      token_count: 12,
      tokens_used: 7,
      max_tokens: 100,
      tokenizer: 'bpe',
      token_type: 'Bearer',
      author: 'ann',
      authenticated: true,
      auth_type: 'bearer',
      keyboard: 'qwerty',
      key: 'cache-key',
      password_file: '/run/secrets/pw',
      credentials_file: '/run/secrets/creds',
      secretName: 'db-secret',
      cookie_consent: 'yes',
      session_count: 3,
    };
    const { raw, line } = logOnce(fields);
    for (const [key, value] of Object.entries(fields)) assert.equal(line[key], value, key);
    assert.ok(!raw.includes('[REDACTED]'), raw);
  });

  it('censors the keys logging.redact paths end in, and the exporter header names, anywhere', () => {
    const { line } = logOnce(
      { customer: { card: '4111' }, other: { card: '4242', name: 'n' }, upstream: { 'X-Tenant-Key': 'tk' } },
      {
        logging: { level: 'info', redact: ['customer.card'] },
        opentelemetry: { exporter: { headers: { 'x-tenant-key': 'tk' } } },
      },
    );
    assert.equal(line.customer.card, '[REDACTED]');
    assert.equal(line.other.card, '[REDACTED]');
    assert.equal(line.other.name, 'n');
    assert.equal(line.upstream['X-Tenant-Key'], '[REDACTED]');
  });

  it('censors secret names in child bindings, nested too, without changing the bound objects', () => {
    const out = captureLines();
    const bound = { headers: { 'x-api-key': 'v-bound-key', accept: 'json' } };
    const child = createLogger(testConfig({ logging: { level: 'info' } }), { stream: out })
      .child({ clientSecret: 'v-bound-secret', component: 'api', ...bound })
      .child({ session_id: 'v-grandchild' });
    child.info({ refresh_token: 'v-call' }, 'from a child');
    child.info('no fields');
    const raw = out.raw.join('');
    assert.deepEqual(leaked(raw, ['v-bound-key', 'v-bound-secret', 'v-grandchild', 'v-call']), []);
    const line = out.lines[1] as Record<string, any>;
    assert.equal(line.clientSecret, '[REDACTED]');
    assert.equal(line.session_id, '[REDACTED]');
    assert.equal(line.component, 'api');
    assert.deepEqual(line.headers, { 'x-api-key': '[REDACTED]', accept: 'json' });
    assert.equal(bound.headers['x-api-key'], 'v-bound-key');
  });

  it('censors request and response headers as serializers write them, by name', () => {
    class SerializedRequest {
      constructor(readonly headers: Record<string, string>) {}
    }
    const req = new SerializedRequest({ cookie: 'sid=v-c', 'x-auth-token': 'v-t', accept: 'json', 'user-agent': 'ua' });
    const res = new SerializedRequest({ 'set-cookie': 'sid=v-s', 'content-type': 'text/plain' });
    const { raw, line } = logOnce({ req, res });
    assert.deepEqual(leaked(raw, ['v-c', 'v-t', 'v-s']), []);
    assert.deepEqual(line.req.headers, {
      cookie: '[REDACTED]',
      'x-auth-token': '[REDACTED]',
      accept: 'json',
      'user-agent': 'ua',
    });
    assert.equal(line.res.headers['content-type'], 'text/plain');
    const all = logOnce({ req }, { logging: { level: 'info', redact: ['req.headers.*'] } }).line;
    assert.equal(all.req.headers.accept, '[REDACTED]', 'logging.redact req.headers.* still censors every header');
  });

  it('censors secrets carried by a logged error and keeps its stack and the error object as they were', () => {
    const out = captureLines();
    const error = Object.assign(new Error('request failed'), {
      status: 401,
      config: { url: '/v1/items', headers: { Authorization: 'Bearer v-err-token', accept: 'json' } },
      apiKey: 'v-err-key',
    });
    const stack = error.stack;
    const logger = createLogger(testConfig({ logging: { level: 'info' } }), { stream: out });
    logger.error(error, 'upstream');
    logger.error({ err: error }, 'upstream again');
    const raw = out.raw.join('');
    assert.deepEqual(leaked(raw, ['v-err-token', 'v-err-key']), []);
    for (const line of out.lines as Array<Record<string, any>>) {
      assert.equal(line.err.type, 'Error');
      assert.equal(line.err.message, 'request failed');
      assert.equal(line.err.stack, stack);
      assert.equal(line.err.status, 401);
      assert.equal(line.err.config.headers.Authorization, '[REDACTED]');
      assert.equal(line.err.config.headers.accept, 'json');
      assert.equal(line.err.apiKey, '[REDACTED]');
    }
    assert.equal(error.config.headers.Authorization, 'Bearer v-err-token');
    assert.deepEqual(Object.getOwnPropertySymbols(error), [], 'the error is not tagged');
  });
});

describe('createLogger URL credentials', () => {
  it('redacts user name and password of a URL in a logged config dump, a field and the message', () => {
    const out = captureLines();
    const config = testConfig({
      logging: { level: 'info' },
      opentelemetry: { exporter: { endpoint: 'https://user:v-url-pass@collector:4318' } },
    });
    const logger = createLogger(config, { stream: out });
    logger.info({ config }, 'config dump');
    logger.info(config.opentelemetry, 'section dump');
    logger.info({ upstream: 'https://v-token-as-user@collector:4318/v1/traces' }, 'field');
    logger.warn('export to https://ops:v-msg-pass@collector:4318 failed');
    logger.child({ target: 'amqp://guest:v-bound-pass@mq:5672' }).info('bound');
    const raw = out.raw.join('');
    assert.deepEqual(leaked(raw, ['v-url-pass', 'v-token-as-user', 'v-msg-pass', 'v-bound-pass', 'user:', 'ops:']), []);
    const [dump, section, field, message, bound] = out.lines as Array<Record<string, any>>;
    assert.equal(dump!.config.opentelemetry.exporter.endpoint, 'https://[REDACTED]:[REDACTED]@collector:4318');
    assert.equal(section!.exporter.endpoint, 'https://[REDACTED]:[REDACTED]@collector:4318');
    assert.equal(field!.upstream, 'https://[REDACTED]@collector:4318/v1/traces');
    assert.equal(message!.msg, 'export to https://[REDACTED]:[REDACTED]@collector:4318 failed');
    assert.equal(bound!.target, 'amqp://[REDACTED]:[REDACTED]@mq:5672');
  });

  it('redacts secret-named query parameters of URLs and keeps the others', () => {
    const { line } = logOnce({
      url: '/callback?code=c1&access_token=v-q&state=s',
      other: 'https://h/?q=a&token_count=2',
    });
    assert.equal(line.url, '/callback?code=c1&access_token=[REDACTED]&state=s');
    assert.equal(line.other, 'https://h/?q=a&token_count=2');
  });

  it('scrubs a URL password of the config from free text where it appears alone', () => {
    const out = captureLines();
    const config = testConfig({
      logging: { level: 'info' },
      opentelemetry: { exporter: { endpoint: 'https://v-url-tok-9@collector:4318' } },
    });
    createLogger(config, { stream: out }).error(new Error('401 for v-url-tok-9'), 'collector said');
    assert.ok(!out.raw.join('').includes('v-url-tok-9'));
  });
});
