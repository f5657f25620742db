/**
 * Issue 21: the README's config block runs as shown, on a machine with no variable set: loaded as
 * written, it gives the values it states and no error.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
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
});
