import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { markServerEmitRethrow } from '../../src/tracing/server-emit-rethrow.js';
import { startTracing } from '../../src/tracing/start-tracing.js';
import { startHttpReceiver } from '../support/otlp-receiver.js';
import { captureLogger, stopTracingAndReceiver, tracingConfig } from './helpers.js';

/** Issue 19, item 10: the pass-through over instrumentation-http's Server.emit wrapper. */

const MARKER = 'node-do-not-add-exception-line';

describe('markServerEmitRethrow', () => {
  it('passes arguments, this, return values and the thrown error object through unchanged', () => {
    const before = http.Server.prototype.emit;
    const unmark = markServerEmitRethrow();
    try {
      assert.notEqual(http.Server.prototype.emit, before);
      assert.match(String(http.Server.prototype.emit), new RegExp(MARKER));
      assert.match(String(https.Server.prototype.emit), new RegExp(MARKER));
      const server = http.createServer();
      const seen: unknown[] = [];
      server.on('custom', function (this: unknown, ...args: unknown[]) {
        seen.push(this, ...args);
      });
      assert.equal(server.emit('custom', 1, 'two'), true);
      assert.equal(server.emit('nobody-listens'), false);
      assert.deepEqual(seen, [server, 1, 'two']);
      const thrown = new TypeError('listener failed');
      server.on('bad', () => {
        throw thrown;
      });
      assert.throws(
        () => server.emit('bad'),
        (error) => error === thrown,
      );
    } finally {
      unmark();
    }
    assert.equal(http.Server.prototype.emit, before);
  });

  it('leaves a wrapper put above it in place when taken off, still passing through', () => {
    const before = http.Server.prototype.emit;
    const unmark = markServerEmitRethrow();
    const ours = http.Server.prototype.emit;
    const calls: string[] = [];
    const theirs = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
      calls.push(String(event));
      return Reflect.apply(ours, this, [event, ...args]) as boolean;
    };
    http.Server.prototype.emit = theirs as typeof http.Server.prototype.emit;
    try {
      unmark();
      assert.equal(http.Server.prototype.emit, theirs);
      const server = http.createServer();
      let got = 0;
      server.on('tick', () => got++);
      assert.equal(server.emit('tick'), true);
      assert.deepEqual([calls, got], [['tick'], 1]);
    } finally {
      http.Server.prototype.emit = before;
    }
  });

  it('is on top of the instrumentation while tracing runs and gone after each shutdown, across restarts', async () => {
    const original = http.Server.prototype.emit;
    assert.equal(original, EventEmitter.prototype.emit, 'no wrapper before the first start');
    for (let round = 1; round <= 2; round++) {
      const receiver = await startHttpReceiver();
      const tracing = await startTracing(
        tracingConfig(receiver.url, 'http/protobuf', {
          opentelemetry: { instrumentations: { http: true, fetch: false } },
        }),
        captureLogger().logger,
      );
      assert.match(String(http.Server.prototype.emit), new RegExp(MARKER), `round ${round}: on top`);
      const server = http.createServer((_request, response) => response.end('ok'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const body = await new Promise<string>((resolve, reject) => {
        http
          .get(`http://127.0.0.1:${port}/round`, (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () => resolve(text));
          })
          .on('error', reject);
      });
      assert.equal(body, 'ok');
      const spans = await receiver.waitForSpans(2);
      assert.ok(
        spans.some((span) => span.kind === 2),
        `round ${round}: the instrumentation under the wrapper still makes the server span`,
      );
      await new Promise((resolve) => server.close(resolve));
      await stopTracingAndReceiver(tracing, receiver);
      assert.doesNotMatch(String(http.Server.prototype.emit), new RegExp(MARKER), `round ${round}: taken off`);
    }
  });
});
