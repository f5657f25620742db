import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { dashboardArtifacts, ruleArtifacts } from '../../src/operator-kit/artifacts.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function run(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH },
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

describe('grey-observability dashboards and rules', () => {
  it('dashboards --out DIR writes the four dashboards, creating DIR relative to the working directory', () => {
    const { code, stdout } = run(['dashboards', '--out', 'out/grafana'], dir.path);
    assert.equal(code, 0);
    const written = join(dir.path, 'out', 'grafana');
    assert.deepEqual(
      readdirSync(written).sort(),
      dashboardArtifacts()
        .map((a) => a.path)
        .sort(),
    );
    for (const artifact of dashboardArtifacts()) {
      assert.equal(readFileSync(join(written, artifact.path), 'utf8'), artifact.content);
      assert.match(stdout, new RegExp(`wrote .*${artifact.path}`));
    }
  });

  it('rules --out=DIR writes the rule file', () => {
    const { code } = run(['rules', `--out=${join(dir.path, 'rules')}`], dir.path);
    assert.equal(code, 0);
    const [artifact] = ruleArtifacts();
    assert.equal(readFileSync(join(dir.path, 'rules', artifact!.path), 'utf8'), artifact!.content);
  });

  it('exits 2 with the usage when --out is missing, empty or an argument is unknown', () => {
    for (const args of [
      ['dashboards'],
      ['rules', '--out'],
      ['rules', '--out='],
      ['dashboards', '--out', 'x', '--json'],
    ]) {
      const { code, stderr } = run(args, dir.path);
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, /Usage: grey-observability (dashboards|rules) --out DIR/, args.join(' '));
    }
  });

  it('exits 1 naming the folder when it cannot be written', () => {
    writeFileSync(join(dir.path, 'a-file'), '');
    const { code, stderr } = run(['rules', '--out', 'a-file/sub'], dir.path);
    assert.equal(code, 1);
    assert.match(stderr, /could not write to a-file\/sub/);
  });

  it('prints its own help with --help and lists both commands in the main usage', () => {
    const help = run(['dashboards', '--help'], dir.path);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: grey-observability dashboards --out DIR/);
    const main = run(['--help'], dir.path);
    assert.match(main.stdout, /dashboards --out DIR/);
    assert.match(main.stdout, /rules --out DIR/);
  });
});
