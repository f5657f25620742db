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

  it('prints an OTEL_* variable it cannot use as a warning, exits 0, and shows the value that applies', () => {
    const file = dir.write('sampler.yaml', 'opentelemetry:\n  sampling:\n    strategy: always_on\n');
    const env = { OTEL_TRACES_SAMPLER: 'xray', OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=hdr-s3cret%ZZ' };
    const { code, stdout, stderr } = run(['check-config', file], env);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^config is valid$/m);
    assert.match(stdout, /^2 warnings:$/m);
    assert.match(
      stdout,
      /^ {2}OBS_WARN_CONFIG_ENV_IGNORED: environment variable OTEL_TRACES_SAMPLER="xray" cannot be used for opentelemetry\.sampling\.strategy and is ignored \(expected one of always_on, .*\); opentelemetry\.sampling\.strategy keeps its value from the config file /m,
    );
    assert.match(stdout, /OTEL_EXPORTER_OTLP_HEADERS="\[REDACTED\]"/);
    assert.match(stdout, new RegExp(`^opentelemetry\\.sampling\\.strategy +"always_on" +\\[file ${file}\\]$`, 'm'));
    assert.ok(!stdout.includes('hdr-s3cret') && !stderr.includes('hdr-s3cret'), 'the header stays secret');

    const json = run(['check-config', file, '--json'], env);
    assert.equal(json.code, 0);
    const parsed = JSON.parse(json.stdout) as {
      valid: boolean;
      warnings: Array<{
        code: string;
        variable: string;
        key: string;
        value: string;
        expected: string;
        message: string;
      }>;
    };
    assert.equal(parsed.valid, true);
    assert.deepEqual(
      parsed.warnings.map((w) => [w.code, w.variable, w.key, w.value]),
      [
        ['OBS_WARN_CONFIG_ENV_IGNORED', 'OTEL_EXPORTER_OTLP_HEADERS', 'opentelemetry.exporter.headers', '[REDACTED]'],
        ['OBS_WARN_CONFIG_ENV_IGNORED', 'OTEL_TRACES_SAMPLER', 'opentelemetry.sampling.strategy', 'xray'],
      ],
    );
    assert.ok(!json.stdout.includes('hdr-s3cret'));
  });

  it('prints no warnings section when there is nothing to warn about', () => {
    const { code, stdout } = run(['check-config', dir.write('plain.yaml', 'service:\n  name: plain\n')]);
    assert.equal(code, 0);
    assert.doesNotMatch(stdout, /warning/);
    const json = run(['check-config', dir.write('plain2.yaml', 'service:\n  name: plain\n'), '--json']);
    assert.deepEqual((JSON.parse(json.stdout) as { warnings: unknown[] }).warnings, []);
  });

  it('keeps the output of a config with 50,000 distinct problems small, and says how many were left out', () => {
    const file = dir.write(
      'huge.yaml',
      `service:\n  name: "${Array.from({ length: 50_000 }, (_, i) => `\${A${i}}`).join('')}"\n`,
    );
    const text = run(['check-config', file]);
    assert.equal(text.code, 1);
    assert.ok(text.stderr.length < 10_000, `${text.stderr.length} characters on stderr`);
    assert.match(text.stderr, /and 49980 more not listed/);
    const json = run(['check-config', file, '--json']);
    assert.ok(json.stdout.length < 20_000, `${json.stdout.length} characters of JSON`);
    const parsed = JSON.parse(json.stdout) as { code: string; problems: unknown[]; omitted: number };
    assert.equal(parsed.code, 'OBS_ERR_CONFIG_ENV_UNSET');
    assert.equal(parsed.problems.length, 20);
    assert.equal(parsed.omitted, 49_980);
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

  it('exits 2 naming the problem for an unknown option, an option of another command, or a second file', () => {
    for (const [args, problem] of [
      [['check-config', '--jsn'], /Unknown option '--jsn'/],
      [['doctor', '--json'], /Unknown option '--json'/],
      [['check-config', 'a.yaml', 'b.yaml'], /unexpected argument: b\.yaml/],
      [['check-config', '--json=yes'], /--json/],
    ] as const) {
      const { code, stderr } = run([...args]);
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, problem, args.join(' '));
      assert.match(stderr, /Usage: grey-observability/);
    }
    const help = run(['check-config', '-h']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: grey-observability check-config/);
  });
});
