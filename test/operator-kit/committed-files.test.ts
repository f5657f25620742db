import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { monitoringArtifacts } from '../../src/operator-kit/built-dashboards.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MONITORING = join(ROOT, 'monitoring');

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [relative(MONITORING, path)];
  });
}

describe('monitoring/ (committed generated files)', () => {
  it('holds exactly the generated files, each up to date (run `npm run monitoring` when this fails)', () => {
    const expected = monitoringArtifacts();
    assert.deepEqual(listFiles(MONITORING).sort(), expected.map((a) => a.path).sort());
    for (const artifact of expected) {
      const committed = readFileSync(join(MONITORING, artifact.path), 'utf8');
      assert.ok(committed === artifact.content, `monitoring/${artifact.path} is stale: run npm run monitoring`);
    }
  });

  it('is shipped in the npm package', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    assert.ok(pkg.files.includes('monitoring'), JSON.stringify(pkg.files));
  });
});
