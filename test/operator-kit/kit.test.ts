import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { dashboardArtifacts, YAML_HEADER } from '../../src/operator-kit/artifacts.js';
import { KIT_LAYOUT } from '../../src/operator-kit/kit.js';
import { alertingRules, recordingRules } from '../../src/operator-kit/rules.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

/**
 * `grey-observability monitoring --out DIR` into an empty folder, every file checked by the tool
 * operators use: promtool (config, rules, rule tests), amtool (config, routes), the Kubernetes
 * objects by the validators of kubernetes-models and @kubernetes-models/prometheus-operator (the
 * published OpenAPI schemas), and, where no binary exists here (Collector, Vector, Grafana), the
 * structure against the documented format. The files must also agree with each other.
 */

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 30_000 });
  return {
    code: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    output: `${result.stdout}${result.stderr}`,
  };
}

function cli(args: string[], cwd: string) {
  return run(process.execPath, [CLI, ...args], cwd);
}

function listFiles(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(root, path) : [relative(root, path)];
  });
}

const SERVICE_CONFIG = `service:
  name: shop-api
prometheus:
  port: 9464
  path: /internal/metrics
shutdown_timeout_ms: 8000
`;

const FLAGS = [
  '--job=shop',
  '--namespace=shop',
  '--selector=app=shop',
  '--selector=tier=api',
  '--monitor-label=release=kube-prometheus-stack',
  '--target=10.0.0.5:9464',
  '--target=10.0.0.6:9464',
  '--alertmanager-url=https://alerts.example.com:9443/am',
  '--warning-webhook-url=https://chat.example.com/hooks/warning',
  '--critical-webhook-url=https://pager.example.com/v2/enqueue',
  '--image=registry.example.com/shop-api:1.4.2',
  '--tempo-endpoint=tempo.tracing:4317',
  '--zipkin-endpoint=http://zipkin.tracing:9411/api/v2/spans',
  '--loki-endpoint=http://loki.logging:3100',
  '--datasource=Shop Prometheus',
];

let work: TempDir;
let kit: string;
let written: ReturnType<typeof cli>;
const read = (path: string) => readFileSync(join(kit, path), 'utf8');
const yamlDocs = (path: string) => parseAllDocuments(read(path)).map((doc) => doc.toJS() as Record<string, unknown>);

before(() => {
  work = createTempDir();
  writeFileSync(join(work.path, 'observability.yaml'), SERVICE_CONFIG);
  written = cli(['monitoring', '--out', 'kit', ...FLAGS], work.path);
  kit = join(work.path, 'kit');
});
after(() => work.remove());

