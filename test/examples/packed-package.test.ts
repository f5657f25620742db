import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ts from 'typescript';
import { startGrpcReceiver, startHttpReceiver } from '../support/otlp-receiver.js';
import { ROOT, createPackedConsumer, type PackedConsumer } from './support/packed-package.js';

let consumer: PackedConsumer;
before(() => {
  consumer = createPackedConsumer();
});
after(() => consumer?.remove());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  lines: Array<Record<string, unknown>>;
}

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd, timeout: 90_000, env: { PATH: process.env.PATH, ...env } },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : Number(error.code ?? -1),
          stdout,
          stderr,
          lines: stdout
            .split('\n')
            .filter((line) => line.startsWith('{'))
            .map((line) => JSON.parse(line) as Record<string, unknown>),
        }),
    );
  });
}

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const QUIET = { GREY_PROMETHEUS_ENABLED: 'false', GREY_OTEL_ENABLED: 'false' };

describe('the packed package', () => {
  it('ships its LICENSE, and every source map with the sources it points to', () => {
    assert.ok(consumer.files.includes('LICENSE'));
    assert.match(readFileSync(join(consumer.packageDir, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
    const pkg = JSON.parse(readFileSync(join(consumer.packageDir, 'package.json'), 'utf8')) as { license: string };
    assert.equal(pkg.license, 'Apache-2.0');
    const maps = consumer.files.filter((file) => file.endsWith('.map'));
    assert.ok(maps.length > 0, 'the build writes source maps');
    const shipped = new Set(consumer.files);
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(consumer.packageDir, map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const path = normalize(join(dirname(map), source));
        assert.ok(shipped.has(path), `${map} points to ${path}, which is not in the tarball`);
      }
    }
    assert.ok(!consumer.files.some((file) => file.startsWith('test/') || file.startsWith('dist/test/')), 'no tests');
  });

  it('has docs whose relative links all lead to files the tarball ships', () => {
    const shipped = new Set(consumer.files);
    const docs = consumer.files.filter((file) => file.endsWith('.md'));
    assert.ok(docs.includes('README.md') && docs.includes('docs/getting-started.md'), docs.join(', '));
    const broken: string[] = [];
    for (const doc of docs) {
      const text = readFileSync(join(consumer.packageDir, doc), 'utf8');
      for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)|^\[[^\]]+\]:\s*(\S+)/gm)) {
        const target = (match[1] ?? match[2] ?? '').split('#')[0] ?? '';
        if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // anchor or absolute URL
        const path = normalize(join(dirname(doc), decodeURI(target)));
        const isDir = consumer.files.some((file) => file.startsWith(`${path}/`));
        if (!shipped.has(path) && !isDir) broken.push(`${doc} -> ${target}`);
      }
    }
    assert.deepEqual(broken, [], 'links to files the tarball does not ship');
  });
});

describe('CommonJS consumers of the packed package', () => {
  it('a .cjs service loads it with plain require() and traces, logs and counts with it', async () => {
    const receiver = await startHttpReceiver();
    try {
      const dir = consumer.copyExample('commonjs');
      const result = await run(['service.cjs'], dir, {
        GREY_PROMETHEUS_ENABLED: 'false',
        GREY_SERVICE_NAME: 'cjs-service',
        GREY_OTEL_EXPORTER_PROTOCOL: 'http/protobuf',
        GREY_OTEL_EXPORTER_ENDPOINT: receiver.url,
        GREY_OTEL_SAMPLING_STRATEGY: 'always_on',
      });
      assert.equal(result.code, 0, result.stderr);
      const done = result.lines.find((line) => line.msg === 'commonjs service done');
      assert.match(String(done?.metric), /^example_cjs_jobs_total\{tenant="tenant-cjs"\} 1$/);
      const running = result.lines.find((line) => line.msg === 'job running');
      assert.equal(running?.tenant_id, 'tenant-cjs');
      const [span] = await receiver.waitForSpans(1, 10_000);
      assert.equal(span?.name, 'grey.task.run');
      assert.equal(span?.traceId, running?.trace_id);
      assert.equal(span?.attributes['grey.tenant_id'], 'tenant-cjs');
      assert.equal(span?.resource['service.name'], 'cjs-service');
    } finally {
      await receiver.close();
    }
  });

  it('a TypeScript service compiled to CommonJS (module nodenext) builds and runs, with @Task', async () => {
    const dir = consumer.copyExample('commonjs-ts');
    const build = await run([TSC, '-p', 'tsconfig.json'], dir);
    assert.equal(build.code, 0, build.stdout + build.stderr);
    assert.match(readFileSync(join(dir, 'out', 'service.js'), 'utf8'), /require\("@grey\/observability"\)/);
    const result = await run([join('out', 'service.js')], dir, QUIET);
    assert.equal(result.code, 0, result.stderr);
    const done = result.lines.find((line) => line.msg === 'commonjs-ts service done');
    assert.equal(done?.format, 'commonjs');
    assert.equal(done?.total, 1250);
    assert.match(String(done?.completed), /^grey_tasks_completed_total\{[^}]*tenant="tenant-ts"[^}]*\} 1$/);
  });

  it('a NestJS-style service (experimentalDecorators, emitDecoratorMetadata) keeps its injection and route metadata', async () => {
    const dir = consumer.copyExample('nest-style');
    const build = await run([TSC, '-p', 'tsconfig.json'], dir);
    assert.equal(build.code, 0, build.stdout + build.stderr);
    const result = await run([join('out', 'app.js')], dir, QUIET);
    assert.equal(result.code, 0, result.stderr);
    const output = result.lines.find((line) => Array.isArray(line.routes)) as
      { routes: string[]; stored: number[]; completed: string[] } | undefined;
    assert.ok(output, result.stdout);
    assert.deepEqual(output.routes, ['POST /tasks/run -> run', 'POST /tasks/retry -> retry']);
    assert.deepEqual(output.stored, [1, 2], 'the repository was injected through design:paramtypes');
    assert.equal(output.completed.length, 1);
    assert.match(
      output.completed[0] ?? '',
      /^grey_tasks_completed_total\{(?=[^}]*tenant="tenant-nest")(?=[^}]*type="nest")[^}]*\} 2$/,
    );
  });
});

