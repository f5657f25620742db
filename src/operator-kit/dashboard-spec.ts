/**
 * Dashboards as data: the specs of dashboards/ are written in these shapes, and
 * dashboard-builder.ts (build time, with the Grafana Foundation SDK) turns them into dashboard
 * JSON. This module imports nothing, so the specs can be read at run time (the CLI takes the
 * dashboards' order and uids from them) without the SDK.
 */

/** One PromQL query of a panel. */
interface PanelQuery {
  expr: string;
  /** Grafana legend template, e.g. `{{tenant}}`. */
  legend?: string;
  /** `table` for tables (instant), `heatmap` for bucket bars; default time series. */
  format?: 'time_series' | 'table' | 'heatmap';
  /** Evaluate at the end of the range only (stat-like panels, tables). */
  instant?: boolean;
  /** Unit of this query's fields when it differs from the panel's (shown on a right axis). */
  unit?: string;
}

/** One threshold step: from `value` upwards (null: the base step) the colour is `color`. */
export interface ThresholdStep {
  value: number | null;
  color: string;
}

/** A value range shown as text, e.g. 0.8–1 as "healthy". */
interface RangeText {
  from: number;
  to: number;
  text: string;
  color: string;
}

/** A panel as data. */
export interface PanelSpec {
  title: string;
  description: string;
  kind: 'stat' | 'gauge' | 'timeseries' | 'bargauge' | 'piechart' | 'table';
  /** Grafana unit id: `percentunit`, `s`, `ops`, `bytes`, `short`, `none` ... */
  unit: string;
  min?: number;
  max?: number;
  thresholds: readonly ThresholdStep[];
  queries: readonly PanelQuery[];
  rangeTexts?: readonly RangeText[];
  /** Time series: stack the series (area, or bars with `bars`). */
  stacked?: boolean;
  bars?: boolean;
  /** Grid width (of 24) and height; default 12 × 8. */
  width?: number;
  height?: number;
}

/** A dashboard as data. */
export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  panels: readonly PanelSpec[];
}

/** Green from the base, then the given steps. */
export function steps(...rest: ReadonlyArray<[number, string]>): ThresholdStep[] {
  return [{ value: null, color: 'green' }, ...rest.map(([value, color]) => ({ value, color }))];
}
