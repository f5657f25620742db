#!/usr/bin/env node
// The `grey-observability` executable: the only module of the package that acts when loaded.
import { runCli } from './run-cli.js';

// A reader that went away (`| head`) is not an error of the command: stop writing, keep the exit code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

void Promise.resolve(
  runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  }),
).then((code) => {
  process.exitCode = code;
});
