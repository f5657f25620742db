import {
  defaultResource,
  detectResources,
  hostDetector,
  osDetector,
  processDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
  type Resource,
  type ResourceDetector,
} from '@opentelemetry/resources';
import type { ObservabilityConfig } from '../config/types.js';

/** The detectors that `all` stands for in `opentelemetry.resource_detectors`, in order. */
const ALL_DETECTORS = ['env', 'host', 'os', 'process', 'serviceinstance', 'container'] as const;

/**
 * The detectors a `opentelemetry.resource_detectors` list names, as `@opentelemetry/sdk-node`
 * reads `OTEL_NODE_RESOURCE_DETECTORS`: `all` is every one, `none` (anywhere) none.
 */
export function expandDetectorNames(names: readonly string[]): string[] {
  if (names.includes('none')) return [];
  if (names.includes('all')) return [...ALL_DETECTORS];
  return [...new Set(names)];
}

/**
 * The resource every span carries (and `target_info` on the Prometheus endpoint): the SDK's
 * `telemetry.sdk.*` attributes, then what the detectors of `opentelemetry.resource_detectors` find
 * (the SDK's own: host: `host.name`, `host.arch`, `host.id`; os: `os.type`, `os.version`; process:
 * `process.pid`, `process.runtime.name` "nodejs", `process.runtime.version`, ..., but not the
 * command line, see {@link OMITTED_PROCESS_ATTRIBUTES}; serviceinstance:
 * a random `service.instance.id`; container: `container.id` from the cgroup files of
 * @opentelemetry/resource-detector-container), then `extraDetectors` (initObservability's
 * `resourceDetectors`), then `opentelemetry.resource` (OTEL_RESOURCE_ATTRIBUTES is already merged
 * into it by the config loader: that is the `env` detector), then the service identity:
 * `service.name`, and when not empty `service.version`, `deployment.environment` and
 * `service.instance.id`. Later sources win. Asynchronous detector attributes (host.id,
 * container.id: local file reads) are awaited here, so the resource is complete before the first
 * span or scrape.
 */
export async function detectResource(
  config: Pick<ObservabilityConfig, 'service' | 'opentelemetry'>,
  extraDetectors: readonly ResourceDetector[] = [],
): Promise<Resource> {
  const detectors: ResourceDetector[] = [];
  for (const name of expandDetectorNames(config.opentelemetry.resource_detectors)) {
    if (name === 'host') detectors.push(hostDetector);
    else if (name === 'os') detectors.push(osDetector);
    else if (name === 'process') detectors.push(processDetector);
    else if (name === 'serviceinstance') detectors.push(serviceInstanceIdDetector);
    else if (name === 'container') {
      const { containerDetector } = await import('@opentelemetry/resource-detector-container');
      detectors.push(containerDetector);
    }
  }
  detectors.push(...extraDetectors);
  const detected = detectors.length === 0 ? undefined : detectResources({ detectors });
  await detected?.waitForAsyncAttributes?.();
  const base = detected === undefined ? defaultResource() : defaultResource().merge(withoutCommandLine(detected));
  return base.merge(resourceFromAttributes(configAttributes(config)));
}

/**
 * Attributes of the process detector left out: the command line may hold secrets
 * (`--token=...`) and would reach every span and the `target_info` labels.
 */
export const OMITTED_PROCESS_ATTRIBUTES = ['process.command_args', 'process.command_line'] as const;

function withoutCommandLine(resource: Resource): Resource {
  const attributes = { ...resource.attributes };
  for (const name of OMITTED_PROCESS_ATTRIBUTES) delete attributes[name];
  return resourceFromAttributes(attributes);
}

/**
 * What the resource holds right now, without waiting (for `check-config`): the attributes of the
 * detectors that answer synchronously (host.name, os.*, process.*), the config's over them.
 * `host.id` and `container.id` are read from files at start and are not in it; `pending` names
 * the attributes read then.
 */
export function describeResourceNow(config: Pick<ObservabilityConfig, 'service' | 'opentelemetry'>): {
  attributes: Record<string, unknown>;
  pending: string[];
} {
  const names = expandDetectorNames(config.opentelemetry.resource_detectors);
  const sync: Record<string, ResourceDetector> = {
    host: hostDetector,
    os: osDetector,
    process: processDetector,
    serviceinstance: serviceInstanceIdDetector,
  };
  const detectors = names.flatMap((name) => (sync[name] === undefined ? [] : [sync[name]]));
  const detected = detectResources({ detectors });
  const resource = defaultResource()
    .merge(detected)
    .merge(resourceFromAttributes(configAttributes(config)));
  const pending = names.flatMap((name) =>
    name === 'host' ? ['host.id'] : name === 'container' ? ['container.id'] : [],
  );
  return { attributes: { ...resource.attributes }, pending };
}

/** The attributes of `opentelemetry.resource` and the service section (see {@link detectResource}). */
function configAttributes(config: Pick<ObservabilityConfig, 'service' | 'opentelemetry'>): Record<string, string> {
  const attributes: Record<string, string> = { ...config.opentelemetry.resource };
  const service = config.service;
  attributes['service.name'] = service.name;
  if (service.version !== '') attributes['service.version'] = service.version;
  if (service.environment !== '') attributes['deployment.environment'] = service.environment;
  if (service.instance_id !== '') attributes['service.instance.id'] = service.instance_id;
  return attributes;
}

/**
 * The resource of the config alone, without detectors (the service identity and
 * `opentelemetry.resource` over the SDK's `telemetry.sdk.*`).
 */
export function buildResource(config: Pick<ObservabilityConfig, 'service' | 'opentelemetry'>): Resource {
  return defaultResource().merge(resourceFromAttributes(configAttributes(config)));
}
