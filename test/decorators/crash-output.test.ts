/**
 * Issue 19, item 10: when the service's own code throws and nobody handles it, the first place
 * Node prints on stderr (the "file:line" header above the stack, or when there is none the first
 * stack frame) is the line that threw, with the package as without it, and the exit code is the
 * same. Each case runs twice in a child process (support/crash-child.ts): without the package
 * (undecorated twin, package never loaded) and with it (decorators, tracing sampling every span,
 * the http instrumentation, logs at info).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const support = new URL('./support/', import.meta.url);
const child = fileURLToPath(new URL('crash-child.js', support));

interface Crash {
  code: number | null;
  stdout: string;
  stderr: string;
}

function crash(mode: 'with' | 'without', scenario: string): Promise<Crash> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [child, mode, scenario],
      { timeout: 60_000, env: { PATH: process.env.PATH ?? '' } },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? null), stdout, stderr });
      },
    );
  });
}

/** `file:line` of the throw whose source contains `text`, in the compiled support module `file`. */
function throwSite(file: 'crash-plain.js' | 'crash-services.js', text: string): string {
  const url = new URL(file, support);
  const index = readFileSync(url, 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(`throw new Error('${text}')`));
  assert.ok(index >= 0, `${text} not found in ${file}`);
  return `${pathToFileURL(fileURLToPath(url)).href}:${index + 1}`;
}

/** The header Node prints above the stack (`file:line`), or undefined when it printed none. */
function header(stderr: string): string | undefined {
  const first = stderr.split('\n')[0] ?? '';
  return /^\S+:\d+$/.test(first) ? first : undefined;
}

/** `file:line` of the first stack frame Node prints. */
function firstFrame(stderr: string): string | undefined {
  for (const line of stderr.split('\n')) {
    const match = /^\s+at (?:.* \()?(\S+?):(\d+):\d+\)?$/.exec(line);
    if (match !== null) return `${match[1]}:${match[2]}`;
  }
  return undefined;
}

/** The first place Node points at: the header, or the first frame when there is no header. */
function firstPlace(stderr: string): string | undefined {
  return header(stderr) ?? firstFrame(stderr);
}

const cases = [
  { scenario: 'async-ignored', method: 'asyncFail', sameHeader: true },
  { scenario: 'task-ignored', method: 'taskFail', sameHeader: true },
  { scenario: 'http-async-handler', method: 'handle', sameHeader: true },
  // A sync throw is recorded and thrown again by the wrapper: Node prints no header for that
  // rethrow (call-end.ts, "Crash output"), so the first place it prints is the throwing frame.
  { scenario: 'sync-in-timer', method: 'syncFail', sameHeader: false },
  { scenario: 'generator-in-timer', method: 'items', sameHeader: false },
];

describe('crash output of errors nobody handles', () => {
  for (const { scenario, method, sameHeader } of cases) {
    it(`points at the service's line with and without the package: ${scenario}`, async () => {
      const [without, withPackage] = await Promise.all([crash('without', scenario), crash('with', scenario)]);
      assert.equal(without.code, 1, without.stderr);
      assert.equal(withPackage.code, without.code, withPackage.stderr);
      const plainSite = throwSite('crash-plain.js', `boom plain ${method}`);
      const decoratedSite = throwSite('crash-services.js', `boom decorated ${method}`);
      assert.equal(header(without.stderr), plainSite, without.stderr);
      assert.equal(firstPlace(withPackage.stderr), decoratedSite, withPackage.stderr);
      assert.equal(firstFrame(withPackage.stderr), decoratedSite, withPackage.stderr);
      if (sameHeader) assert.equal(header(withPackage.stderr), decoratedSite, 'the same header as without');
      else assert.equal(header(withPackage.stderr), undefined, withPackage.stderr);
      assert.match(withPackage.stderr, new RegExp(`^Error: boom decorated ${method}$`, 'm'));
    });
  }

  it('records the failure it keeps out of the crash output: the failure log line has the stack', async () => {
    const run = await crash('with', 'task-ignored');
    const failure = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, any>)
      .find((line) => line.msg === 'task failed');
    assert.ok(failure !== undefined, run.stdout);
    assert.match(String(failure.err.stack), /^Error: boom decorated taskFail\n\s+at /);
    assert.equal(header(run.stderr), throwSite('crash-services.js', 'boom decorated taskFail'));
  });

  it("points at the service's line for a throwing node:http listener under the http instrumentation", async () => {
    // instrumentation-http catches the listener's throw to end its span and throws it again
    // (safeExecuteInTheMiddle); the package's pass-through above it throws it once more from a
    // marked line (tracing/server-emit-rethrow.ts), so Node prints no header naming the
    // dependency, and the first place it prints is the service's line.
    const [without, withPackage] = await Promise.all([
      crash('without', 'http-listener'),
      crash('with', 'http-listener'),
    ]);
    assert.equal(without.code, 1, without.stderr);
    assert.equal(withPackage.code, without.code, withPackage.stderr);
    const decoratedSite = throwSite('crash-services.js', 'boom decorated listener');
    assert.equal(header(without.stderr), throwSite('crash-plain.js', 'boom plain listener'));
    assert.equal(header(withPackage.stderr), undefined, withPackage.stderr);
    assert.equal(firstPlace(withPackage.stderr), decoratedSite, withPackage.stderr);
    assert.equal(withPackage.stderr.split('\n')[0], 'Error: boom decorated listener');
  });
});
