import type { MonitoringKitOptions } from './kit-options.js';
import { selectorText } from './scrape-configs.js';

/**
 * An example Vector pipeline that ships the service's pino lines from Kubernetes to Loki.
 *
 * Each line the logger writes is one JSON object with `level` (a label: `info`, `error` ...),
 * `time` (epoch milliseconds), `msg`, `service` and, when known, `tenant_id`, `trace_id`,
 * `span_id` (docs/logging.md). The pipeline parses it, takes the event time from `time` (the
 * spec's `.timestamp = now()` would stamp the shipping time instead), and makes `service`,
 * `level` and `tenant` Loki labels. `trace_id` stays in the line (one value per request would make
 * a label per trace); Grafana links it to Tempo with a derived field.
 */

/** Fields of a log line that the pipeline reads; the tests check the real logger writes them. */
export const SHIPPED_LOG_FIELDS = ['time', 'level', 'service', 'tenant_id', 'trace_id'] as const;

/** The VRL program of the `grey_parse` transform. */
const PARSE_PROGRAM = `kubernetes = .kubernetes
parsed, err = parse_json(string!(.message))
if err == null && is_object(parsed) {
  . = object!(parsed)
  .kubernetes = kubernetes
}
if is_integer(.time) {
  .timestamp = from_unix_timestamp!(int!(.time), unit: "milliseconds")
} else {
  .timestamp = now()
}
.level = string(.level) ?? "unknown"
.service = string(.service) ?? "unknown"
.tenant_id = string(.tenant_id) ?? "none"
`;

/**
 * The Vector config (YAML-ready object): the logs of the pods of `options.namespace` matching
 * `options.selector`, pushed
 * to `options.lokiUrl`.
 */
export function vectorConfig(options: MonitoringKitOptions): object {
  return {
    sources: {
      grey_logs: {
        type: 'kubernetes_logs',
        extra_label_selector: selectorText(options.selector),
        extra_field_selector: `metadata.namespace=${options.namespace}`,
      },
    },
    transforms: {
      grey_parse: { type: 'remap', inputs: ['grey_logs'], source: PARSE_PROGRAM },
    },
    sinks: {
      loki: {
        type: 'loki',
        inputs: ['grey_parse'],
        endpoint: options.lokiUrl,
        labels: {
          job: options.job,
          service: '{{ service }}',
          level: '{{ level }}',
          tenant: '{{ tenant_id }}',
          namespace: '{{ kubernetes.pod_namespace }}',
        },
        encoding: { codec: 'json' },
        out_of_order_action: 'accept',
      },
    },
  };
}
