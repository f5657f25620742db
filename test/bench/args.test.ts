import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BenchUsageError, parseBenchArgs } from '../../bench/args.js';
import { createTempDir } from '../support/temp-dir.js';

const NAMES = ['task_call@0', 'task_call@0.1', 'scrape@100', 'log_line', 'cold_start'];
const DOC =
  '# perf\n<!-- bench:conditions:start -->\n<!-- bench:conditions:end -->\n<!-- bench:results:start -->\n' +
  '<!-- bench:results:end -->\n<!-- bench:startup:start -->\n<!-- bench:startup:end -->\n';

describe('parseBenchArgs', () => {
  const dir = createTempDir('grey-bench-args-');
  after(() => dir.remove());
  const doc = dir.write('performance.md', DOC);
  const results = join(dir.path, 'results.json');
  const parse = (...argv: string[]) => parseBenchArgs(argv, () => NAMES, dir.path);
  const rejects = (argv: string[], message: RegExp) =>
    assert.throws(
      () => parse(...argv),
      (error: unknown) => error instanceof BenchUsageError && message.test(error.message),
    );

  it('reads the mode, the prefixes and the outputs', () => {
    const options = parse('--quick', '--only=scrape,log', `--results=${results}`, `--docs=${doc}`);
    assert.deepEqual(options, {
      mode: 'quick',
      only: ['scrape', 'log'],
      results,
      startup: join(dir.path, 'startup-parts.json'),
      docs: doc,
    });
    assert.equal(parse('--tiny', `--results=${results}`, '--no-docs').docs, undefined);
    assert.deepEqual(parse('--only=startup', `--results=${results}`, '--no-docs').only, ['startup']);
  });

  it('refuses an unknown flag, a positional argument and --quick with --tiny', () => {
    rejects(['--quik'], /Unknown option '--quik'/);
    rejects(['quick'], /positional argument/);
    rejects(['--quick', '--tiny'], /--quick and --tiny exclude each other/);
    rejects(['--no-docs', `--docs=${doc}`], /--docs and --no-docs exclude each other/);
  });

  it('refuses an --only that is empty or names no comparison, listing the comparisons', () => {
    rejects(['--only='], /--only= has an empty name/);
    rejects(['--only=scrape,'], /has an empty name/);
    rejects(['--only=nosuch,log_line'], /--only names no comparison: nosuch \(the comparisons: task_call@0, .*startup/);
  });

  it('refuses outputs that cannot be written before anything runs', () => {
    rejects(
      ['--results=/nonexistent/dir/x.json', '--no-docs'],
      /--results: the directory \/nonexistent\/dir does not exist/,
    );
    rejects(['--results='], /--results= is empty/);
    rejects([`--results=${results}`, `--docs=${join(dir.path, 'missing.md')}`], /--docs: .*missing\.md does not exist/);
    const bare = dir.write('bare.md', '# no markers\n<!-- bench:results:start -->\n<!-- bench:results:end -->\n');
    rejects([`--results=${results}`, `--docs=${bare}`], /lacks the markers of the conditions, startup blocks/);
  });
});
