import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { context, propagation, trace } from '@opentelemetry/api';
import { AlwaysOffSampler } from '@opentelemetry/sdk-trace-base';
import { isObservabilityError } from '../../src/errors.js';
import { closeLogger, createLogger, setLogFields } from '../../src/logging/index.js';
import { TENANT_BAGGAGE_KEY } from '../../src/tenant-context.js';
import { testConfig } from '../support/config.js';
import { captureLines } from './support/capture.js';
import { startTestTracing, type TestTracing } from './support/otel.js';

const run = promisify(execFile);

describe('createLogger', () => {
  let tracing: TestTracing | undefined;
  afterEach(async () => {
    await tracing?.stop();
    tracing = undefined;
  });

  it('writes one JSON line with level label, time, msg and the service identity', () => {
    const out = captureLines();
    const config = testConfig({
      logging: { level: 'info' },
      service: { name: 'billing', version: '1.5.0', environment: 'production', instance_id: 'pod-7' },
    });
    createLogger(config, { stream: out }).info('hello');
    assert.equal(out.lines.length, 1);
    const line = out.lines[0]!;
    assert.equal(line.level, 'info');
    assert.equal(typeof line.time, 'number');
    assert.equal(line.msg, 'hello');
    assert.equal(line.service, 'billing');
    assert.equal(line.version, '1.5.0');
    assert.equal(line.environment, 'production');
    assert.equal(line.instance_id, 'pod-7');
    assert.equal(line.pid, process.pid);
  });

  it('leaves out identity fields that are not set', () => {
    const out = captureLines();
    createLogger(testConfig({ logging: { level: 'info' }, service: { name: 'svc' } }), { stream: out }).info('x');
    const line = out.lines[0]!;
    assert.equal(line.service, 'svc');
    assert.ok(!('version' in line) && !('environment' in line) && !('instance_id' in line));
  });

  it('honours logging.level', () => {
    const out = captureLines();
    const logger = createLogger(testConfig({ logging: { level: 'warn' } }), { stream: out });
    logger.info('dropped');
    logger.warn('kept');
    assert.deepEqual(out.lines.map((l) => l.msg), ['kept']);
  });

  it('adds trace_id, span_id and trace_flags of the active span, and nothing outside a span', () => {
    tracing = startTestTracing();
    const out = captureLines();
    const logger = createLogger(testConfig({ logging: { level: 'info' } }), { stream: out });
    const span = tracing.tracer.startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => logger.info('inside'));
    span.end();
    logger.info('outside');
    const [inside, outside] = out.lines;
    assert.equal(inside!.trace_id, span.spanContext().traceId);
    assert.equal(inside!.span_id, span.spanContext().spanId);
    assert.equal(inside!.trace_flags, '01');
    assert.ok(!('trace_id' in outside!) && !('span_id' in outside!) && !('trace_flags' in outside!));
  });

  it('marks lines of a sampled-out span with trace_flags 00', () => {
    tracing = startTestTracing(new AlwaysOffSampler());
    const out = captureLines();
    const logger = createLogger(testConfig({ logging: { level: 'info' } }), { stream: out });
    const span = tracing.tracer.startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => logger.info('inside'));
    assert.equal(out.lines[0]!.trace_id, span.spanContext().traceId);
    assert.equal(out.lines[0]!.trace_flags, '00');
  });

  it('adds tenant_id from the grey.tenant_id baggage entry', () => {
    tracing = startTestTracing();
    const out = captureLines();
    const logger = createLogger(testConfig({ logging: { level: 'info' } }), { stream: out });
    const baggage = propagation.createBaggage({ [TENANT_BAGGAGE_KEY]: { value: 'tenant-123' } });
    context.with(propagation.setBaggage(context.active(), baggage), () => logger.info('tenant line'));
    assert.equal(out.lines[0]!.tenant_id, 'tenant-123');
  });

  it('keeps the right trace fields when contexts interleave across awaits', async () => {
    tracing = startTestTracing();
    const out = captureLines();
    const logger = createLogger(testConfig({ logging: { level: 'info' } }), { stream: out });
    const spans = [tracing.tracer.startSpan('a'), tracing.tracer.startSpan('b')];
    await Promise.all(
      spans.map((span, index) =>
        context.with(trace.setSpan(context.active(), span), async () => {
          for (let i = 0; i < 3; i++) {
            logger.info({ index }, 'step');
            await new Promise((resolve) => setImmediate(resolve));
          }
        }),
      ),
    );
    assert.equal(out.lines.length, 6);
    for (const line of out.lines) assert.equal(line.span_id, spans[line.index as number]!.spanContext().spanId);
  });

  it('adds log fields carried by the context and lets the call fields win', () => {
    tracing = startTestTracing();
    const out = captureLines();
    const logger = createLogger(testConfig({ logging: { level: 'info' } }), { stream: out });
    context.with(setLogFields({ task_id: 't-9', shard: 3 }), () => logger.info({ shard: 4 }, 'with fields'));
    assert.equal(out.lines[0]!.task_id, 't-9');
    assert.equal(out.lines[0]!.shard, 4);
  });

  it('does not mutate the object passed to the log call', () => {
    tracing = startTestTracing();
    const out = captureLines();
    const logger = createLogger(testConfig({ logging: { level: 'info' } }), { stream: out });
    const fields = { order: 1 };
    const span = tracing.tracer.startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => logger.info(fields, 'x'));
    assert.deepEqual(fields, { order: 1 });
    assert.equal(out.lines[0]!.order, 1);
  });

  it('gives child loggers the identity, the trace fields and their own bindings', () => {
    tracing = startTestTracing();
    const out = captureLines();
    const logger = createLogger(testConfig({ logging: { level: 'info' }, service: { name: 'svc' } }), { stream: out });
    const child = logger.child({ component: 'scheduler' });
    const span = tracing.tracer.startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => child.info({ password: 'hunter22' }, 'child line'));
    const line = out.lines[0]!;
    assert.equal(line.component, 'scheduler');
    assert.equal(line.service, 'svc');
    assert.equal(line.trace_id, span.spanContext().traceId);
    assert.equal(line.password, '[Redacted]');
  });
});

