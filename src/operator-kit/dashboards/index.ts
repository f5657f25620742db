import type { DashboardSpec } from '../dashboard-spec.js';
import { clusterOverview } from './cluster-overview.js';
import { observabilityPipeline } from './observability-pipeline.js';
import { taskExecution } from './task-execution.js';
import { teeOperations } from './tee-operations.js';
import { tenantIsolation } from './tenant-isolation.js';

/** The spec's four dashboards, in the spec's order, then the package's own pipeline dashboard. */
export function dashboardSpecs(): DashboardSpec[] {
  return [clusterOverview(), taskExecution(), tenantIsolation(), teeOperations(), observabilityPipeline()];
}
