import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';

const read = (path: string): string => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

/** The fenced blocks of `language` in a markdown text. */
function blocks(markdown: string, language: string): string[] {
  return [...markdown.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```', 'gm'))].map((m) => m[1] ?? '');
}

interface Relabel {
  source_labels: string[];
  action: 'keep' | 'replace';
  regex?: string | boolean;
  replacement?: string;
  target_label?: string;
}

function relabel(rules: Relabel[], input: Record<string, string>): Record<string, string> | undefined {
  const labels = { ...input };
  for (const rule of rules) {
    const value = rule.source_labels.map((name) => labels[name] ?? '').join(';');
    const match = new RegExp(`^(?:${String(rule.regex ?? '(.*)')})$`).exec(value);
    if (rule.action === 'keep') {
      if (match === null) return undefined;
    } else if (match !== null && rule.target_label !== undefined) {
      labels[rule.target_label] = (rule.replacement ?? '$1').replace(
        /\$(\d+)/g,
        (_, n: string) => match[Number(n)] ?? '',
      );
    }
  }
  return labels;
}

describe('user docs recipes', () => {
  for (const page of ['docs/getting-started.md', 'docs/kubernetes.md', 'docs/local-traces.md']) {
    it(`every YAML block of ${page} parses`, () => {
      const yamlBlocks = blocks(read(page), 'yaml');
      assert.ok(yamlBlocks.length > 0);
      for (const block of yamlBlocks) {
        for (const doc of parseAllDocuments(block)) assert.deepEqual(doc.errors, [], block);
      }
    });
  }

  // Debian's promtool is built without Kubernetes service discovery, so the relabelling is checked
  // here the way Prometheus applies it: source labels joined by ";", regex anchored, $n replaced.
  it('the scrape config of docs/kubernetes.md sends Prometheus to the annotated port and path', () => {
    const scrape = blocks(read('docs/kubernetes.md'), 'yaml').find((block) => block.startsWith('scrape_configs:'));
    const [doc] = parseAllDocuments(scrape ?? '');
    const job = (doc?.toJS() as { scrape_configs: Array<{ relabel_configs: Relabel[] }> }).scrape_configs[0];
    assert.ok(job);
    const target = relabel(job.relabel_configs, {
      __address__: '10.1.2.3:8080',
      __metrics_path__: '/metrics',
      __meta_kubernetes_pod_annotation_prometheus_io_scrape: 'true',
      __meta_kubernetes_pod_annotation_prometheus_io_port: '9464',
      __meta_kubernetes_pod_annotation_prometheus_io_path: '/internal/metrics',
    });
    assert.deepEqual(target && { address: target.__address__, path: target.__metrics_path__ }, {
      address: '10.1.2.3:9464',
      path: '/internal/metrics',
    });
    const dropped = relabel(job.relabel_configs, {
      __address__: '10.1.2.3:8080',
      __meta_kubernetes_pod_annotation_prometheus_io_scrape: 'false',
    });
    assert.equal(dropped, undefined, 'pods without the annotation are not scraped');
  });

  it('the pod annotations of docs/kubernetes.md match the ports the Deployment sets', () => {
    const [deployment] = blocks(read('docs/kubernetes.md'), 'yaml');
    const port = /prometheus\.io\/port: '(\d+)'/.exec(deployment ?? '')?.[1];
    assert.ok(port);
    assert.match(deployment ?? '', new RegExp(`containerPort: ${port}\\b`));
    assert.match(deployment ?? '', new RegExp(`name: GREY_PROMETHEUS_PORT\\n\\s+value: '${port}'`));
  });
});
