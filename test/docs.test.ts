import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderConfigReference, renderErrorCodeTable, updateConfigTables } from '../src/config/reference.js';
import { ErrorCodes } from '../src/errors.js';

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
    assert.ok(errors.includes(renderErrorCodeTable()), 'run npm run docs');
    for (const code of Object.keys(ErrorCodes)) assert.ok(errors.includes(`\`${code}\``), code);
  });

  it('CHANGELOG.md has an Unreleased section in Keep a Changelog form', () => {
    const changelog = read('CHANGELOG.md');
    assert.match(changelog, /^## \[Unreleased\]$/m);
    assert.match(changelog, /^### Added$/m);
  });
});
