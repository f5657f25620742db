import type { MonitoringKitOptions } from './kit-options.js';

/**
 * Grafana file provisioning for the kit (Grafana's "Provision Grafana" docs, `apiVersion: 1`):
 * a dashboards provider reading the dashboard files from `options.grafanaDashboardsPath`, and a
 * Prometheus data source that the dashboards' `datasource` variable defaults to.
 */

/** Uid of the provisioned data source (stable, so links and the dashboards' default can name it). */
const DATASOURCE_UID = 'grey-prometheus';

/** `provisioning/dashboards/grey.yml`. */
export function dashboardProvider(options: MonitoringKitOptions): object {
  return {
    apiVersion: 1,
    providers: [
      {
        name: 'grey-observability',
        orgId: 1,
        folder: 'Grey',
        type: 'file',
        disableDeletion: false,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path: options.grafanaDashboardsPath, foldersFromFilesStructure: false },
      },
    ],
  };
}

/** `provisioning/datasources/grey-prometheus.yml`. */
export function datasourceProvider(options: MonitoringKitOptions): object {
  return {
    apiVersion: 1,
    datasources: [
      {
        name: options.datasource,
        uid: DATASOURCE_UID,
        type: 'prometheus',
        access: 'proxy',
        url: options.prometheusUrl,
        isDefault: false,
        jsonData: { timeInterval: '15s' },
      },
    ],
  };
}

interface TemplateVariable {
  name: string;
  type: string;
  current?: { text: string | string[]; value: string | string[] };
}

/**
 * A shipped dashboard (JSON text) with the kit's choices as its defaults: the `datasource`
 * variable selects `options.datasource`, the `job` variable `options.job` (an operator can still
 * pick another or All). Everything else is as built.
 */
export function parameteriseDashboard(json: string, options: MonitoringKitOptions): string {
  const dashboard = JSON.parse(json) as { templating?: { list?: TemplateVariable[] } };
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.name === 'datasource' && variable.type === 'datasource') {
      variable.current = { text: options.datasource, value: DATASOURCE_UID };
    } else if (variable.name === 'job' && variable.type === 'query') {
      variable.current = { text: [options.job], value: [options.job] };
    }
  }
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
