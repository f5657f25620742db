/**
 * The part of pino's public contract the logger is built on (src/logging: one-key-per-field.ts,
 * drop-repeated-keys.ts, logger-bindings.ts, context-child.ts, create-logger.ts), checked on plain
 * pino. A failure here means a pino release changed something the package relies on: read the
 * file named in the test before updating either.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import pino, { type LogFn, type Logger, type LoggerOptions } from 'pino';
import { captureLines } from './support/capture.js';
import { topLevelKeys } from './support/json-keys.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function plainPino(options: LoggerOptions = {}) {
  const out = captureLines();
  const logger = pino(
    {
      base: { service: 's', pid: 1, hostname: 'h' },
      messageKey: 'msg',
      formatters: { level: (label) => ({ level: label }) },
      ...options,
    },
    out,
  );
  return { out, logger };
}

describe('pino contract', () => {
  it('writes level, time, the base, child bindings outer to inner, the call fields, then msg, and a rebound key twice', () => {
    // drop-repeated-keys.ts keeps the last member of a key: right only in this order.
    const { out, logger } = plainPino();
    logger.child({ a: 1 }).child({ a: 2, b: 3 }).info({ c: 4, a: 5 }, 'm');
    assert.deepEqual(topLevelKeys(out.raw[0]!), [
      'level',
      'time',
      'service',
      'pid',
      'hostname',
      'a',
      'a',
      'b',
      'c',
      'a',
      'msg',
    ]);
    assert.match(
      out.raw[0]!,
      /^\{"level":"info","time":\d+,"service":"s","pid":1,"hostname":"h","a":1,"a":2,"b":3,"c":4,"a":5,"msg":"m"\}\n$/,
    );
  });

  it('adds setBindings() bindings after the existing ones, a key given again written twice', () => {
    // logger-bindings.ts records the keys setBindings() adds.
    const { out, logger } = plainPino();
    const child = logger.child({ a: 1 });
    child.setBindings({ a: 2, b: 3 });
    child.info('m');
    assert.deepEqual(topLevelKeys(out.raw[0]!), ['level', 'time', 'service', 'pid', 'hostname', 'a', 'a', 'b', 'msg']);
  });

  it('calls hooks.logMethod with the arguments, the log method and the level, this being the logger called', () => {
    const seen: Array<{ self: Logger; args: unknown[]; level: number }> = [];
    const { out, logger } = plainPino({
      hooks: {
        logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn, level: number) {
          seen.push({ self: this, args: [...args], level });
          method.apply(this, args);
        },
      },
    });
    const child = logger.child({ a: 1 });
    child.warn({ b: 2 }, 'm');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.self, child);
    assert.deepEqual(seen[0]!.args, [{ b: 2 }, 'm']);
    assert.equal(seen[0]!.level, 40);
    assert.equal(out.lines[0]!.a, 1);
  });

  it("writes a line through another logger's bindings when logMethod applies the method to it, without calling the hook again", () => {
    // one-key-per-field.ts writes a line inside a context through the child of context-child.ts.
    let calls = 0;
    let other: Logger | undefined;
    const { out, logger } = plainPino({
      hooks: {
        logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn) {
          calls++;
          other ??= this.child({ trace_id: 't' });
          method.apply(other, args);
        },
      },
    });
    logger.info({ b: 2 }, 'm');
    assert.equal(calls, 1);
    assert.deepEqual(topLevelKeys(out.raw[0]!), [
      'level',
      'time',
      'service',
      'pid',
      'hostname',
      'trace_id',
      'b',
      'msg',
    ]);
  });

  it('calls hooks.streamWrite inside the log call with the finished line and writes what it returns', () => {
    // one-key-per-field.ts marks the line being written with a flag its logMethod holds around the call.
    let inCall = false;
    const received: Array<{ line: string; inCall: boolean }> = [];
    const { out, logger } = plainPino({
      hooks: {
        logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn) {
          inCall = true;
          method.apply(this, args);
          inCall = false;
        },
        streamWrite(line: string) {
          received.push({ line, inCall });
          return line.replace('"m"', '"rewritten"');
        },
      },
    });
    logger.child({ a: 1 }).info({ b: 2 }, 'm');
    assert.equal(received.length, 1);
    assert.equal(received[0]!.inCall, true);
    assert.match(received[0]!.line, /^\{"level":"info",.*"a":1,"b":2,"msg":"m"\}\n$/);
    assert.equal(out.lines[0]!.msg, 'rewritten');
  });

  it('serializes and redacts child bindings with the logger’s serializers and redaction', () => {
    // context-child.ts relies on it for logging.redact paths naming context fields (tenant_id).
    const { out, logger } = plainPino({
      redact: { paths: ['tenant_id'], censor: '[REDACTED]' },
      serializers: { shard: (value: number) => value * 10 },
    });
    logger.child({ tenant_id: 'x', shard: 2 }).info('m');
    assert.equal(out.lines[0]!.tenant_id, '[REDACTED]');
    assert.equal(out.lines[0]!.shard, 20);
  });

  it('writes an Error logged alone under err, its message as msg', () => {
    // one-key-per-field.ts treats an Error argument as an `err` field.
    const { out, logger } = plainPino();
    logger.error(new Error('boom'));
    assert.equal((out.lines[0]!.err as { message: string }).message, 'boom');
    assert.equal(out.lines[0]!.msg, 'boom');
  });

  it('calls onChild with every child, grandchildren included', () => {
    // create-logger.ts maps each child to the stream it opened, for closeLogger().
    const children: Logger[] = [];
    const { logger } = plainPino({ onChild: (child) => void children.push(child) });
    const child = logger.child({ a: 1 });
    const grandchild = child.child({ b: 2 });
    assert.deepEqual(children, [child, grandchild]);
  });

  it('returns the merged bindings from bindings(), without pid and hostname', () => {
    // logger-bindings.ts reads a logger it did not make this way.
    const { logger } = plainPino();
    assert.deepEqual(
      logger
        .child({ a: 1 })
        .child({ a: 2, b: { c: 3 } })
        .bindings(),
      { service: 's', a: 2, b: { c: 3 } },
    );
  });

  it('calls the flush() callback', async () => {
    // closeLogger() flushes a stream it does not own through logger.flush().
    const { logger } = plainPino();
    await new Promise<void>((resolve) => logger.child({ a: 1 }).flush(() => resolve()));
  });
});

/** The keys of `Symbol.for(...)` pino's api.md documents on a logger or destination. */
function documentedPinoSymbolKeys(): Set<string> {
  const docs = readFileSync(join(pinoDir(), 'docs', 'api.md'), 'utf8');
  return new Set([...docs.matchAll(/Symbol\.for\('(pino\.[\w.]+)'\)/g)].map((match) => match[1]!));
}

