import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  DashboardBuilder,
  DatasourceVariableBuilder,
  MappingType,
  QueryVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type DynamicConfigValue,
  type Panel,
  type ThresholdsConfig,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import * as piechart from '@grafana/grafana-foundation-sdk/piechart';
import { DataqueryBuilder, type PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { GraphDrawStyle, StackingConfigBuilder, StackingMode } from '@grafana/grafana-foundation-sdk/common';
import type { DashboardSpec, PanelSpec } from './dashboard-spec.js';
import { selector } from './promql.js';

/**
 * Dashboards as data ({@link DashboardSpec}) turned into Grafana dashboard JSON by Grafana's
 * Foundation SDK. Every dashboard gets the same template variables: `datasource` (a Prometheus
 * data source), `job` and `tenant` (multi-value, "All" = `.*`; `tenant` only on a dashboard with a
 * tenant-aware metric), which the panels' selectors use through
 * `selector(..., { scope: 'dashboard' })`.
 */

export type { DashboardSpec } from './dashboard-spec.js';

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;
const TAGS = ['grey', 'grey-observability'];

/** Grafana dashboard JSON for `spec`. */
export function buildDashboard(spec: DashboardSpec): Dashboard {
  // The tenants that submitted tasks in the selected jobs.
  const tenantQuery = `label_values(${selector('grey_tasks_submitted_total')}{job=~"$job"}, tenant)`;
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(TAGS)
    .editable()
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
    .withVariable(
      new QueryVariableBuilder('job')
        .label('Job')
        .datasource(DATASOURCE)
        .query('label_values({__name__=~"grey_.+"}, job)')
        .definition('label_values({__name__=~"grey_.+"}, job)')
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue('.*')
        .current({ text: 'All', value: '$__all' }),
    );
  // A dashboard none of whose queries filters by tenant (no tenant-aware metric) gets no tenant
  // selector that would change nothing.
  const filtersTenant = spec.panels.some((panel) => panel.queries.some((query) => query.expr.includes('$tenant')));
  if (filtersTenant)
    builder.withVariable(
      new QueryVariableBuilder('tenant')
        .label('Tenant')
        .datasource(DATASOURCE)
        .query(tenantQuery)
        .definition(tenantQuery)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue('.*')
        .current({ text: 'All', value: '$__all' }),
    );
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const panel of spec.panels) {
    const w = panel.width ?? 12;
    const h = panel.height ?? 8;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    builder.withPanel(buildPanel(panel).gridPos({ x, y, w, h }));
    x += w;
    rowHeight = Math.max(rowHeight, h);
  }
  return builder.build();
}

/** What every panel builder of the SDK offers that we use. */
interface CommonPanelBuilder extends cog.Builder<Panel> {
  title(title: string): this;
  description(description: string): this;
  datasource(datasource: { type: string; uid: string }): this;
  gridPos(gridPos: { x: number; y: number; w: number; h: number }): this;
  unit(unit: string): this;
  min(min: number): this;
  max(max: number): this;
  thresholds(thresholds: cog.Builder<ThresholdsConfig>): this;
  mappings(mappings: ValueMapping[]): this;
  withTarget(target: DataqueryBuilder): this;
  overrideByQuery(refId: string, properties: DynamicConfigValue[]): this;
}

function buildPanel(spec: PanelSpec): CommonPanelBuilder {
  const panel = panelOfKind(spec);
  panel
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .thresholds(
      new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(spec.thresholds.map((step) => ({ ...step }))),
    );
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  if (spec.rangeTexts !== undefined) {
    panel.mappings(
      spec.rangeTexts.map((range, index) => ({
        type: MappingType.RangeToText,
        options: { from: range.from, to: range.to, result: { text: range.text, color: range.color, index } },
      })),
    );
  }
  spec.queries.forEach((query, index) => {
    const refId = String.fromCharCode(65 + index);
    const target = new DataqueryBuilder()
      .refId(refId)
      .datasource(DATASOURCE)
      .expr(query.expr)
      .legendFormat(query.legend ?? '__auto')
      .format((query.format ?? 'time_series') as PromQueryFormat);
    if (query.instant === true) target.instant();
    else target.range();
    panel.withTarget(target);
    if (query.unit !== undefined) {
      panel.overrideByQuery(refId, [
        { id: 'unit', value: query.unit },
        { id: 'custom.axisPlacement', value: 'right' },
        {
          id: 'custom.stacking',
          value: { mode: spec.stacked === true ? StackingMode.Normal : StackingMode.None, group: refId },
        },
      ]);
    }
  });
  return panel;
}

function panelOfKind(spec: PanelSpec): CommonPanelBuilder {
  switch (spec.kind) {
    case 'stat':
      return new stat.PanelBuilder() as unknown as CommonPanelBuilder;
    case 'gauge':
      return new gauge.PanelBuilder().showThresholdMarkers(true) as unknown as CommonPanelBuilder;
    case 'bargauge':
      return new bargauge.PanelBuilder() as unknown as CommonPanelBuilder;
    case 'piechart':
      return new piechart.PanelBuilder().pieType(piechart.PieChartType.Pie) as unknown as CommonPanelBuilder;
    case 'table':
      return new table.PanelBuilder() as unknown as CommonPanelBuilder;
    case 'timeseries': {
      const panel = new timeseries.PanelBuilder()
        .drawStyle(spec.bars === true ? GraphDrawStyle.Bars : GraphDrawStyle.Line)
        .fillOpacity(spec.stacked === true ? 60 : 10);
      if (spec.stacked === true) panel.stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
      return panel as unknown as CommonPanelBuilder;
    }
  }
}
