import type { Attributes } from '@opentelemetry/api';
import { Gauge, type Registry } from 'prom-client';

/** Name of the resource info metric (OpenTelemetry "Prometheus and OpenMetrics Compatibility", Resource Attributes). */
const TARGET_INFO = 'target_info';

/**
 * Registers `target_info`, a gauge of value 1 whose labels are the resource attributes (the same
 * identity the spans carry: service.*, host.name, process.pid, process.runtime.name ...), as the
 * OpenTelemetry Prometheus compatibility specification asks, so that a query can join a metric
 * to its host or container (`* on (instance) group_left(host_name) target_info`). Attribute names
 * are sanitised to label names (`host.name` is `host_name`); values are strings; array values are
 * joined as JSON. Does nothing when the registry already has it.
 */
export function registerTargetInfo(registry: Registry, attributes: Attributes): void {
  if (registry.getSingleMetric(TARGET_INFO) !== undefined) return;
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    const label = name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^([0-9])/, '_$1');
    if (label.startsWith('__')) continue;
    labels[label] = Array.isArray(value) ? JSON.stringify(value) : String(value);
  }
  const gauge = new Gauge({
    name: TARGET_INFO,
    help: 'Target metadata: the OpenTelemetry resource attributes of this process',
    labelNames: Object.keys(labels),
    registers: [registry],
  });
  gauge.set(labels, 1);
}