/** Compiler options a CommonJS consumer may have, with what docs/typescript.md says they give. */
const SETTINGS: Array<{ name: string; options: ts.CompilerOptions; errors: number[] }> = [
  { name: 'module nodenext', options: { module: ts.ModuleKind.NodeNext }, errors: [] },
  { name: 'module node20', options: { module: ts.ModuleKind.Node20 }, errors: [] },
  {
    name: 'module commonjs, esModuleInterop',
    options: {
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: true,
    },
    errors: [],
  },
  { name: 'module node16', options: { module: ts.ModuleKind.Node16 }, errors: [1479] },
  { name: 'module node18', options: { module: ts.ModuleKind.Node18 }, errors: [1479] },
  {
    name: 'module commonjs without esModuleInterop',
    options: {
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: false,
    },
    errors: [1259],
  },
  {
    name: 'module commonjs without esModuleInterop, allowSyntheticDefaultImports',
    options: {
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: false,
      allowSyntheticDefaultImports: true,
    },
    errors: [],
  },
  {
    name: 'module commonjs without esModuleInterop, skipLibCheck',
    options: {
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: false,
      skipLibCheck: true,
    },
    errors: [],
  },
];

const parsed = new Map<string, ts.SourceFile>();

/** A compiler host that parses each file once for all the settings below (parsing is not what they test). */
function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const format = typeof languageVersion === 'object' ? languageVersion.impliedNodeFormat : undefined;
    const key = `${format ?? ''}:${fileName}`;
    let file = parsed.get(key);
    if (file === undefined) {
      file = read(fileName, languageVersion, ...rest);
      if (file !== undefined) parsed.set(key, file);
    }
    return file;
  };
  return host;
}

/**
 * The diagnostics a compile reports for the consumer's file and every declaration file it reaches,
 * except the default libs and @types/node: their own checking does not depend on this package and
 * is most of the time a full check takes.
 */
function consumerDiagnostics(program: ts.Program): readonly ts.Diagnostic[] {
  const files = program
    .getSourceFiles()
    .filter((file) => !program.isSourceFileDefaultLibrary(file) && !/[\\/]@types[\\/]node[\\/]/.test(file.fileName));
  return [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...files.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]),
  ];
}

describe('TypeScript settings of a CommonJS consumer (docs/typescript.md)', () => {
  for (const setting of SETTINGS) {
    it(`${setting.name}: ${setting.errors.length === 0 ? 'compiles' : setting.errors.map((code) => `TS${code}`).join(', ')}`, () => {
      const file = join(consumer.dir, 'settings-probe.ts');
      if (!existsSync(file)) {
        writeFileSync(
          file,
          [
            "import { initObservability, Task, type ObservabilityHandle } from '@grey/observability';",
            'class Worker {',
            "  @Task({ type: 'probe' })",
            '  run(job: { taskId: string }): string {',
            '    return job.taskId;',
            '  }',
            '}',
            'export const start: () => Promise<ObservabilityHandle> = initObservability;',
            'export const worker = new Worker();',
            '',
          ].join('\n'),
        );
      }
      const options: ts.CompilerOptions = {
        target: ts.ScriptTarget.ES2022,
        strict: true,
        noEmit: true,
        types: ['node'],
        ...setting.options,
      };
      const program = ts.createProgram({ rootNames: [file], options, host: cachingHost(options) });
      const codes = [...new Set(consumerDiagnostics(program).map((diagnostic) => diagnostic.code))].sort();
      assert.deepEqual(codes, setting.errors);
    });
  }

  it('docs/typescript.md names every error code the table above expects', () => {
    const page = readFileSync(join(consumer.packageDir, 'docs', 'typescript.md'), 'utf8');
    for (const code of new Set(SETTINGS.flatMap((setting) => setting.errors)))
      assert.ok(page.includes(`TS${code}`), `TS${code}`);
  });
});

