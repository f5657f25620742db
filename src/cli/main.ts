#!/usr/bin/env node
// The `grey-observability` executable: the only module of the package that acts when loaded.
import { runCli } from './run-cli.js';

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