describe('grey-observability monitoring --out DIR', () => {
  it('writes every file of the documented layout into an empty folder, and says nothing is left to fill', () => {
    assert.equal(written.code, 0, written.output);
    assert.equal(written.stderr, '');
    const files = listFiles(kit).sort();
    const dashboards = dashboardArtifacts().map((a) => `grafana/dashboards/${a.path}`);
    const expected = KIT_LAYOUT.flatMap((entry) => (entry.path.includes('*') ? dashboards : [entry.path])).sort();
    assert.deepEqual(files, expected);
    for (const file of files) assert.ok(written.stdout.includes(join(kit, file)), `stdout names ${file}`);
    const readme = read('README.md');
    for (const entry of KIT_LAYOUT) assert.ok(readme.includes(`\`${entry.path}\``), entry.path);
    assert.match(readme, /No placeholder is left/);
    for (const file of files.filter((f) => /\.ya?ml$/.test(f))) assert.ok(read(file).startsWith(YAML_HEADER), file);
  });

  it('writes a static Prometheus config that promtool accepts, loading the rule file beside it', () => {
    const result = run('promtool', ['check', 'config', 'prometheus/prometheus.yml'], kit);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /SUCCESS: 1 rule files found/);
    assert.match(result.output, /SUCCESS: \d+ rules found/);
    const config = parse(read('prometheus/prometheus.yml')) as {
      alerting: { alertmanagers: Array<Record<string, unknown>> };
      scrape_configs: Array<Record<string, unknown>>;
    };
    assert.deepEqual(config.alerting.alertmanagers, [
      { scheme: 'https', path_prefix: '/am', static_configs: [{ targets: ['alerts.example.com:9443'] }] },
    ]);
    assert.deepEqual(config.scrape_configs, [
      {
        job_name: 'shop',
        metrics_path: '/internal/metrics',
        // The endpoint's own bound (prometheus.scrape_timeout_ms, 8 s by default) plus 2 s.
        scrape_timeout: '10s',
        static_configs: [{ targets: ['10.0.0.5:9464', '10.0.0.6:9464'] }],
      },
    ]);
  });

  it('writes a pod-discovery config that promtool accepts (discovery swapped: Debian builds Prometheus without it)', () => {
    const config = parse(read('prometheus/prometheus-kubernetes.yml')) as {
      scrape_configs: Array<Record<string, unknown>>;
    };
    const job = config.scrape_configs[0] as Record<string, unknown>;
    assert.equal(job.job_name, 'shop');
    assert.deepEqual(job.kubernetes_sd_configs, [
      { role: 'pod', namespaces: { names: ['shop'] }, selectors: [{ role: 'pod', label: 'app=shop,tier=api' }] },
    ]);
    delete job.kubernetes_sd_configs;
    job.static_configs = [{ targets: ['127.0.0.1:9464'] }];
    writeFileSync(join(kit, 'prometheus', 'k8s-checked.yml'), stringify(config));
    try {
      const result = run('promtool', ['check', 'config', 'prometheus/k8s-checked.yml'], kit);
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /SUCCESS: 1 rule files found/);
    } finally {
      rmSync(join(kit, 'prometheus', 'k8s-checked.yml'));
    }
  });

  it('writes rules that promtool checks, and rule tests that pass as shipped', () => {
    const check = run('promtool', ['check', 'rules', 'prometheus/rules/grey-rules.yml'], kit);
    assert.equal(check.code, 0, check.output);
    assert.match(check.output, new RegExp(`SUCCESS: ${recordingRules().length + alertingRules().length} rules found`));
    const tests = run('promtool', ['test', 'rules', 'grey-rules.test.yml'], join(kit, 'prometheus', 'rules'));
    assert.equal(tests.code, 0, tests.output);
    assert.match(tests.output, /SUCCESS/);
    const cases = parse(read('prometheus/rules/grey-rules.test.yml')) as { tests: Array<{ name: string }> };
    const names = cases.tests.map((test) => test.name).join('\n');
    for (const kind of [/burst/, /slow failures/, /healthy/, /each alert fires/]) assert.match(names, kind);
  });

  it('writes rule tests that fail when a threshold changes, so an operator who edits one is told', () => {
    const rules = join(kit, 'prometheus', 'rules');
    const original = read('prometheus/rules/grey-rules.yml');
    try {
      writeFileSync(join(rules, 'grey-rules.yml'), original.replace('> 10000', '> 20000'));
      assert.notEqual(read('prometheus/rules/grey-rules.yml'), original, 'the queue threshold is in the file');
      const tests = run('promtool', ['test', 'rules', 'grey-rules.test.yml'], rules);
      assert.equal(tests.code, 1, tests.output);
      assert.match(tests.output, /GreyQueueBacklog/);
    } finally {
      writeFileSync(join(rules, 'grey-rules.yml'), original);
    }
  });

  it('writes an Alertmanager config that amtool accepts, routing each severity to its own webhook', () => {
    const check = run('amtool', ['check-config', 'alertmanager/alertmanager.yml'], kit);
    assert.equal(check.code, 0, check.output);
    assert.match(check.output, /2 receivers/);
    assert.match(check.output, /1 inhibit rules/);
    const route = (...labels: string[]) =>
      run('amtool', ['config', 'routes', 'test', '--config.file=alertmanager/alertmanager.yml', ...labels], kit);
    assert.equal(route('alertname=GreyClusterCritical', 'severity=critical').stdout.trim(), 'grey-critical');
    assert.equal(route('alertname=GreyQueueBacklog', 'severity=warning').stdout.trim(), 'grey-warning');
    assert.equal(route('alertname=Other').stdout.trim(), 'grey-warning');
    const config = parse(read('alertmanager/alertmanager.yml')) as {
      receivers: Array<{ name: string; webhook_configs: Array<{ url: string }> }>;
    };
    const urls = Object.fromEntries(config.receivers.map((r) => [r.name, r.webhook_configs[0]?.url]));
    assert.deepEqual(urls, {
      'grey-warning': 'https://chat.example.com/hooks/warning',
      'grey-critical': 'https://pager.example.com/v2/enqueue',
    });
  });

  it('writes Kubernetes objects valid against their published schemas, in the namespace, agreeing with each other', () => {
    const one = (path: string) => {
      const docs = yamlDocs(path);
      assert.equal(docs.length, 1, path);
      return docs[0] as Record<string, unknown>;
    };
    const deployment = new Deployment(one('kubernetes/deployment.yaml') as never);
    const service = new Service(one('kubernetes/service.yaml') as never);
    const podMonitor = new PodMonitor(one('kubernetes/podmonitor.yaml') as never);
    const serviceMonitor = new ServiceMonitor(one('kubernetes/servicemonitor.yaml') as never);
    const rule = new PrometheusRule(one('kubernetes/prometheusrule.yaml') as never);
    const configMaps = yamlDocs('kubernetes/grafana-dashboards.yaml').map((doc) => new ConfigMap(doc as never));
    for (const object of [deployment, service, podMonitor, serviceMonitor, rule, ...configMaps]) {
      object.validate();
      assert.equal(object.metadata?.namespace, 'shop', `${object.kind} namespace`);
    }
    const selector = { app: 'shop', tier: 'api' };
    const template = deployment.spec!.template;
    assert.deepEqual(deployment.spec!.selector.matchLabels, selector);
    assert.deepEqual(template.metadata!.labels, selector);
    assert.deepEqual(template.metadata!.annotations, {
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9464',
      'prometheus.io/path': '/internal/metrics',
    });
    const container = template.spec!.containers[0]!;
    assert.equal(container.image, 'registry.example.com/shop-api:1.4.2');
    assert.deepEqual(container.ports, [{ name: 'metrics', containerPort: 9464, protocol: 'TCP' }]);
    // preStop 5 + draining 15 + shutdown_timeout_ms 8 s + margin 5.
    assert.equal(template.spec!.terminationGracePeriodSeconds, 33);
    assert.equal(container.lifecycle?.preStop?.sleep?.seconds, 5);
    assert.deepEqual(service.spec!.selector, selector);
    assert.deepEqual(service.metadata!.labels, selector);
    assert.deepEqual(service.spec!.ports, [{ name: 'metrics', port: 9464, targetPort: 'metrics', protocol: 'TCP' }]);
    for (const monitor of [podMonitor, serviceMonitor]) {
      assert.deepEqual(monitor.metadata!.labels, { release: 'kube-prometheus-stack' });
      assert.deepEqual(monitor.spec.selector.matchLabels, selector);
      assert.deepEqual(monitor.spec.namespaceSelector, { matchNames: ['shop'] });
    }
    const endpoints = [podMonitor.spec.podMetricsEndpoints![0]!, serviceMonitor.spec.endpoints![0]!];
    for (const endpoint of endpoints) {
      assert.equal(endpoint.port, 'metrics');
      assert.equal(endpoint.path, '/internal/metrics');
      assert.deepEqual(endpoint.relabelings, [{ action: 'replace', targetLabel: 'job', replacement: 'shop' }]);
      assert.deepEqual([endpoint.interval, endpoint.scrapeTimeout], ['15s', '10s']);
    }
    assert.deepEqual(rule.metadata!.labels, { release: 'kube-prometheus-stack' });
    assert.deepEqual(
      configMaps.map((map) => Object.keys(map.data ?? {})[0]),
      dashboardArtifacts().map((a) => a.path),
    );
    for (const map of configMaps) {
      assert.deepEqual(map.metadata!.labels, { grafana_dashboard: '1' });
      const [name, json] = Object.entries(map.data ?? {})[0]!;
      assert.equal(json, read(`grafana/dashboards/${name}`), `${name} in its ConfigMap is the file`);
      // kubectl apply keeps the whole object in an annotation of at most 256 KiB.
      assert.ok(Buffer.byteLength(stringify(map.toJSON())) < 256 * 1024, name);
    }
  });

  it('rejects a Kubernetes object that breaks its schema (the validators are not lenient)', () => {
    const broken = yamlDocs('kubernetes/podmonitor.yaml')[0] as {
      spec: { podMetricsEndpoints: Array<{ port: unknown }> };
    };
    broken.spec.podMetricsEndpoints[0]!.port = 9464;
    assert.throws(() => new PodMonitor(broken as never).validate(), /port must be string/);
  });

  it('writes a PrometheusRule holding exactly the groups of the rule file', () => {
    const rule = yamlDocs('kubernetes/prometheusrule.yaml')[0] as { spec: { groups: unknown[] } };
    const file = parse(read('prometheus/rules/grey-rules.yml')) as {
      groups: Array<{ rules: Array<{ alert?: string }> }>;
    };
    assert.deepEqual(rule.spec.groups, file.groups);
    const alerts = file.groups.flatMap((group) => group.rules.flatMap((r) => (r.alert === undefined ? [] : [r.alert])));
    assert.deepEqual(
      alerts,
      alertingRules().map((r) => r.alert),
    );
  });

  it('writes the dashboards as shipped, with the kit data source and job as their defaults', () => {
    for (const shipped of dashboardArtifacts()) {
      const kitDashboard = JSON.parse(read(`grafana/dashboards/${shipped.path}`)) as {
        templating: { list: Array<{ name: string; current?: unknown }> };
      };
      const variable = (name: string) => kitDashboard.templating.list.find((v) => v.name === name);
      assert.deepEqual(variable('datasource')?.current, { text: 'Shop Prometheus', value: 'grey-prometheus' });
      if (variable('job') !== undefined)
        assert.deepEqual(variable('job')?.current, { text: ['shop'], value: ['shop'] });
      const original = JSON.parse(shipped.content) as typeof kitDashboard;
      for (const dashboard of [kitDashboard, original]) {
        for (const v of dashboard.templating.list) if (v.name === 'datasource' || v.name === 'job') delete v.current;
      }
      assert.deepEqual(kitDashboard, original, shipped.path);
    }
    const provider = parse(read('grafana/provisioning/dashboards/grey.yml')) as {
      apiVersion: number;
      providers: Array<{ type: string; options: { path: string } }>;
    };
    assert.equal(provider.apiVersion, 1);
    assert.equal(provider.providers[0]?.type, 'file');
    assert.equal(provider.providers[0]?.options.path, '/var/lib/grafana/dashboards/grey');
    const datasources = parse(read('grafana/provisioning/datasources/grey-prometheus.yml')) as {
      apiVersion: number;
      datasources: Array<Record<string, unknown>>;
    };
    assert.equal(datasources.apiVersion, 1);
    assert.deepEqual(
      {
        name: datasources.datasources[0]?.name,
        uid: datasources.datasources[0]?.uid,
        type: datasources.datasources[0]?.type,
      },
      { name: 'Shop Prometheus', uid: 'grey-prometheus', type: 'prometheus' },
    );
  });

  it('writes a Collector config of the documented shape: OTLP in, memory limiter first, batch last, three exporters', () => {
    const config = parse(read('otel-collector/config.yaml')) as {
      receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } };
      processors: Record<string, unknown>;
      exporters: Record<string, { endpoint: string }>;
      extensions: Record<string, unknown>;
      service: {
        extensions: string[];
        pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
      };
    };
    assert.equal(config.receivers.otlp.protocols.grpc.endpoint, '0.0.0.0:4317');
    assert.equal(config.receivers.otlp.protocols.http.endpoint, '0.0.0.0:4318');
    const traces = config.service.pipelines.traces!;
    // Every component a pipeline names is defined in its section (the Collector refuses to start otherwise).
    for (const name of traces.receivers) assert.ok(name in config.receivers, name);
    for (const name of traces.processors) assert.ok(name in config.processors, name);
    for (const name of traces.exporters) assert.ok(name in config.exporters, name);
    for (const name of config.service.extensions) assert.ok(name in config.extensions, name);
    assert.equal(traces.processors[0], 'memory_limiter');
    assert.equal(traces.processors.at(-1), 'batch');
    assert.deepEqual(Object.fromEntries(traces.exporters.map((name) => [name, config.exporters[name]?.endpoint])), {
      'otlp/tempo': 'tempo.tracing:4317',
      'otlp/jaeger': 'jaeger:4317',
      zipkin: 'http://zipkin.tracing:9411/api/v2/spans',
    });
  });

  it('writes a Vector config whose pipeline is connected, reading the selected pods and pushing to Loki', () => {
    const config = parse(read('vector/vector.yaml')) as {
      sources: Record<string, { type: string; extra_label_selector: string }>;
      transforms: Record<string, { inputs: string[] }>;
      sinks: Record<string, { type: string; inputs: string[]; endpoint: string; labels: Record<string, string> }>;
    };
    assert.equal(config.sources.grey_logs?.extra_label_selector, 'app=shop,tier=api');
    assert.equal((config.sources.grey_logs as Record<string, unknown>).extra_field_selector, 'metadata.namespace=shop');
    const known = new Set([...Object.keys(config.sources), ...Object.keys(config.transforms)]);
    for (const component of [...Object.values(config.transforms), ...Object.values(config.sinks)]) {
      for (const input of component.inputs) assert.ok(known.has(input), input);
    }
    assert.equal(config.sinks.loki?.endpoint, 'http://loki.logging:3100');
    assert.equal(config.sinks.loki?.labels.job, 'shop');
  });
});

