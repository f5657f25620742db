// Child process of crash-output.test.ts. Arguments: <with|without> <scenario>. `with` starts the
// package (tracing on and sampling every span, the http instrumentation, logs at info on stdout)
// and uses the decorated service; `without` never loads the package. Every scenario ends in an
// error nobody handles, so Node prints its crash report on stderr.
const [mode = 'without', scenario = 'async-ignored'] = process.argv.slice(2);

if (mode === 'with') {
  const { initObservability } = await import('../../../src/init.js');
  await initObservability({
    overrides: {
      service: { name: 'crash-child' },
      prometheus: { enabled: false },
      logging: { level: 'info' },
      opentelemetry: {
        enabled: true,
        exporter: { protocol: 'http/protobuf', endpoint: 'http://127.0.0.1:9/v1/traces' },
        sampling: { strategy: 'always_on' },
        instrumentations: { http: true, fetch: false },
      },
    },
    env: {},
  });
}
const { CrashService, throwingListener } = (await import(
  mode === 'with' ? './crash-services.js' : './crash-plain.js'
)) as typeof import('./crash-plain.js');
const service = new CrashService();

switch (scenario) {
  case 'async-ignored':
    void service.asyncFail();
    break;
  case 'task-ignored':
    void service.taskFail();
    break;
  case 'sync-in-timer':
    setTimeout(() => service.syncFail(), 1);
    break;
  case 'generator-in-timer':
    setTimeout(() => {
      for (const item of service.items()) void item;
    }, 1);
    break;
  case 'http-listener':
  case 'http-async-handler': {
    const http = await import('node:http');
    const server = http.createServer(
      scenario === 'http-listener' ? throwingListener : (_request, _response) => void service.handle(),
    );
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      http.get(`http://127.0.0.1:${port}/`).on('error', () => undefined);
    });
    break;
  }
  default:
    throw new Error(`unknown scenario ${scenario}`);
}
