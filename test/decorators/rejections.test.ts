import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildFixtures, type DecoratorMode } from './support/fixtures.js';

// Issue 10: whatever Node does with a rejection of a decorated method (report it to
// `unhandledRejection`, crash with exit code 1 and the error on stderr, emit `rejectionHandled`
// for a late catch, nothing when awaited) is what it does without the decorator. Each case runs
// in a child process (test/fixtures/decorators-standard/rejection-child.ts), once per decorator
// standard, and is compared with the undecorated twin class.

const root = new URL('../../../', import.meta.url);
const decorators = ['task', 'instrument'] as const;
const kinds = ['asyncFail', 'promiseFail', 'generatorFail'] as const;

interface ChildRun {
  exitCode: number | null;
  stderr: string;
  report: { code: number; seen: Array<{ event: string; message: string; held: boolean }> } | undefined;
}

function runChild(mode: DecoratorMode, args: string[]): Promise<ChildRun> {
  const script = fileURLToPath(
    new URL(`dist/fixture-builds/${mode}/test/fixtures/decorators-standard/rejection-child.js`, root),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      { cwd: fileURLToPath(root), timeout: 30_000, env: { PATH: process.env.PATH ?? '' } },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        resolve({
          exitCode: error === null ? 0 : ((error as { code?: number }).code ?? null),
          stderr,
          report: line.startsWith('{') ? (JSON.parse(line) as ChildRun['report']) : undefined,
        });
      },
    );
  });
}

/** What Node printed about the uncaught rejection, without stack frames and source excerpts. */
function crashSummary(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /^(\w*Error|Node\.js v)/.test(line));
}

before(async () => {
  await buildFixtures();
});

for (const mode of ['standard', 'legacy'] as DecoratorMode[]) {
  describe(`rejections of decorated methods under ${mode} decorators`, () => {
    for (const caller of ['ignore', 'await', 'late-catch']) {
      it(`reports the same events as undecorated methods when the caller does ${caller} (handler installed)`, async () => {
        const [plain, ...decorated] = await Promise.all(
          ['plain', ...decorators].map((decorator) => runChild(mode, [decorator, 'all', caller, 'on'])),
        );
        assert.equal(plain!.exitCode, 0, plain!.stderr);
        const expected = caller === 'await' ? 0 : kinds.length;
        assert.equal(
          plain!.report!.seen.filter((s) => s.event === 'unhandledRejection').length,
          expected,
          'the undecorated baseline reports every ignored rejection',
        );
        for (const [i, run] of decorated.entries()) {
          assert.equal(run.exitCode, plain!.exitCode, `${decorators[i]}: ${run.stderr}`);
          assert.deepEqual(run.report, plain!.report, `${decorators[i]} under ${mode}`);
        }
      });
    }

    for (const kind of kinds) {
      it(`crashes like the undecorated method when a ${kind} rejection is ignored and no handler is installed`, async () => {
        const [plain, ...decorated] = await Promise.all(
          ['plain', ...decorators].map((decorator) => runChild(mode, [decorator, kind, 'ignore', 'off'])),
        );
        assert.equal(plain!.exitCode, 1);
        assert.deepEqual(crashSummary(plain!.stderr).slice(0, 1), [`Error: boom ${kind}`]);
        for (const [i, run] of decorated.entries()) {
          assert.equal(run.exitCode, 1, `${decorators[i]}: ${run.stderr}`);
          assert.deepEqual(crashSummary(run.stderr), crashSummary(plain!.stderr), decorators[i]);
        }
      });
    }
  });
}
