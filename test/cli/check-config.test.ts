import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function run(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let dir: TempDir;
before(() => {
  dir = createTempDir();
});
after(() => dir.remove());

describe('grey-observability check-config', () => {
  it('prints every effective value with its source and exits 0 for a valid file', () => {
    const file = dir.write(
      'ok.yaml',
      'prometheus:\n  port: 9464\nopentelemetry:\n  exporter:\n    headers:\n      Authorization: "Bearer ${OTEL_TOKEN}"\n',
    );
    const { code, stdout } = run(['check-config', file], { OTEL_TOKEN: 'very-secret-token', GREY_LOG_LEVEL: 'debug' });
    assert.equal(code, 0);
    assert.match(stdout, /^config is valid$/m);
    assert.match(stdout, new RegExp(`^prometheus\\.port +9464 +\\[file ${file}\\]$`, 'm'));
    assert.match(stdout, /^logging\.level +"debug" +\[env GREY_LOG_LEVEL\]$/m);
    assert.match(stdout, /^prometheus\.path +"\/metrics" +\[default\]$/m);
    assert.match(stdout, /^opentelemetry\.exporter\.headers\["Authorization"\] +"\[REDACTED\]"/m);
    assert.ok(!stdout.includes('very-secret-token'), 'the secret must not be printed');
  });

  it('uses the usual lookup when no file is given', () => {
    const cwd = createTempDir();
    try {
      cwd.write('observability.yml', 'service:\n  name: from-cwd\n');
      const { code, stdout } = run(['check-config'], {}, cwd.path);
      assert.equal(code, 0);
      assert.match(stdout, /^service\.name +"from-cwd" +\[file .*observability\.yml\]$/m);
    } finally {
      cwd.remove();
    }
  });

  it('prints the built-in defaults when there is no file at all', () => {
    const cwd = createTempDir();
    try {
      const { code, stdout } = run(['check-config'], {}, cwd.path);
      assert.equal(code, 0);
      assert.match(stdout, /^file: \(none: built-in defaults\)$/m);
    } finally {
      cwd.remove();
    }
  });

  it('exits 1 and explains the error for an invalid file, without leaking secrets', () => {
    const file = dir.write(
      'bad.yaml',
      'prometheus:\n  port: 99999\n  auth:\n    type: basic\n    password: [p4ssw0rd-xyz]\n',
    );
    const { code, stdout, stderr } = run(['check-config', file]);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /OBS_ERR_CONFIG_INVALID/);
    assert.match(stderr, /key: prometheus\.port/);
    assert.ok(stderr.includes(file));
    assert.ok(!stderr.includes('p4ssw0rd-xyz'));
  });

  it('lists every problem under problems with --json', () => {
    const file = dir.write('bad-many.yaml', 'prometheus:\n  port: 99999\n  path: nope\n');
    const { code, stdout } = run(['check-config', file, '--json']);
    assert.equal(code, 1);
    const parsed = JSON.parse(stdout) as { valid: boolean; problems: Array<{ key: string; value: unknown }> };
    assert.equal(parsed.valid, false);
    assert.deepEqual(
      parsed.problems.map((p) => [p.key, p.value]),
      [
        ['prometheus.port', 99999],
        ['prometheus.path', 'nope'],
      ],
    );
  });

  it("lists an unset ${VAR} and the invalid GREY_* variables with the file's problems under --json", () => {
    const file = dir.write(
      'bad-everywhere.yaml',
      'prometheus:\n  prot: 1\n  port: 99999\n  auth:\n    type: bearer\n    token: tok-9f8e7d\nopentelemetry:\n  exporter:\n    endpoint: ${NO_SUCH_VAR}\n',
    );
    const { code, stdout, stderr } = run(['check-config', file, '--json'], { GREY_OTEL_SAMPLING_RATIO: 'x' });
    assert.equal(code, 1);
    const parsed = JSON.parse(stdout) as { code: string; problems: Array<{ message: string; key: string }> };
    assert.equal(parsed.code, 'OBS_ERR_CONFIG_UNKNOWN_KEY');
    assert.deepEqual(
      parsed.problems.map((p) => [p.key, p.message]),
      [
        ['prometheus.prot', 'unknown config key "prometheus.prot"'],
        ['opentelemetry.exporter.endpoint', 'environment variable NO_SUCH_VAR is not set'],
        ['prometheus.port', 'invalid value for prometheus.port'],
        [
          'opentelemetry.sampling.ratio',
          'invalid value for opentelemetry.sampling.ratio from environment variable GREY_OTEL_SAMPLING_RATIO',
        ],
      ],
    );
    assert.ok(!stdout.includes('tok-9f8e7d') && !stderr.includes('tok-9f8e7d'));
  });

  it('prints JSON with --json', () => {
    const file = dir.write('json.yaml', 'prometheus:\n  port: 9465\n');
    const { code, stdout } = run(['check-config', file, '--json']);
    assert.equal(code, 0);
    const parsed = JSON.parse(stdout) as {
      valid: boolean;
      values: Array<{ key: string; value: unknown; source: string }>;
    };
    assert.equal(parsed.valid, true);
    assert.deepEqual(
      parsed.values.find((v) => v.key === 'prometheus.port'),
      { key: 'prometheus.port', value: 9465, source: 'file', origin: file },
    );
  });

  it('ends quietly with its own exit code when the reader of its output goes away (| head)', async () => {
    const child = spawn(process.execPath, [CLI, 'check-config'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before the first write: EPIPE
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });

  it('exits 2 with usage for an unknown command', () => {
    const { code, stderr } = run(['frobnicate']);
    assert.equal(code, 2);
    assert.match(stderr, /Usage: grey-observability check-config/);
  });
});
