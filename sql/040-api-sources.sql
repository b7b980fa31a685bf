-- Tables over the public API ingestors' topics (producers/apis/). Their records are polls, minutes
-- apart, and each API stamps them with its own measurement time `ts`: air-quality stations report
-- hourly, and an hour-old measurement can arrive after a newer one of another station, so its
-- watermark trails by 2 hours; traffic and quotes are stamped at the poll, so 1 minute is enough. An
-- idle topic (no poll for 5 minutes) does not hold the windows back.

CREATE TABLE api_air_quality (
  `source` STRING NOT NULL,
  `ts` TIMESTAMP(3) NOT NULL,
  `ingest_ts` TIMESTAMP(3) NOT NULL,
  `sensor_id` STRING NOT NULL,
  `location_id` STRING,
  `location_name` STRING,
  `locality` STRING,
  `country` STRING,
  `provider` STRING,
  `parameter` STRING NOT NULL,
  `display_name` STRING,
  `units` STRING NOT NULL,
  `value` DOUBLE NOT NULL,
  `lat` DOUBLE,
  `lon` DOUBLE,
  WATERMARK FOR `ts` AS `ts` - INTERVAL '2' HOUR
) WITH (
  'connector' = 'kafka',
  'topic' = 'api.air-quality',
  'properties.group.id' = 'flink-sluice',
  'scan.startup.mode' = 'earliest-offset',
  'scan.watermark.idle-timeout' = '5 min',
  ${KAFKA},
  ${REGISTRY}
);

CREATE TABLE api_traffic_flow (
  `source` STRING NOT NULL,
  `ts` TIMESTAMP(3) NOT NULL,
  `ingest_ts` TIMESTAMP(3) NOT NULL,
  `segment_id` STRING NOT NULL,
  `origin` STRING,
  `destination` STRING,
  `lat` DOUBLE,
  `lon` DOUBLE,
  `current_speed_kmh` DOUBLE,
  `free_flow_speed_kmh` DOUBLE,
  `current_travel_time_s` DOUBLE NOT NULL,
  `free_flow_travel_time_s` DOUBLE,
  `distance_m` DOUBLE,
  `confidence` DOUBLE,
  `road_closure` BOOLEAN,
  `road_class` STRING,
  WATERMARK FOR `ts` AS `ts` - INTERVAL '1' MINUTE
) WITH (
  'connector' = 'kafka',
  'topic' = 'api.traffic-flow',
  'properties.group.id' = 'flink-sluice',
  'scan.startup.mode' = 'earliest-offset',
  'scan.watermark.idle-timeout' = '5 min',
  ${KAFKA},
  ${REGISTRY}
);

CREATE TABLE api_market_quotes (
  `source` STRING NOT NULL,
  `ts` TIMESTAMP(3) NOT NULL,
  `ingest_ts` TIMESTAMP(3) NOT NULL,
  `symbol` STRING NOT NULL,
  `price` DOUBLE NOT NULL,
  `open` DOUBLE,
  `high` DOUBLE,
  `low` DOUBLE,
  `previous_close` DOUBLE,
  `change` DOUBLE,
  `change_pct` DOUBLE,
  `volume` BIGINT,
  `trading_day` STRING,
  `currency` STRING,
  `exchange` STRING,
  WATERMARK FOR `ts` AS `ts` - INTERVAL '1' MINUTE
) WITH (
  'connector' = 'kafka',
  'topic' = 'api.market-quotes',
  'properties.group.id' = 'flink-sluice',
  'scan.startup.mode' = 'earliest-offset',
  'scan.watermark.idle-timeout' = '5 min',
  ${KAFKA},
  ${REGISTRY}
);

-- Each measurement with its city: the station's locality, else its name, else its id.
CREATE VIEW api_air_quality_by_city AS
SELECT *, COALESCE(`locality`, `location_name`, `location_id`, `sensor_id`) AS `city`
FROM api_air_quality;

-- Each sample with its congestion ratio currentSpeed / freeFlowSpeed (1 = free flow, 0.5 = half speed;
-- NULL when the API gave no free-flow speed).
CREATE VIEW api_traffic_ratio AS
SELECT *, CASE WHEN `free_flow_speed_kmh` > 0 THEN `current_speed_kmh` / `free_flow_speed_kmh` END AS `ratio`
FROM api_traffic_flow;

-- Outputs of the API jobs.

CREATE TABLE agg_api_air_quality_1h (
  `window_start` TIMESTAMP(3) NOT NULL,
  `window_end` TIMESTAMP(3) NOT NULL,
  `city` STRING NOT NULL,
  `parameter` STRING NOT NULL,
  `units` STRING NOT NULL,
  `measurements` BIGINT NOT NULL,
  `sensors` BIGINT NOT NULL,
  `value_avg` DOUBLE NOT NULL,
  `value_min` DOUBLE NOT NULL,
  `value_max` DOUBLE NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'agg.api.air-quality-1h',
  'key.format' = 'raw',
  'key.fields' = 'city',
  'value.fields-include' = 'ALL',
  'sink.transactional-id-prefix' = 'sluice-agg-api-air-quality-1h',
  ${EXACTLY_ONCE},
  ${KAFKA},
  ${REGISTRY}
);

CREATE TABLE agg_api_traffic_15m (
  `window_start` TIMESTAMP(3) NOT NULL,
  `window_end` TIMESTAMP(3) NOT NULL,
  `segment_id` STRING NOT NULL,
  `source` STRING NOT NULL,
  `samples` BIGINT NOT NULL,
  `congestion_ratio_avg` DOUBLE,
  `congestion_ratio_min` DOUBLE,
  `current_speed_avg_kmh` DOUBLE,
  `free_flow_speed_kmh` DOUBLE,
  `delay_avg_s` DOUBLE,
  `closures` BIGINT NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'agg.api.traffic-15m',
  'key.format' = 'raw',
  'key.fields' = 'segment_id',
  'value.fields-include' = 'ALL',
  'sink.transactional-id-prefix' = 'sluice-agg-api-traffic-15m',
  ${EXACTLY_ONCE},
  ${KAFKA},
  ${REGISTRY}
);

CREATE TABLE agg_api_price_moves_1h (
  `window_start` TIMESTAMP(3) NOT NULL,
  `window_end` TIMESTAMP(3) NOT NULL,
  `symbol` STRING NOT NULL,
  `quotes` BIGINT NOT NULL,
  `price_first` DOUBLE NOT NULL,
  `price_last` DOUBLE NOT NULL,
  `price_min` DOUBLE NOT NULL,
  `price_max` DOUBLE NOT NULL,
  `move_pct` DOUBLE NOT NULL,
  `range_pct` DOUBLE NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'agg.api.price-moves-1h',
  'key.format' = 'raw',
  'key.fields' = 'symbol',
  'value.fields-include' = 'ALL',
  'sink.transactional-id-prefix' = 'sluice-agg-api-price-moves-1h',
  ${EXACTLY_ONCE},
  ${KAFKA},
  ${REGISTRY}
);