describe('the one-line start from the packed package', () => {
  it('node --import @grey/observability/register traces and logs a service that imports nothing of it', async () => {
    const receiver = await startGrpcReceiver();
    try {
      const dir = consumer.copyExample('register');
      const result = await run(['--import', '@grey/observability/register', 'app.mjs'], dir, {
        GREY_SERVICE_NAME: 'register-app',
        GREY_PROMETHEUS_HOST: '127.0.0.1',
        GREY_PROMETHEUS_PORT: '0',
        GREY_OTEL_EXPORTER_PROTOCOL: 'grpc',
        GREY_OTEL_EXPORTER_ENDPOINT: receiver.url,
        GREY_OTEL_SAMPLING_STRATEGY: 'always_on',
      });
      assert.equal(result.code, 0, result.stderr);
      const done = result.lines.find((line) => line.msg === 'register app done');
      assert.equal(done?.body, 'hello from /hello');
      assert.match(String(done?.metrics), /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const spans = await receiver.waitForSpans(2, 10_000);
      const server = spans.find((span) => span.kind === 2);
      const client = spans.find((span) => span.kind === 3);
      assert.ok(server && client, spans.map((span) => span.name).join(', '));
      assert.equal(server.traceId, client.traceId);
      assert.equal(server.resource['service.name'], 'register-app');
    } finally {
      await receiver.close();
    }
  });
});

describe('the complete service of docs/getting-started.md', () => {
  const FILES = ['package.json', 'tsconfig.json', 'observability.yaml', 'src/service.ts'];

  it('shows in the doc exactly the files of examples/getting-started', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'getting-started.md'), 'utf8');
    for (const file of FILES) {
      const marker = `<!-- file: examples/getting-started/${file} -->`;
      const at = doc.indexOf(marker);
      assert.ok(at >= 0, `docs/getting-started.md shows ${file}`);
      const block = /```\w+\n([\s\S]*?)```/.exec(doc.slice(at))?.[1];
      assert.equal(block, readFileSync(join(ROOT, 'examples', 'getting-started', file), 'utf8'), file);
    }
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`builds, serves, counts and traces a task, and on ${signal} flushes its spans and ends by the signal`, async () => {
      const dir = consumer.copyExample('getting-started');
      const build = await run([TSC, '-p', 'tsconfig.json'], dir);
      assert.equal(build.code, 0, build.stdout + build.stderr);
      const receiver = await startHttpReceiver();
      try {
        const child = spawn(process.execPath, ['dist/service.js'], {
          cwd: dir,
          env: {
            PATH: process.env.PATH,
            PORT: '0',
            GREY_PROMETHEUS_HOST: '127.0.0.1',
            GREY_PROMETHEUS_PORT: '0',
            OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
            // Long enough that the span is still queued when the signal arrives: the flush sends it.
            OTEL_BSP_SCHEDULE_DELAY: '60000',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
          child.once('exit', (code, sig) => resolve([code, sig])),
        );
        const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`not ready in 30 s: ${stderr}`)), 30_000);
          let buffer = '';
          child.stdout.on('data', (chunk: Buffer) => {
            buffer += chunk.toString();
            for (const line of buffer.split('\n').filter((l) => l.startsWith('{'))) {
              const record = JSON.parse(line) as Record<string, unknown>;
              if (record.msg === 'service ready') {
                clearTimeout(timer);
                resolve(record);
              }
            }
          });
        });
        const answer = await fetch(String(ready.api), { headers: { 'x-tenant-id': 'acme' } });
        assert.equal(await answer.text(), 'done task-1\n');
        const metrics = await (await fetch(String(ready.metrics))).text();
        assert.match(metrics, /^grey_tasks_completed_total\{tenant="acme",type="stateless"\} 1$/m);
        assert.equal(receiver.spans().length, 0, 'the span is still queued');
        child.kill(signal);
        const [code, endedBy] = await exited;
        assert.deepEqual([code, endedBy], [null, signal], stderr);
        const names = receiver.spans().map((span) => span.name);
        assert.ok(names.includes('grey.task.run'), JSON.stringify(names));
        const task = receiver.spans().find((span) => span.name === 'grey.task.run')!;
        assert.equal(task.attributes['grey.tenant_id'], 'acme');
        assert.equal(task.resource['service.name'], 'my-service');
      } finally {
        await receiver.close();
      }
    });
  }
});
