import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { createTempDir } from '../support/temp-dir.js';

// Runs the bench on its tiny input and checks what it writes: not timings (a benchmark is never a
// timed test), only that every comparison ran and results.json and the doc have their shape.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RUN = join(ROOT, 'dist', 'bench', 'run.js');

const EXPECTED = [
  'task_call@0',
  'task_call@0.1',
  'task_call@1',
  'task_call@0,error_capture=off',
  'scrape@100',
  'log_line',
  'cold_start',
  'cold_start@handwired',
  'cold_start@handwired,express+pg',
  'tenant_memory',
];

describe('npm run bench (tiny input)', () => {
  const dir = createTempDir('grey-bench-test-');
  after(() => dir.remove());
  const results = join(dir.path, 'results.json');
  const doc = join(dir.path, 'performance.md');
  copyFileSync(join(ROOT, 'docs', 'performance.md'), doc);
  const run = spawnSync(process.execPath, [RUN, '--tiny', `--results=${results}`, `--docs=${doc}`], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 170_000,
  });

  it('runs to the end', () => {
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  });

  it('writes one object per comparison with the fields of results.json', () => {
    const parsed = JSON.parse(readFileSync(results, 'utf8')) as Array<Record<string, unknown>>;
    assert.deepEqual(
      parsed.map((entry) => entry.name),
      EXPECTED,
    );
    for (const entry of parsed) {
      const name = String(entry.name);
      for (const key of ['ratio_median', 'ratio_min', 'ratio_max']) {
        assert.equal(typeof entry[key], 'number', `${name}.${key}`);
        // Finite, not positive: heap growth (tenant_memory) may come out at or below zero.
        assert.ok(Number.isFinite(entry[key]), `${name}.${key} = ${entry[key]}`);
      }
      assert.ok((entry.ratio_min as number) <= (entry.ratio_median as number), name);
      assert.ok((entry.ratio_median as number) <= (entry.ratio_max as number), name);
      assert.equal(typeof entry.notes, 'string', name);
      assert.ok((entry.notes as string).length > 20, name);
      // Memory figures say so in their field names; time figures are ns.
      const unit = name === 'tenant_memory' ? 'bytes' : 'ns';
      assert.equal(typeof entry[`a_${unit}_median`], 'number', `${name}.a_${unit}_median`);
      assert.equal(typeof entry[`b_${unit}_median`], 'number', `${name}.b_${unit}_median`);
      assert.equal(entry[`a_${unit === 'ns' ? 'bytes' : 'ns'}_median`], undefined, name);
    }
  });

  it('regenerates the tables of docs/performance.md with the Node version and CPU', () => {
    const text = readFileSync(doc, 'utf8');
    assert.match(text, new RegExp(`Node ${process.version.replace(/\./g, '\\.')}, .+ x \\d+`));
    // Table cells are padded by prettier, which formats the regenerated doc. A ratio may be
    // negative: heap growth (tenant_memory) measured on a tiny input can be below zero after a GC.
    for (const name of EXPECTED) {
      assert.match(text, new RegExp(`\\| \`${name.replace(/[.@,=+]/g, '\\$&')}\` +\\| +-?\\d`), `row ${name}`);
    }
    assert.match(text, /\| package import +\| +\d+ ms \| +\d+ \|/);
    assert.match(text, /\| baseline: auto-instrumentations-node +\| +\d+ ms \| +\d+ \|/);
  });
});

describe('npm run bench with a bad command line', () => {
  const dir = createTempDir('grey-bench-bad-');
  after(() => dir.remove());
  const committed = ['bench/results.json', 'bench/startup-parts.json', 'docs/performance.md'].map((file) =>
    join(ROOT, file),
  );
  const stamps = () =>
    committed.map((file) => `${file} ${statSync(file).mtimeMs} ${readFileSync(file, 'utf8').length}`);
  const before = stamps();
  const out = join(dir.path, 'x.json');
  const cases: Array<[string[], RegExp]> = [
    [['--only=nosuch', `--results=${out}`, '--no-docs'], /--only names no comparison: nosuch/],
    [['--only=', `--results=${out}`, '--no-docs'], /--only= has an empty name/],
    [['--quick', '--tiny', `--results=${out}`, '--no-docs'], /--quick and --tiny exclude each other/],
    [['--tiny', '--results=/nonexistent/dir/x.json', '--no-docs'], /the directory \/nonexistent\/dir does not exist/],
    [['--tiny', `--results=${out}`, `--docs=${join(dir.path, 'nope.md')}`], /nope\.md does not exist/],
    [['--quik'], /Unknown option '--quik'/],
  ];
  for (const [args, message] of cases) {
    it(`${args.join(' ').replaceAll(dir.path, 'TMP')}: says what is wrong, exits 2, runs and writes nothing`, () => {
      const run = spawnSync(process.execPath, [RUN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      assert.equal(run.status, 2, `${run.stdout}\n${run.stderr}`);
      assert.match(run.stderr, message);
      assert.match(run.stderr, /usage: npm run bench/);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(run.stdout, '', 'no comparison ran');
      assert.equal(existsSync(out), false);
    });
  }
  it('leaves the committed results and doc alone', () => {
    assert.deepEqual(stamps(), before);
  });
});