describe('createLogger redaction', () => {
  const secretConfig = () =>
    testConfig({
      logging: { level: 'info', redact: ['customer.card'] },
      prometheus: { auth: { type: 'bearer', token: 'prom-token-123', username: 'scraper', password: 'prom-pass-456' } },
      opentelemetry: { exporter: { headers: { Authorization: 'Bearer otel-token-789', 'x-api-key': 'key-abc-000' } } },
    });

  it('censors the built-in keys at the top level and nested', () => {
    const out = captureLines();
    const logger = createLogger(secretConfig(), { stream: out });
    logger.info({
      authorization: 'a1',
      password: 'p1',
      token: 't1',
      req: { headers: { authorization: 'a2', cookie: 'c2', 'set-cookie': 's2', Authorization: 'a3' } },
      user: { profile: { password: 'p3' } },
    }, 'secrets');
    const line = out.lines[0] as Record<string, any>;
    assert.equal(line.authorization, '[Redacted]');
    assert.equal(line.password, '[Redacted]');
    assert.equal(line.token, '[Redacted]');
    assert.equal(line.req.headers.authorization, '[Redacted]');
    assert.equal(line.req.headers.Authorization, '[Redacted]');
    assert.equal(line.req.headers.cookie, '[Redacted]');
    assert.equal(line.req.headers['set-cookie'], '[Redacted]');
    assert.equal(line.user.profile.password, '[Redacted]');
  });

  it('censors secret keys in child bindings and leaves the caller objects unchanged', () => {
    const out = captureLines();
    const headers = { authorization: 'Bearer abc', accept: 'json' };
    const child = createLogger(secretConfig(), { stream: out }).child({ token: 'child-token', component: 'api' });
    child.info({ headers }, 'request');
    const line = out.lines[0] as Record<string, any>;
    assert.equal(line.token, '[Redacted]');
    assert.equal(line.component, 'api');
    assert.equal(line.headers.authorization, '[Redacted]');
    assert.equal(line.headers.accept, 'json');
    assert.equal(headers.authorization, 'Bearer abc');
  });

  it('censors the extra paths of logging.redact', () => {
    const out = captureLines();
    createLogger(secretConfig(), { stream: out }).info({ customer: { card: '4111', name: 'Ann' } }, 'order');
    const line = out.lines[0] as Record<string, any>;
    assert.equal(line.customer.card, '[Redacted]');
    assert.equal(line.customer.name, 'Ann');
  });

  it('rejects an invalid logging.redact path at start-up, naming it', () => {
    for (const path of ['a..b', 'req.headers[', ' ']) {
      assert.throws(
        () => createLogger(testConfig({ logging: { level: 'info', redact: ['ok.path', path] } }), { stream: captureLines() }),
        (error) => isObservabilityError(error, 'OBS_ERR_CONFIG_INVALID') && error.key === 'logging.redact' && error.value === path,
      );
    }
  });

  it('never writes a secret value of the config, whatever the key or message', () => {
    const out = captureLines();
    const config = secretConfig();
    const logger = createLogger(config, { stream: out });
    logger.info({ config }, 'resolved config');
    logger.info({ note: 'token is prom-token-123' }, 'free text with otel-token-789 inside');
    logger.error(new Error('login failed for prom-pass-456'), 'boom');
    logger.child({ upstream: 'key-abc-000' }).warn('child binding');
    logger.info({ basic: `Basic ${Buffer.from('scraper:prom-pass-456').toString('base64')}` }, 'basic');
    const text = out.raw.join('');
    for (const secret of ['prom-token-123', 'prom-pass-456', 'otel-token-789', 'key-abc-000', 'Bearer otel-token-789']) {
      assert.ok(!text.includes(secret), `secret ${secret} leaked`);
    }
    assert.ok(!text.includes(Buffer.from('scraper:prom-pass-456').toString('base64')));
    assert.equal(out.lines.length, 5);
    assert.equal((out.lines[0] as any).config.opentelemetry.exporter.headers, '[Redacted]');
    assert.match(String(out.lines[1]!.msg), /free text with \[Redacted\] inside/);
  });
});

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
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { i: number });
    assert.equal(lines.length, 100);
    assert.equal(lines[99]!.i, 99);
  });

  it('fails start-up with OBS_ERR_LOG_DESTINATION when the file cannot be opened', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'not a directory');
    const destination = join(blocker, 'service.log');
    assert.throws(
      () => createLogger(testConfig({ logging: { level: 'info', destination } })),
      (error) => isObservabilityError(error, 'OBS_ERR_LOG_DESTINATION') && error.key === 'logging.destination' && error.message.includes(destination),
    );
  });

  it('writes a warning and JSON when pretty is asked for without pino-pretty', async () => {
    const file = join(dir, 'pretty.log');
    const logger = createLogger(testConfig({ logging: { level: 'info', destination: file, pretty: true } }));
    logger.info('after warning');
    await closeLogger(logger);
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
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
    const reports = stderr.trim().split('\n').filter((line) => line.includes('OBS_WARN_LOG_WRITE_FAILED'));
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
