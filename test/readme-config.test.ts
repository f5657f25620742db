/**
 * Issue 21: the README's config block runs as shown, on a machine with no variable set: loaded as
 * written, it gives the values it states and no error.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load.js';
import { REPO_ROOT } from './support/node-versions.js';
import { createTempDir } from './support/temp-dir.js';

/** The first ```yaml block after the "## Config" heading of README.md. */
function readmeConfigBlock(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Config\n'));
  const match = /```yaml\n([\s\S]*?)```/.exec(section);
  assert.ok(match, 'README.md has a yaml block under ## Config');
  return match[1]!;
}

describe("the README's config block", () => {
  it('loads as written with no environment variable set', () => {
    const dir = createTempDir();
    try {
      const file = dir.write('observability.yaml', readmeConfigBlock());
      const { config } = loadConfig({ configFile: file, env: {} });
      assert.equal(config.prometheus.port, 9090);
      assert.equal(config.opentelemetry.exporter.endpoint, 'http://otel-collector:4317');
      assert.equal(config.opentelemetry.sampling.ratio, 0.1);
      assert.deepEqual(config.opentelemetry.sampling.always_sample, ['error=true', 'priority=critical']);
      assert.equal(config.service.name, 'grey-distributed');
      assert.equal(config.opentelemetry.exporter.headers.Authorization, 'Bearer ');
      const withToken = loadConfig({ configFile: file, env: { OTEL_TOKEN: 't0ken' } }).config;
      assert.equal(withToken.opentelemetry.exporter.headers.Authorization, 'Bearer t0ken');
    } finally {
      dir.remove();
    }
  });

  it("feeds the README's monitoring command, which writes the kit as shown", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const command = /^npx grey-observability monitoring ((?:[^\n\\]|\\\n)*)$/m.exec(readme)?.[1];
    assert.ok(command !== undefined, 'README.md shows the monitoring command');
    const args = command.replace(/\\\n/g, ' ').trim().split(/\s+/);
    const dir = createTempDir();
    try {
      dir.write('observability.yaml', readmeConfigBlock());
      const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
      const result = spawnSync(process.execPath, [cli, 'monitoring', ...args], { cwd: dir.path, encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      // Only the image is left to fill: the command gives both webhooks.
      const placeholders = result.stderr.split('\n').filter((line) => line.startsWith('placeholder left'));
      assert.equal(placeholders.length, 1, result.stderr);
      assert.match(placeholders[0]!, /--image/);
      assert.ok(existsSync(join(dir.path, 'ops', 'kubernetes', 'prometheusrule.yaml')));
      assert.match(readFileSync(join(dir.path, 'ops', 'kubernetes', 'podmonitor.yaml'), 'utf8'), /namespace: shop/);
    } finally {
      dir.remove();
    }
  });
});
