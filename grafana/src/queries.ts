/**
 * Panel queries. The SDK has Prometheus query builders but none for InfluxDB, so InfluxQL targets are a
 * small builder of their own (the model Grafana's InfluxDB datasource stores for a raw query).
 * Measurements are the Kafka topics the Connect sink writes (`agg.iot.site-1m`), tags the key columns,
 * fields the numbers, time the window's end.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { DataqueryBuilder as PromQuery } from '@grafana/grafana-foundation-sdk/prometheus';
import { INFLUX, PROMETHEUS } from './datasources';

export interface InfluxQuery extends cog.Dataquery {
  refId: string;
  datasource: typeof INFLUX;
  query: string;
  rawQuery: true;
  resultFormat: 'time_series' | 'table';
}

class InfluxQueryBuilder implements cog.Builder<cog.Dataquery> {
  constructor(private readonly model: Omit<InfluxQuery, '_implementsDataqueryVariant'>) {}
  build(): cog.Dataquery {
    return { ...this.model, _implementsDataqueryVariant() {} } as InfluxQuery;
  }
}

/** An InfluxQL query; `$timeFilter` and `$__interval` are filled by Grafana. */
export function influx(
  query: string,
  refId = 'A',
  resultFormat: InfluxQuery['resultFormat'] = 'time_series',
): cog.Builder<cog.Dataquery> {
  return new InfluxQueryBuilder({ refId, datasource: INFLUX, query, rawQuery: true, resultFormat });
}

/** A PromQL range query. */
export function prom(expr: string, legendFormat: string, refId = 'A'): cog.Builder<cog.Dataquery> {
  return new PromQuery().refId(refId).datasource(PROMETHEUS).expr(expr).legendFormat(legendFormat).range();
}

/** `"agg.web.path-1m"`: a measurement name with dots and dashes, quoted for InfluxQL. */
export const measurement = (topic: string): string => `"${topic}"`;
