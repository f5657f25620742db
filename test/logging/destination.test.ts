import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isObservabilityError } from '../../src/errors.js';
import { closeLogger, createLogger } from '../../src/logging/index.js';
import { testConfig } from '../support/config.js';

const run = promisify(execFile);

describe('createLogger destinations', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'grey-log-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends to a file path, creating its directory, and closeLogger flushes and closes it', async () => {
    const file = join(dir, 'nested', 'service.log');
    const logger = createLogger(testConfig({ logging: { level: 'info', destination: file } }));
    for (let i = 0; i < 100; i++) logger.info({ i }, 'line');
    await closeLogger(logger);
    await closeLogger(logger);
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { i: number });
    assert.equal(lines.length, 100);
    assert.equal(lines[99]!.i, 99);
  });

  it('fails start-up with OBS_ERR_LOG_DESTINATION when the file cannot be opened', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'not a directory');
    const destination = join(blocker, 'service.log');
    assert.throws(
      () => createLogger(testConfig({ logging: { level: 'info', destination } })),
      (error) =>
        isObservabilityError(error, 'OBS_ERR_LOG_DESTINATION') &&
        error.key === 'logging.destination' &&
        error.message.includes(destination),
    );
  });

  it('flushes but never ends a stream the caller passed in', async () => {
    let ended = false;
    const lines: string[] = [];
    const stream = {
      write: (line: string) => void lines.push(line),
      end: () => {
        ended = true;
      },
    };
    const logger = createLogger(testConfig({ logging: { level: 'info' } }), { stream });
    logger.info('kept open');
    await closeLogger(logger);
    assert.equal(ended, false);
    assert.equal(lines.length, 1);
  });

  it('writes a warning and JSON when pretty is asked for without pino-pretty', async () => {
    const file = join(dir, 'pretty.log');
    const logger = createLogger(testConfig({ logging: { level: 'info', destination: file, pretty: true } }));
    logger.info('after warning');
    await closeLogger(logger);
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines[0]!.code, 'OBS_WARN_PRETTY_UNAVAILABLE');
    assert.equal(lines[1]!.msg, 'after warning');
  });

  it('drops lines it cannot write and reports it once, without crashing the process', async () => {
    const moduleUrl = new URL('../../src/logging/index.js', import.meta.url).href;
    const supportUrl = new URL('../support/config.js', import.meta.url).href;
    const script = `
      const { createLogger, closeLogger } = await import(${JSON.stringify(moduleUrl)});
      const { testConfig } = await import(${JSON.stringify(supportUrl)});
      const logger = createLogger(testConfig({ logging: { level: 'info', destination: '/dev/full' } }));
      for (let i = 0; i < 50; i++) logger.info({ i }, 'into a full disk');
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (let i = 0; i < 50; i++) logger.info({ i }, 'still going');
      await closeLogger(logger);
      process.stdout.write('survived');`;
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      timeout: 10_000,
    });
    assert.equal(stdout, 'survived');
    const reports = stderr
      .trim()
      .split('\n')
      .filter((line) => line.includes('OBS_WARN_LOG_WRITE_FAILED'));
    assert.equal(reports.length, 1);
  });

  it('writes to stdout and stderr of the process', async () => {
    const moduleUrl = new URL('../../src/logging/index.js', import.meta.url).href;
    const supportUrl = new URL('../support/config.js', import.meta.url).href;
    const script = `
      const { createLogger, closeLogger } = await import(${JSON.stringify(moduleUrl)});
      const { testConfig } = await import(${JSON.stringify(supportUrl)});
      for (const destination of ['stdout', 'stderr']) {
        const logger = createLogger(testConfig({ logging: { level: 'info', destination } }));
        logger.info({ destination }, 'to ' + destination);
        await closeLogger(logger);
      }`;
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      timeout: 10_000,
    });
    assert.equal((JSON.parse(stdout.trim()) as { msg: string }).msg, 'to stdout');
    assert.equal((JSON.parse(stderr.trim()) as { msg: string }).msg, 'to stderr');
  });
});
