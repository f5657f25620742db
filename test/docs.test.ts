import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderConfigReference, renderCodeTable, updateConfigTables } from '../src/config/reference.js';
import { ErrorCodes } from '../src/errors.js';
import { WarningCodes } from '../src/warning-codes.js';
import { parse } from 'yaml';
import { runCli } from '../src/cli/run-cli.js';
import { KIT_LAYOUT } from '../src/operator-kit/kit.js';
import { podMonitor } from '../src/operator-kit/kubernetes-objects.js';
import { schemaDefaults } from '../src/config/defaults.js';
import { kitOptions } from './operator-kit/support/kit-options.js';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('generated docs', () => {
  it('docs/config-reference.md matches the schema (run npm run docs after changing it)', () => {
    assert.equal(read('docs/config-reference.md'), renderConfigReference());
  });

  it('the config tables of the docs pages match the schema (run npm run docs after changing it)', () => {
    const pages = readdirSync(new URL('../../docs/', import.meta.url)).filter((name) => name.endsWith('.md'));
    let tables = 0;
    for (const name of pages) {
      const page = read(`docs/${name}`);
      tables += page.match(/<!-- config:[\w.,]+:begin -->/g)?.length ?? 0;
      assert.equal(page, updateConfigTables(page), name);
    }
    assert.ok(tables >= 2, 'docs/metrics.md and docs/logging.md hold generated config tables');
  });

  it('docs/errors.md lists every error and warning code with its meaning', () => {
    const errors = read('docs/errors.md');
    assert.ok(errors.includes(renderCodeTable()), 'run npm run docs');
    for (const code of Object.keys({ ...ErrorCodes, ...WarningCodes })) assert.ok(errors.includes(`\`${code}\``), code);
  });

  it('CHANGELOG.md has an Unreleased section in Keep a Changelog form', () => {
    const changelog = read('CHANGELOG.md');
    assert.match(changelog, /^## \[Unreleased\]$/m);
    assert.match(changelog, /^### Added$/m);
  });

  it('docs/dashboards.md lists every file of the operator kit and every flag of `monitoring --help`', () => {
    const page = read('docs/dashboards.md');
    for (const entry of KIT_LAYOUT) assert.ok(page.includes(`\`${entry.path}\``), entry.path);
    let help = '';
    const code = runCli(['monitoring', '--help'], { stdout: (t) => (help += t), stderr: () => {}, env: {}, cwd: '.' });
    assert.equal(code instanceof Promise ? 0 : code, 0);
    return Promise.resolve(code).then(() => {
      const flags = [...new Set(help.match(/--[a-z][-a-z]+/g))];
      assert.ok(flags.length >= 18, flags.join(' '));
      for (const flag of flags) assert.ok(page.includes(`\`${flag} `) || page.includes(`\`${flag}\``), flag);
    });
  });

  it("docs/kubernetes.md's PodMonitor is what the kit writes for the flags it shows", () => {
    const page = read('docs/kubernetes.md');
    const blocks = [...page.matchAll(/^( *)```yaml\n([\s\S]*?)^\1```$/gm)].map(([, indent, body]) =>
      (body as string).replace(new RegExp(`^${indent as string}`, 'gm'), ''),
    );
    const example = blocks.find((body) => body.includes('kind: PodMonitor'));
    assert.ok(example !== undefined, 'the PodMonitor example');
    const config = schemaDefaults();
    config.service.name = 'billing-api';
    const options = kitOptions(
      {
        namespace: 'shop',
        selector: ['app=billing-api'],
        job: 'billing-api',
        'monitor-label': ['release=kube-prometheus-stack'],
      },
      config,
    );
    assert.deepEqual(parse(example), podMonitor(options));
  });
});
