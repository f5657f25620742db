/**
 * Issue 21: the Grafana Foundation SDK is a build-time dependency only. No module a service or the
 * CLI can load (the package's entry points and everything they import, statically or with
 * `import('./...')`) imports `@grafana/*`; the dashboards the CLI writes are the shipped JSON.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../support/node-versions.js';

const SPECIFIERS = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

/** Every built module reachable from `entries` (relative specifiers), with the bare ones each imports. */
function reachable(entries: string[]): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue = [...entries];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    const code = readFileSync(file, 'utf8');
    const bare: string[] = [];
    for (const [, specifier] of code.matchAll(SPECIFIERS)) {
      if (specifier!.startsWith('.')) queue.push(resolve(dirname(file), specifier!));
      else bare.push(specifier!);
    }
    seen.set(file, bare);
  }
  return seen;
}

describe('runtime imports of the built package', () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, { default: string }>;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const entries = Object.values(pkg.exports)
    .filter((target): target is { default: string } => typeof target === 'object')
    .map((target) => join(REPO_ROOT, target.default));

  it('reach no @grafana/* module from any entry point, the CLI included', () => {
    const modules = reachable(entries);
    assert.ok(modules.has(join(REPO_ROOT, 'dist/src/cli/dashboards.js')), 'the dashboards command is reached');
    assert.ok(modules.has(join(REPO_ROOT, 'dist/src/operator-kit/artifacts.js')), 'the artifacts module is reached');
    const offenders = [...modules].filter(([, bare]) => bare.some((name) => name.startsWith('@grafana/')));
    assert.deepEqual(offenders, []);
    assert.ok(!modules.has(join(REPO_ROOT, 'dist/src/operator-kit/dashboard-builder.js')));
  });

  it('list the Grafana Foundation SDK as a dev dependency only', () => {
    assert.equal(pkg.dependencies['@grafana/grafana-foundation-sdk'], undefined);
    assert.ok(pkg.devDependencies['@grafana/grafana-foundation-sdk'] !== undefined);
  });
});