function pinoDir(): string {
  return join(createRequire(import.meta.url).resolve('pino'), '..');
}

/**
 * The pino symbols `source` uses that pino does not document: `pino.symbols.<name>` whose symbol is
 * not a documented `Symbol.for` key, and `Symbol.for('pino.<key>')` of an undocumented key.
 */
function undocumentedPinoSymbols(source: string, documented: ReadonlySet<string>): string[] {
  const found: string[] = [];
  const symbols = pino.symbols as unknown as Record<string, symbol | undefined>;
  for (const match of source.matchAll(/\bsymbols\s*(?:\.\s*(\w+)|\[\s*['"](\w+)['"]\s*\])/g)) {
    const name = (match[1] ?? match[2])!;
    const key = symbols[name] === undefined ? undefined : Symbol.keyFor(symbols[name]);
    if (key === undefined || !documented.has(key)) found.push(name);
  }
  for (const match of source.matchAll(/Symbol\.for\(\s*['"](pino\.[^'"]+)['"]\s*\)/g)) {
    if (!documented.has(match[1]!)) found.push(match[1]!);
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('pino symbols the package uses', () => {
  const documented = documentedPinoSymbolKeys();

  it('finds the symbols pino documents in its api.md', () => {
    assert.deepEqual([...documented].sort(), ['pino.metadata', 'pino.serializers']);
  });

  it('uses none that pino does not document, in src/logging or anywhere else in src', () => {
    const used: Record<string, string[]> = {};
    for (const file of sourceFiles(join(ROOT, 'src'))) {
      const names = undocumentedPinoSymbols(readFileSync(file, 'utf8'), documented);
      if (names.length > 0) used[file.slice(ROOT.length)] = names;
    }
    assert.deepEqual(used, {});
  });

  it('reports a private symbol, read by name or by key, and lets the documented ones pass', () => {
    const source = [
      'const a = pino.symbols.chindingsSym;',
      "const b = pino.symbols['stringifiersSym'];",
      "const c = logger[Symbol.for('pino.hooks')];",
      'const d = logger[pino.symbols.serializersSym];',
      "const e = dest[Symbol.for('pino.metadata')];",
    ].join('\n');
    assert.deepEqual(undocumentedPinoSymbols(source, documented), ['chindingsSym', 'stringifiersSym', 'pino.hooks']);
  });
});
