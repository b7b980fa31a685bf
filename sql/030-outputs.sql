-- Output tables: Avro topics whose schemas Flink registers (subject <topic>-value) from these
-- definitions. Every sink is exactly-once: records are written in Kafka transactions committed at each
-- checkpoint (10 s), so consumers must read with isolation.level=read_committed. Each sink has its own
-- transactional id prefix, under the 'sluice-' prefix the sluice-flink principal may use.

CREATE TABLE iot_rejects (
  `event_id` STRING NOT NULL,
  `ts` TIMESTAMP(3) NOT NULL,
  `device_id` STRING NOT NULL,
  `reason` STRING NOT NULL,
  `record` STRING NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'rejects.iot',
  'key.format' = 'raw',
  'key.fields' = 'device_id',
  'value.fields-include' = 'ALL',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'sluice-rejects-iot',
  'properties.transaction.timeout.ms' = '600000',
  ${KAFKA},
  ${REGISTRY}
);

CREATE TABLE agg_iot_device_1m (
  `window_start` TIMESTAMP(3) NOT NULL,
  `window_end` TIMESTAMP(3) NOT NULL,
  `device_id` STRING NOT NULL,
  `site_id` STRING NOT NULL,
  `readings` BIGINT NOT NULL,
  `temperature_avg` DOUBLE,
  `temperature_min` DOUBLE,
  `temperature_max` DOUBLE,
  `temperature_stddev` DOUBLE,
  `temperature_p95` DOUBLE,
  `humidity_avg` DOUBLE,
  `battery_min` DOUBLE NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'agg.iot.device-1m',
  'key.format' = 'raw',
  'key.fields' = 'device_id',
  'value.fields-include' = 'ALL',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'sluice-agg-iot-device-1m',
  'properties.transaction.timeout.ms' = '600000',
  ${KAFKA},
  ${REGISTRY}
);

CREATE TABLE enriched_iot (
  `event_id` STRING NOT NULL,
  `ts` TIMESTAMP(3) NOT NULL,
  `device_id` STRING NOT NULL,
  `site_id` STRING NOT NULL,
  `temperature_c` DOUBLE,
  `humidity_pct` DOUBLE,
  `pressure_hpa` DOUBLE,
  `battery_pct` DOUBLE NOT NULL,
  `site_name` STRING,
  `model` STRING,
  `temperature_min_c` DOUBLE,
  `temperature_max_c` DOUBLE,
  `humidity_max_pct` DOUBLE,
  `device_known` BOOLEAN NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'enriched.iot',
  'key.format' = 'raw',
  'key.fields' = 'device_id',
  'value.fields-include' = 'ALL',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'sluice-enriched-iot',
  'properties.transaction.timeout.ms' = '600000',
  ${KAFKA},
  ${REGISTRY}
);

CREATE TABLE patterns_iot_over_threshold (
  `device_id` STRING NOT NULL,
  `site_id` STRING NOT NULL,
  `first_ts` TIMESTAMP(3) NOT NULL,
  `last_ts` TIMESTAMP(3) NOT NULL,
  `readings` BIGINT NOT NULL,
  `max_temperature_c` DOUBLE,
  `threshold_c` DOUBLE
) WITH (
  'connector' = 'kafka',
  'topic' = 'patterns.iot-over-threshold',
  'key.format' = 'raw',
  'key.fields' = 'device_id',
  'value.fields-include' = 'ALL',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'sluice-patterns-iot-over-threshold',
  'properties.transaction.timeout.ms' = '600000',
  ${KAFKA},
  ${REGISTRY}
);

CREATE TABLE enriched_finance (
  `event_id` STRING NOT NULL,
  `ts` TIMESTAMP(3) NOT NULL,
  `account_id` STRING NOT NULL,
  `merchant_id` STRING NOT NULL,
  `merchant_category` STRING NOT NULL,
  `amount` DOUBLE NOT NULL,
  `currency` STRING NOT NULL,
  `channel` STRING NOT NULL,
  `country` STRING NOT NULL,
  `city` STRING NOT NULL,
  `lat` DOUBLE NOT NULL,
  `lon` DOUBLE NOT NULL,
  `customer_id` STRING,
  `home_country` STRING,
  `risk_level` STRING,
  `account_known` BOOLEAN NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'enriched.finance',
  'key.format' = 'raw',
  'key.fields' = 'account_id',
  'value.fields-include' = 'ALL',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'sluice-enriched-finance',
  'properties.transaction.timeout.ms' = '600000',
  ${KAFKA},
  ${REGISTRY}
);

CREATE TABLE patterns_card_testing (
  `account_id` STRING NOT NULL,
  `first_ts` TIMESTAMP(3) NOT NULL,
  `large_ts` TIMESTAMP(3) NOT NULL,
  `small_count` BIGINT NOT NULL,
  `small_total` DOUBLE NOT NULL,
  `large_amount` DOUBLE NOT NULL,
  `large_merchant_id` STRING NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'patterns.card-testing',
  'key.format' = 'raw',
  'key.fields' = 'account_id',
  'value.fields-include' = 'ALL',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'sluice-patterns-card-testing',
  'properties.transaction.timeout.ms' = '600000',
  ${KAFKA},
  ${REGISTRY}
);
