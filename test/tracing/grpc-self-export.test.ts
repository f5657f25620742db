/**
 * Issue 20: with the grpc instrumentation on, the package's own OTLP gRPC export is not traced
 * (no client span of TraceService/Export, so no export loop). The service runs in a child process
 * so that the receiver, in this process, is not instrumented itself.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { startGrpcReceiver } from '../support/otlp-receiver.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./fixtures/grpc-self-export.js', import.meta.url));

describe('the grpc instrumentation and the OTLP gRPC exporter', () => {
  it("exports the service's span and nothing of its own export calls", async () => {
    const receiver = await startGrpcReceiver();
    try {
      const { stdout } = await run(process.execPath, [CHILD, receiver.url], { timeout: 60_000 });
      const names = receiver.spans().map((span) => span.name);
      assert.deepEqual(names, ['probe'], JSON.stringify(names));
      const spans = JSON.parse(stdout.trim().split('\n').pop()!) as { exported: number; patched: boolean };
      assert.equal(spans.exported, 1, stdout);
      assert.equal(spans.patched, true, 'the instrumentation patched the grpc-js the exporter uses');
      assert.ok(receiver.requests.length >= 1);
    } finally {
      await receiver.close();
    }
  });
});
