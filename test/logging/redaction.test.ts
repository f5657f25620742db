import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isObservabilityError } from '../../src/errors.js';
import { createLogger } from '../../src/logging/index.js';
import { testConfig } from '../support/config.js';
import { captureLines } from './support/capture.js';

describe('createLogger redaction', () => {
  const secretConfig = () =>
    testConfig({
      logging: { level: 'info', redact: ['customer.card'] },
      prometheus: { auth: { type: 'bearer', token: 'prom-token-123', username: 'scraper', password: 'prom-pass-456' } },
      opentelemetry: { exporter: { headers: { Authorization: 'Bearer otel-token-789', 'x-api-key': 'key-abc-000' } } },
    });

  it('censors the built-in keys at the top level and nested', () => {
    const out = captureLines();
    const logger = createLogger(secretConfig(), { stream: out });
    logger.info(
      {
        authorization: 'a1',
        password: 'p1',
        token: 't1',
        req: { headers: { authorization: 'a2', cookie: 'c2', 'set-cookie': 's2', Authorization: 'a3' } },
        user: { profile: { password: 'p3' } },
      },
      'secrets',
    );
    const line = out.lines[0] as Record<string, any>;
    assert.equal(line.authorization, '[REDACTED]');
    assert.equal(line.password, '[REDACTED]');
    assert.equal(line.token, '[REDACTED]');
    assert.equal(line.req.headers.authorization, '[REDACTED]');
    assert.equal(line.req.headers.Authorization, '[REDACTED]');
    assert.equal(line.req.headers.cookie, '[REDACTED]');
    assert.equal(line.req.headers['set-cookie'], '[REDACTED]');
    assert.equal(line.user.profile.password, '[REDACTED]');
  });

  it('censors configured exporter header names wherever they appear, however short the value', () => {
    const out = captureLines();
    const config = testConfig({
      logging: { level: 'info' },
      opentelemetry: { exporter: { headers: { 'X-Api-Key': 'k1' } } },
    });
    const logger = createLogger(config, { stream: out });
    logger.info({ cfg: config.opentelemetry, outgoing: { 'x-api-key': 'k1' }, count: 'k1-free' }, 'config dump');
    const line = out.lines[0] as Record<string, any>;
    assert.equal(line.cfg.exporter.headers['X-Api-Key'], '[REDACTED]');
    assert.equal(line.outgoing['x-api-key'], '[REDACTED]');
    assert.equal(line.count, 'k1-free', 'short values are censored by key, not scrubbed from free text');
  });

  it('censors secret keys in child bindings and leaves the caller objects unchanged', () => {
    const out = captureLines();
    const headers = { authorization: 'Bearer abc', accept: 'json' };
    const child = createLogger(secretConfig(), { stream: out }).child({ token: 'child-token', component: 'api' });
    child.info({ headers }, 'request');
    const line = out.lines[0] as Record<string, any>;
    assert.equal(line.token, '[REDACTED]');
    assert.equal(line.component, 'api');
    assert.equal(line.headers.authorization, '[REDACTED]');
    assert.equal(line.headers.accept, 'json');
    assert.equal(headers.authorization, 'Bearer abc');
  });

  it('censors the extra paths of logging.redact', () => {
    const out = captureLines();
    createLogger(secretConfig(), { stream: out }).info({ customer: { card: '4111', name: 'Ann' } }, 'order');
    const line = out.lines[0] as Record<string, any>;
    assert.equal(line.customer.card, '[REDACTED]');
    assert.equal(line.customer.name, 'Ann');
  });

  it('rejects an invalid logging.redact path at start-up, naming it', () => {
    for (const path of ['a..b', 'req.headers[', ' ']) {
      assert.throws(
        () =>
          createLogger(testConfig({ logging: { level: 'info', redact: ['ok.path', path] } }), {
            stream: captureLines(),
          }),
        (error) =>
          isObservabilityError(error, 'OBS_ERR_CONFIG_INVALID') &&
          error.key === 'logging.redact' &&
          error.value === path,
      );
    }
  });

  it('never writes a secret value of the config, whatever the key or message', () => {
    const out = captureLines();
    const config = secretConfig();
    const logger = createLogger(config, { stream: out });
    logger.info({ config }, 'resolved config');
    logger.info({ note: 'token is prom-token-123' }, 'free text with otel-token-789 inside');
    logger.error(new Error('login failed for prom-pass-456'), 'boom');
    logger.child({ upstream: 'key-abc-000' }).warn('child binding');
    logger.info({ basic: `Basic ${Buffer.from('scraper:prom-pass-456').toString('base64')}` }, 'basic');
    const text = out.raw.join('');
    for (const secret of [
      'prom-token-123',
      'prom-pass-456',
      'otel-token-789',
      'key-abc-000',
      'Bearer otel-token-789',
    ]) {
      assert.ok(!text.includes(secret), `secret ${secret} leaked`);
    }
    assert.ok(!text.includes(Buffer.from('scraper:prom-pass-456').toString('base64')));
    assert.equal(out.lines.length, 5);
    assert.equal((out.lines[0] as any).config.opentelemetry.exporter.headers, '[REDACTED]');
    assert.match(String(out.lines[1]!.msg), /free text with \[REDACTED\] inside/);
  });
});
