import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ObservabilityConfig } from '../config/types.js';

/**
 * The resource every span carries: the SDK's `telemetry.sdk.*` attributes, then
 * `opentelemetry.resource` (OTEL_RESOURCE_ATTRIBUTES is already merged into it by the config
 * loader), then the service identity: `service.name`, and when not empty `service.version`,
 * `deployment.environment` and `service.instance.id`. No detector reads the environment.
 */
export function buildResource(config: Pick<ObservabilityConfig, 'service' | 'opentelemetry'>): Resource {
  const attributes: Record<string, string> = { ...config.opentelemetry.resource };
  const service = config.service;
  attributes['service.name'] = service.name;
  if (service.version !== '') attributes['service.version'] = service.version;
  if (service.environment !== '') attributes['deployment.environment'] = service.environment;
  if (service.instance_id !== '') attributes['service.instance.id'] = service.instance_id;
  return defaultResource().merge(resourceFromAttributes(attributes));
}
