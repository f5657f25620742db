import { type DashboardSpec, steps } from '../dashboard-spec.js';
import { by, selector } from '../promql.js';

const d = (name: string, match?: Record<string, string>): string => selector(name, { scope: 'dashboard', match });

/** The spec's "TEE Operations" dashboard. */
export function teeOperations(): DashboardSpec {
  const attestations = 'grey_tee_attestations_total';
  const latency = 'grey_tee_attestation_duration_seconds';
  const series = (suffix: '_sum' | '_count'): string => selector(latency, { scope: 'dashboard', suffix });
  return {
    uid: 'grey-tee-operations',
    title: 'Grey / TEE Operations',
    description: 'Enclave attestations, enclaves by platform and execution proofs.',
    panels: [
      {
        title: 'Attestation Success Rate',
        description: 'Successful attestations as a share of all attestations; red below 95 %.',
        kind: 'gauge',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: [
          { value: null, color: 'red' },
          { value: 0.95, color: 'orange' },
          { value: 0.99, color: 'green' },
        ],
        queries: [
          {
            expr:
              `(sum(rate(${d(attestations, { result: 'success' })}[$__rate_interval])) or vector(0)) / ` +
              `sum(rate(${d(attestations)}[$__rate_interval]))`,
            instant: true,
          },
        ],
        width: 8,
      },
      {
        title: 'Attestation Latency',
        description: 'Attestation latency quantiles over the last 10 minutes (per instance, worst shown) and the mean.',
        kind: 'timeseries',
        unit: 's',
        min: 0,
        thresholds: steps([1, 'orange'], [5, 'red']),
        queries: [
          { expr: `max ${by(latency, ['quantile'])} (${d(latency)})`, legend: 'p{{quantile}}' },
          {
            expr: `sum(rate(${series('_sum')}[$__rate_interval])) / sum(rate(${series('_count')}[$__rate_interval]))`,
            legend: 'mean',
          },
        ],
        width: 16,
      },
      {
        title: 'Active Enclaves',
        description: 'Enclaves running now, by platform.',
        kind: 'stat',
        unit: 'short',
        thresholds: steps(),
        queries: [
          {
            expr: `sum ${by('grey_tee_enclaves_active', ['platform'])} (${d('grey_tee_enclaves_active')})`,
            legend: '{{platform}}',
            instant: true,
          },
        ],
        width: 8,
      },
      {
        title: 'Proof Generation Rate',
        description: 'Execution proofs generated per second, by platform and result.',
        kind: 'timeseries',
        unit: 'ops',
        min: 0,
        thresholds: steps(),
        queries: [
          {
            expr: `sum ${by('grey_tee_proofs_total', ['platform', 'result'])} (rate(${d('grey_tee_proofs_total')}[$__rate_interval]))`,
            legend: '{{platform}} {{result}}',
          },
        ],
        width: 8,
      },
      {
        title: 'Platform Distribution',
        description: 'Attestations by platform (SGX, TDX, SEV ...) over the dashboard range.',
        kind: 'piechart',
        unit: 'short',
        thresholds: steps(),
        queries: [
          {
            expr: `sum ${by(attestations, ['platform'])} (increase(${d(attestations)}[$__range]))`,
            legend: '{{platform}}',
            instant: true,
          },
        ],
        width: 8,
      },
    ],
  };
}
