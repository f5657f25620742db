/**
 * An OTLP/HTTP sink in a child process: answers every POST with 200 and an empty protobuf body
 * (an empty ExportTraceServiceResponse), so exporters of both variants do their whole job
 * (serialize, send) against a live collector without its cost landing in the measured process.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const SINK_SOURCE = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/x-protobuf' }); res.end(); });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

/** A running sink: its endpoint (http://127.0.0.1:port) and stop(). */
export interface OtlpSink {
  endpoint: string;
  stop(): void;
}

/** Starts the sink; it also exits when this process's end of its stdin closes. */
export async function startOtlpSink(): Promise<OtlpSink> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SINK_SOURCE], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop() {
      child.stdin!.end();
      child.kill();
    },
  };
}
