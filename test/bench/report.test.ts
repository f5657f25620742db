import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import type { StartupPart } from '../../bench/comparisons/startup-parts.js';
import { regenerateDocs } from '../../bench/report.js';
import { createTempDir } from '../support/temp-dir.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PART: StartupPart = { part: 'package import', ms_median: 300, files: 304, top_packages: [['pino', 12]] };
const CARRIED = /_From an earlier run: .+keep the last table\._/;

describe('regenerateDocs: the start-up table', () => {
  const dir = createTempDir('grey-bench-report-');
  after(() => dir.remove());

  const regenerate = async (name: string, measured: boolean): Promise<string> => {
    const doc = join(dir.path, name);
    copyFileSync(join(ROOT, 'docs', 'performance.md'), doc);
    await regenerateDocs(doc, [], [PART], measured ? 'full' : 'quick', measured);
    const text = readFileSync(doc, 'utf8');
    return text.slice(text.indexOf('<!-- bench:startup:start -->'), text.indexOf('<!-- bench:startup:end -->'));
  };

  it('says the table is from an earlier run when this run did not measure it (quick mode)', async () => {
    const block = await regenerate('quick.md', false);
    assert.match(block, CARRIED);
    assert.match(block, /\| package import +\| +300 ms \| +304 \|/);
  });

  it('has no such line when this run measured it', async () => {
    const block = await regenerate('full.md', true);
    assert.doesNotMatch(block, /earlier run/);
    assert.match(block, /\| package import +\| +300 ms \| +304 \|/);
  });
});
