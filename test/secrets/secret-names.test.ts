import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  configuredSecretNames,
  createSecretNameMatcher,
  isSecretName,
  lastPathKey,
  normalizeKey,
  SECRET_NAME_ENDINGS,
  SECRET_NAMES_WHOLE,
  secretNameMatcherFor,
} from '../../src/secrets/index.js';
import { testConfig } from '../support/config.js';

describe('the one list of secret names', () => {
  it('normalises case, - and _ away', () => {
    for (const key of ['apiKey', 'api_key', 'API-KEY', 'Api_Key', 'apikey']) assert.equal(normalizeKey(key), 'apikey');
  });

  it('names the seven secret-shaped keys of issue 19 and the two headers secrets', () => {
    const keys = ['password', 'apiKey', 'api_key', 'clientSecret', 'accessToken', 'passwd', 'secret', 'refresh_token'];
    for (const key of [...keys, 'x-api-key', 'authorization']) assert.equal(isSecretName(key), true, key);
  });

  it('names what public scrubbing lists name (passwords, secrets, tokens, API keys, credentials, private keys, sessions, auth headers, cookies)', () => {
    const secrets = [
      // passwords
      'Password',
      'userPassword',
      'new_password',
      'db-passwd',
      'passphrase',
      'MYSQL_PWD',
      'pwd',
      // secrets and credentials
      'client_secret',
      'AWS_SECRETS',
      'credentials',
      'awsCredential',
      's3_creds',
      // tokens
      'token',
      'id_token',
      'sessionToken',
      'x-auth-token',
      'X-Access-Token',
      'x-csrf-token',
      'XSRF-TOKEN',
      'csrftoken',
      '_csrf',
      'x-amz-security-token',
      'jwt',
      'bearer',
      // API and private keys
      'X-Goog-Api-Key',
      'apiKeys',
      'private_key',
      'privateKey',
      'secret_key',
      'aws_secret_access_key',
      'access_key',
      'signing_key',
      'encryption_key',
      'X-Amz-Signature',
      'sig',
      'AWSAccessKeyId',
      // auth headers and sessions, cookies
      'Authorization',
      'Proxy-Authorization',
      'auth',
      'basicAuth',
      'cookie',
      'Cookie',
      'set-cookie',
      'cookies',
      'session',
      'user_session',
      'sessionid',
      'session_id',
      'JSESSIONID',
      'PHPSESSID',
      'connect.sid',
      'sid',
    ];
    const missed = secrets.filter((key) => !isSecretName(key));
    assert.deepEqual(missed, []);
  });

  it('matches names only at the end of a key, so ordinary words and counts stay', () => {
    const readable = [
      'token_count',
      'tokens_used',
      'tokensUsed',
      'max_tokens',
      'tokenizer',
      'token_type',
      'author',
      'authority',
      'authenticated',
      'auth_type',
      'oauth_provider',
      'keyboard',
      'key',
      'monkey',
      'password_file',
      'passwordPolicy',
      'credentials_file',
      'secretName',
      'cookie_consent',
      'sessions',
      'session_count',
      'api_version',
      'passport',
      'ssid',
      'signed',
      'task_id',
      'session.id',
    ];
    const censored = readable.filter((key) => isSecretName(key));
    assert.deepEqual(censored, []);
  });

  it('adds configured names, compared whole after normalisation', () => {
    const isSecret = createSecretNameMatcher(['card_number', 'X-Tenant-Key']);
    assert.equal(isSecret('cardNumber'), true);
    assert.equal(isSecret('x_tenant_key'), true);
    assert.equal(isSecret('gift_card_number_count'), false);
    assert.equal(isSecret('password'), true, 'the built-in list stays');
  });

  it('takes the configured names from logging.redact and the exporter headers', () => {
    const config = testConfig({
      logging: { redact: ['customer.card', 'req.headers["x-session"]', 'items[*].pin', 'a.*'] },
      opentelemetry: { exporter: { headers: { 'X-Tenant-Key': 'v' } } },
    });
    assert.deepEqual(configuredSecretNames(config), ['card', 'x-session', 'pin', 'X-Tenant-Key']);
    const isSecret = secretNameMatcherFor(config);
    assert.equal(isSecret('CARD'), true);
    assert.equal(isSecret('x_tenant_key'), true);
    assert.equal(secretNameMatcherFor(config), isSecret, 'one matcher per config object');
    assert.equal(lastPathKey('a.*'), undefined);
  });

  it('is the list docs/logging.md shows', () => {
    const doc = readFileSync(new URL('../../../docs/logging.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## Secrets never reach a line'), doc.indexOf('## Cost'));
    const missing = [...SECRET_NAME_ENDINGS, ...SECRET_NAMES_WHOLE].filter(
      (name) => !section.includes('`' + name + '`'),
    );
    assert.deepEqual(missing, []);
  });
});