describe('grey-observability monitoring: placeholders, bad flags, auth, secrets', () => {
  it('leaves explicit placeholders for values not given, names them on stderr and in the files, and stays valid', () => {
    const result = cli(['monitoring', '--out', 'bare'], work.path);
    assert.equal(result.code, 0, result.output);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 3, result.stderr);
    for (const flag of ['--warning-webhook-url', '--critical-webhook-url', '--image']) {
      assert.ok(
        lines.some((line) => line.startsWith('placeholder left in ') && line.endsWith(`set it with ${flag}`)),
        flag,
      );
    }
    const bare = join(work.path, 'bare');
    const alertmanager = readFileSync(join(bare, 'alertmanager/alertmanager.yml'), 'utf8');
    assert.equal(
      alertmanager.match(/^# PLACEHOLDER: .*\.invalid.*; set it with --(warning|critical)-webhook-url\.$/gm)?.length,
      2,
    );
    assert.match(
      readFileSync(join(bare, 'kubernetes/deployment.yaml'), 'utf8'),
      /^# PLACEHOLDER: the container image/m,
    );
    assert.match(readFileSync(join(bare, 'README.md'), 'utf8'), /Placeholders left/);
    assert.equal(run('amtool', ['check-config', 'alertmanager/alertmanager.yml'], bare).code, 0);
    // The defaults: the spec's job, port and path of the service config found in the working directory.
    const config = parse(readFileSync(join(bare, 'prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    assert.equal(config.scrape_configs[0]?.job_name, 'grey-cluster');
    assert.deepEqual(config.scrape_configs[0]?.static_configs[0]?.targets, ['localhost:9464']);
  });

  it('exits 2 naming every bad flag at once, and writes nothing', () => {
    const result = cli(
      [
        'monitoring',
        '--out',
        'bad',
        '--namespace=Shop_NS',
        '--selector=app',
        '--target=host-without-port',
        '--alertmanager-url=alertmanager:9093',
        '--critical-webhook-url=ftp://user:hunter2@pager.example.com/',
      ],
      work.path,
    );
    assert.equal(result.code, 2, result.output);
    for (const flag of ['--namespace', '--selector', '--target', '--alertmanager-url', '--critical-webhook-url']) {
      assert.match(result.stderr, new RegExp(`^${flag} `, 'm'), flag);
    }
    assert.ok(!result.output.includes('hunter2'), 'no credential of a URL is printed');
    assert.equal(existsSync(join(work.path, 'bad')), false);
    for (const args of [
      ['monitoring'],
      ['monitoring', '--out'],
      ['monitoring', '--out', 'x', '--unknown'],
      ['monitoring', '--out', 'x', 'extra'],
    ]) {
      const usage = cli(args, work.path);
      assert.equal(usage.code, 2, args.join(' '));
      assert.match(usage.stderr, /Usage: grey-observability monitoring --out DIR/);
    }
  });

  it('exits 1 on an invalid service config, naming the key', () => {
    writeFileSync(join(work.path, 'broken.yaml'), 'prometheus:\n  port: 99999\n');
    const result = cli(['monitoring', '--out', 'broken', '--config', 'broken.yaml'], work.path);
    assert.equal(result.code, 1, result.output);
    assert.match(result.stderr, /prometheus\.port/);
    assert.equal(existsSync(join(work.path, 'broken')), false);
  });

  it('carries the endpoint auth of the service config into every scraper, from one Secret, without the secret', () => {
    writeFileSync(
      join(work.path, 'bearer.yaml'),
      'service:\n  name: vault-api\nprometheus:\n  auth:\n    type: bearer\n    token: s3cr3t-metrics-token\n',
    );
    const result = cli(
      ['monitoring', '--out', 'bearer', '--config', 'bearer.yaml', '--target=127.0.0.1:9090'],
      work.path,
    );
    assert.equal(result.code, 0, result.output);
    const dir = join(work.path, 'bearer');
    const files = listFiles(dir);
    assert.ok(files.length > 20);
    for (const file of files) {
      assert.ok(!readFileSync(join(dir, file), 'utf8').includes('s3cr3t-metrics-token'), `${file} holds no token`);
    }
    assert.ok(!result.output.includes('s3cr3t-metrics-token'));
    // The token file is the operator's to write (the kit writes no secret): promtool says so until it exists.
    assert.match(
      result.stderr,
      /placeholder left in prometheus\/secrets\/grey-metrics\/token: .*the kit writes no secret/,
    );
    const missing = run('promtool', ['check', 'config', 'prometheus/prometheus.yml'], dir);
    assert.equal(missing.code, 1, missing.output);
    assert.match(missing.output, /secrets\/grey-metrics\/token/);
    mkdirSync(join(dir, 'prometheus/secrets/grey-metrics'), { recursive: true });
    writeFileSync(join(dir, 'prometheus/secrets/grey-metrics/token'), 's3cr3t-metrics-token', { mode: 0o600 });
    const check = run('promtool', ['check', 'config', 'prometheus/prometheus.yml'], dir);
    assert.equal(check.code, 0, check.output);
    const job = (
      parse(readFileSync(join(dir, 'prometheus/prometheus.yml'), 'utf8')) as {
        scrape_configs: Array<Record<string, unknown>>;
      }
    ).scrape_configs[0]!;
    assert.deepEqual(job.authorization, { type: 'Bearer', credentials_file: 'secrets/grey-metrics/token' });
    const podMonitor = new PodMonitor(parse(readFileSync(join(dir, 'kubernetes/podmonitor.yaml'), 'utf8')) as never);
    podMonitor.validate();
    assert.deepEqual(podMonitor.spec.podMetricsEndpoints![0]!.authorization, {
      type: 'Bearer',
      credentials: { name: 'vault-api-metrics-auth', key: 'token' },
    });
    const deployment = new Deployment(parse(readFileSync(join(dir, 'kubernetes/deployment.yaml'), 'utf8')) as never);
    deployment.validate();
    assert.deepEqual(
      deployment.spec!.template.spec!.containers[0]!.env!.find((e) => e.name === 'GREY_PROMETHEUS_AUTH_TOKEN')
        ?.valueFrom,
      { secretKeyRef: { name: 'vault-api-metrics-auth', key: 'token' } },
    );
  });

  it('keeps dashboards and rules working: rules --out also writes the promtool tests, which pass', () => {
    const result = cli(['rules', '--out', 'rules-only'], work.path);
    assert.equal(result.code, 0, result.output);
    assert.deepEqual(readdirSync(join(work.path, 'rules-only')).sort(), ['grey-rules.test.yml', 'grey-rules.yml']);
    const tests = run('promtool', ['test', 'rules', 'grey-rules.test.yml'], join(work.path, 'rules-only'));
    assert.equal(tests.code, 0, tests.output);
  });

  it('exits 2 for a flag given twice, a label key or target given twice, and a name Kubernetes refuses', () => {
    for (const [args, problem] of [
      [['--job=a', '--job=b'], /--job is given more than once/],
      [['--out=other'], /--out is given more than once/],
      [['--selector=app=x', '--selector=app=y'], /the label app is given twice/],
      [['--target=a:1', '--target=a:1'], /--target "a:1": given twice/],
      [['--name=payments.api'], /--name "payments\.api": expected a DNS-1035 label/],
      [[`--name=${'a'.repeat(64)}`], /--name "a{64}": expected a DNS-1035 label/],
      [
        ['--alertmanager-url=https://amuser:PW3SECRET@am.example.com:9443/am'],
        /--alertmanager-url .*without credentials/,
      ],
      [['--alertmanager-url=http://am:9093/x?y=1'], /--alertmanager-url .*without credentials, query or fragment/],
      [
        ['--tempo-endpoint=none', '--jaeger-endpoint=none', '--zipkin-endpoint=none'],
        /the Collector needs one exporter/,
      ],
    ] as const) {
      const result = cli(['monitoring', '--out', 'twice', ...args], work.path);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.output}`);
      assert.match(result.stderr, problem, args.join(' '));
      assert.ok(!result.output.includes('PW3SECRET'), 'no credential of a URL is printed');
    }
    assert.equal(existsSync(join(work.path, 'twice')), false);
  });

  it('leaves an exporter out with none, the pipeline still connected', () => {
    const result = cli(
      ['monitoring', '--out', 'tempo-only', '--jaeger-endpoint=none', '--zipkin-endpoint=none'],
      work.path,
    );
    assert.equal(result.code, 0, result.output);
    const config = parse(readFileSync(join(work.path, 'tempo-only/otel-collector/config.yaml'), 'utf8')) as {
      exporters: Record<string, unknown>;
      service: { pipelines: { traces: { exporters: string[] } } };
    };
    assert.deepEqual(Object.keys(config.exporters), ['otlp/tempo']);
    assert.deepEqual(config.service.pipelines.traces.exporters, ['otlp/tempo']);
  });

  it('warns about a service config the kit cannot scrape well: metrics off, port 0, Prometheus own port, a long timeout', () => {
    writeFileSync(
      join(work.path, 'odd.yaml'),
      'prometheus:\n  enabled: false\n  port: 0\n  scrape_timeout_ms: 30000\n',
    );
    const odd = cli(['monitoring', '--out', 'odd', '--config', 'odd.yaml'], work.path);
    assert.equal(odd.code, 0, odd.output);
    const warnings = odd.stderr.split('\n').filter((line) => line.startsWith('warning: '));
    assert.equal(warnings.length, 4, odd.stderr);
    for (const text of [
      /prometheus\.enabled: false/,
      /prometheus\.port is 0/,
      /Prometheus's own port/,
      /scrape_timeout_ms is 30000/,
    ]) {
      assert.ok(
        warnings.some((line) => text.test(line)),
        String(text),
      );
    }
    const readme = readFileSync(join(work.path, 'odd/README.md'), 'utf8');
    assert.match(readme, /^Warnings:$/m);
    const job = (
      parse(readFileSync(join(work.path, 'odd/prometheus/prometheus.yml'), 'utf8')) as {
        scrape_configs: Array<{ scrape_timeout: string }>;
      }
    ).scrape_configs[0]!;
    assert.equal(job.scrape_timeout, '15s', 'never above the scrape interval');
    assert.equal(run('promtool', ['check', 'config', 'prometheus/prometheus.yml'], join(work.path, 'odd')).code, 0);
  });

  it('fails with exit 1 before writing any file when a folder cannot be made, on procfs too', () => {
    mkdirSync(join(work.path, 'blocked'));
    writeFileSync(join(work.path, 'blocked', 'prometheus'), 'a file where the kit wants a folder');
    const blocked = cli(['monitoring', '--out', 'blocked'], work.path);
    assert.equal(blocked.code, 1, blocked.output);
    assert.match(blocked.stderr, /could not write to blocked: /);
    assert.deepEqual(readdirSync(join(work.path, 'blocked')), ['prometheus'], 'no file written');
    // Node's recursive mkdir never returns on procfs; the kit makes one folder at a time.
    const proc = cli(['monitoring', '--out', '/proc/grey-kit'], work.path);
    assert.equal(proc.code, 1, proc.output);
    assert.match(proc.stderr, /could not write to \/proc\/grey-kit: /);
  });

  it('tells in the README to write the credential file and create the Secret when the endpoint needs auth', () => {
    const readme = readFileSync(join(work.path, 'bearer', 'README.md'), 'utf8');
    assert.match(readme, /write\n?\s*`prometheus\/secrets\/grey-metrics\/token`/);
    assert.match(readme, /kubectl create secret generic vault-api-metrics-auth --namespace default/);
    assert.ok(!readme.includes('s3cr3t-metrics-token'));
  });
});
