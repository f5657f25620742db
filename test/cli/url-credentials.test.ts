/**
 * Issue 19, item 8: the user name and password of an endpoint URL (and a token used as the user
 * name) never appear in check-config (text and --json, valid config or not) nor in doctor output.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../support/prometheus.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const USER = 'collector-user-Qw7';
const PASSWORD = 'url-password-Zx9Kp';
const TOKEN = 'glc_url-token-Hy4Lm';

function leaks(text: string): string[] {
  return [USER, PASSWORD, TOKEN].filter((secret) => text.includes(secret));
}

function checkConfig(args: string[]): { code: number | null; output: string; stdout: string } {
  const result = spawnSync(process.execPath, [CLI, 'check-config', ...args], {
    env: { PATH: process.env.PATH },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}`, stdout: result.stdout };
}

function doctor(file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, 'doctor', file],
      { env: { PATH: process.env.PATH }, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code ?? -1), output: `${stdout}${stderr}` }),
    );
  });
}

let dir: TempDir;
before(() => {
  dir = createTempDir('grey-url-credentials-');
});
after(() => dir.remove());

function configFile(name: string, endpoint: string, extra = ''): string {
  return dir.write(
    `${name}.yaml`,
    `prometheus:\n  enabled: false\nopentelemetry:\n  exporter:\n    protocol: http/protobuf\n    endpoint: "${endpoint}"\n    timeout_ms: 2000\n${extra}`,
  );
}

describe('URL credentials in CLI output', () => {
  const endpoints = {
    'user and password': `http://${USER}:${PASSWORD}@127.0.0.1:4318/v1/traces`,
    'token as user name': `https://${TOKEN}@collector.example:4318/v1/traces`,
  };

  for (const [what, endpoint] of Object.entries(endpoints)) {
    it(`check-config prints the endpoint with its ${what} redacted, as text and JSON`, () => {
      const file = configFile(`valid-${what.replace(/ /g, '-')}`, endpoint);
      const text = checkConfig([file]);
      assert.equal(text.code, 0, text.output);
      assert.deepEqual(leaks(text.output), []);
      assert.match(text.stdout, /^opentelemetry\.exporter\.endpoint +"https?:\/\/\[REDACTED\](:\[REDACTED\])?@/m);
      const json = checkConfig([file, '--json']);
      assert.equal(json.code, 0, json.output);
      assert.deepEqual(leaks(json.output), []);
      const row = (JSON.parse(json.stdout) as { values: Array<{ key: string; value: unknown }> }).values.find(
        (r) => r.key === 'opentelemetry.exporter.endpoint',
      );
      assert.equal(
        row?.value,
        endpoint.replace(/\/\/[^@]*@/, what === 'token as user name' ? '//[REDACTED]@' : '//[REDACTED]:[REDACTED]@'),
      );
    });

    it(`check-config keeps the ${what} out of the problems of an invalid config`, () => {
      // The endpoint itself is invalid (a port out of range) and so is another key.
      const bad = endpoint.replace(/:4318/, ':99999');
      const file = configFile(`invalid-${what.replace(/ /g, '-')}`, bad, '  sampling:\n    strategy: nope\n');
      for (const args of [[file], [file, '--json']]) {
        const run = checkConfig(args);
        assert.equal(run.code, 1, run.output);
        assert.match(run.output, /opentelemetry\.exporter\.endpoint/);
        assert.match(run.output, /\[REDACTED\]/);
        assert.deepEqual(leaks(run.output), [], args.join(' '));
      }
    });
  }

  it('doctor keeps user name and password out of every check, the collector answering 401', async () => {
    const server: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(401).end(`no access for ${req.headers.authorization ?? 'nobody'}`));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      for (const endpoint of [
        `http://${USER}:${PASSWORD}@127.0.0.1:${port}/v1/traces`,
        `http://${TOKEN}@127.0.0.1:${port}/v1/traces`,
      ]) {
        const result = await doctor(configFile('doctor', endpoint));
        assert.equal(result.code, 1, result.output);
        assert.match(result.output, /collector at http:\/\/127\.0\.0\.1:\d+/);
        assert.deepEqual(leaks(result.output), [], result.output);
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('doctor keeps them out when nothing listens and when the config is invalid', async () => {
    const closed = await freePort();
    const refused = await doctor(configFile('refused', `http://${USER}:${PASSWORD}@127.0.0.1:${closed}`));
    assert.equal(refused.code, 1);
    assert.deepEqual(leaks(refused.output), [], refused.output);
    const invalid = await doctor(configFile('doctor-invalid', `http://${TOKEN}@127.0.0.1:99999/v1/traces`));
    assert.equal(invalid.code, 1);
    assert.match(invalid.output, /^FAIL config: /m);
    assert.deepEqual(leaks(invalid.output), [], invalid.output);
  });
});
