/**
 * The topics the ingestors write (declared in pipeline.yaml, in the "API ingestors" block) and the Avro
 * schema of each, so the runner can check records and the Kafka runner can look schemas up.
 */
import type { SchemaName } from '../../schemas';

export const API_TOPICS = {
  airQuality: 'api.air-quality',
  trafficFlow: 'api.traffic-flow',
  trafficIncidents: 'api.traffic-incidents',
  weather: 'api.weather',
  marketQuotes: 'api.market-quotes',
  marketBars: 'api.market-bars',
  socialPosts: 'api.social-posts',
} as const;

/** Items that cannot be records go here, with the reason in headers (no value schema: the raw item). */
export const DEAD_LETTER_TOPIC = 'dlq.ingest';

export const API_TOPIC_SCHEMAS: Readonly<Record<string, SchemaName>> = {
  [API_TOPICS.airQuality]: 'air-quality-measurement',
  [API_TOPICS.trafficFlow]: 'traffic-flow',
  [API_TOPICS.trafficIncidents]: 'traffic-incident',
  [API_TOPICS.weather]: 'weather-observation',
  [API_TOPICS.marketQuotes]: 'market-quote',
  [API_TOPICS.marketBars]: 'market-bar',
  [API_TOPICS.socialPosts]: 'social-post',
};
