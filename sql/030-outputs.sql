-- Output tables: Avro topics whose schemas Flink registers (subject <topic>-value) from these
-- definitions. Every sink is exactly-once (the EXACTLY_ONCE placeholder: records are written in Kafka transactions
-- committed at each checkpoint, every 10 s, with a transaction timeout of 10 minutes, below the brokers'
-- 15-minute maximum), so consumers must read with isolation.level=read_committed. Each sink has its own
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
  'sink.transactional-id-prefix' = 'sluice-rejects-iot',
  ${EXACTLY_ONCE},
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
  'sink.transactional-id-prefix' = 'sluice-agg-iot-device-1m',
  ${EXACTLY_ONCE},
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
  'sink.transactional-id-prefix' = 'sluice-enriched-iot',
  ${EXACTLY_ONCE},
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
  'sink.transactional-id-prefix' = 'sluice-patterns-iot-over-threshold',
  ${EXACTLY_ONCE},
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
  'sink.transactional-id-prefix' = 'sluice-enriched-finance',
  ${EXACTLY_ONCE},
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
  'sink.transactional-id-prefix' = 'sluice-patterns-card-testing',
  ${EXACTLY_ONCE},
  ${KAFKA},
  ${REGISTRY}
);

-- IoT windows beside agg_iot_device_1m: per device over five minutes every minute (hopping), per site
-- every minute and over five minutes every minute.
CREATE TABLE agg_iot_device_5m (
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
  'topic' = 'agg.iot.device-5m',
  'key.format' = 'raw',
  'key.fields' = 'device_id',
  'value.fields-include' = 'ALL',
  'sink.transactional-id-prefix' = 'sluice-agg-iot-device-5m',
  ${EXACTLY_ONCE},
  ${KAFKA},
  ${REGISTRY}
);

CREATE TABLE agg_iot_site_1m (
  `window_start` TIMESTAMP(3) NOT NULL,
  `window_end` TIMESTAMP(3) NOT NULL,
  `site_id` STRING NOT NULL,
  `devices` BIGINT NOT NULL,
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
  'topic' = 'agg.iot.site-1m',
  'key.format' = 'raw',
  'key.fields' = 'site_id',
  'value.fields-include' = 'ALL',
  'sink.transactional-id-prefix' = 'sluice-agg-iot-site-1m',
  ${EXACTLY_ONCE},
  ${KAFKA},
  ${REGISTRY}
);

CREATE TABLE agg_iot_site_5m (
  `window_start` TIMESTAMP(3) NOT NULL,
  `window_end` TIMESTAMP(3) NOT NULL,
  `site_id` STRING NOT NULL,
  `devices` BIGINT NOT NULL,
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
  'topic' = 'agg.iot.site-5m',
  'key.format' = 'raw',
  'key.fields' = 'site_id',
  'value.fields-include' = 'ALL',
  'sink.transactional-id-prefix' = 'sluice-agg-iot-site-5m',
  ${EXACTLY_ONCE},
  ${KAFKA},
  ${REGISTRY}
);

-- Web windows: per path every minute, and over five minutes every minute.
CREATE TABLE agg_web_path_1m (
  `window_start` TIMESTAMP(3) NOT NULL,
  `window_end` TIMESTAMP(3) NOT NULL,
  `path` STRING NOT NULL,
  `requests` BIGINT NOT NULL,
  `server_errors` BIGINT NOT NULL,
  `error_ratio` DOUBLE NOT NULL,
  `latency_avg_ms` DOUBLE NOT NULL,
  `latency_min_ms` DOUBLE NOT NULL,
  `latency_max_ms` DOUBLE NOT NULL,
  `latency_stddev_ms` DOUBLE NOT NULL,
  `latency_p95_ms` DOUBLE NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'agg.web.path-1m',
  'key.format' = 'raw',
  'key.fields' = 'path',
  'value.fields-include' = 'ALL',
  'sink.transactional-id-prefix' = 'sluice-agg-web-path-1m',
  ${EXACTLY_ONCE},
  ${KAFKA},
  ${REGISTRY}
);

CREATE TABLE agg_web_path_5m (
  `window_start` TIMESTAMP(3) NOT NULL,
  `window_end` TIMESTAMP(3) NOT NULL,
  `path` STRING NOT NULL,
  `requests` BIGINT NOT NULL,
  `server_errors` BIGINT NOT NULL,
  `error_ratio` DOUBLE NOT NULL,
  `latency_avg_ms` DOUBLE NOT NULL,
  `latency_min_ms` DOUBLE NOT NULL,
  `latency_max_ms` DOUBLE NOT NULL,
  `latency_stddev_ms` DOUBLE NOT NULL,
  `latency_p95_ms` DOUBLE NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'agg.web.path-5m',
  'key.format' = 'raw',
  'key.fields' = 'path',
  'value.fields-include' = 'ALL',
  'sink.transactional-id-prefix' = 'sluice-agg-web-path-5m',
  ${EXACTLY_ONCE},
  ${KAFKA},
  ${REGISTRY}
);

-- Finance windows: per account and per merchant (and currency: amounts are not converted), every
-- minute and over five minutes every minute.
CREATE TABLE agg_finance_account_1m (
  `window_start` TIMESTAMP(3) NOT NULL,
  `window_end` TIMESTAMP(3) NOT NULL,
  `account_id` STRING NOT NULL,
  `currency` STRING NOT NULL,
  `transactions` BIGINT NOT NULL,
  `amount_total` DOUBLE NOT NULL,
  `amount_avg` DOUBLE NOT NULL,
  `amount_min` DOUBLE NOT NULL,
  `amount_max` DOUBLE NOT NULL,
  `amount_stddev` DOUBLE NOT NULL,
  `amount_p95` DOUBLE NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'agg.finance.account-1m',
  'key.format' = 'raw',
  'key.fields' = 'account_id',
  'value.fields-include' = 'ALL',
  'sink.transactional-id-prefix' = 'sluice-agg-finance-account-1m',
  ${EXACTLY_ONCE},
  ${KAFKA},
  ${REGISTRY}
);

CREATE TABLE agg_finance_account_5m (
  `window_start` TIMESTAMP(3) NOT NULL,
  `window_end` TIMESTAMP(3) NOT NULL,
  `account_id` STRING NOT NULL,
  `currency` STRING NOT NULL,
  `transactions` BIGINT NOT NULL,
  `amount_total` DOUBLE NOT NULL,
  `amount_avg` DOUBLE NOT NULL,
  `amount_min` DOUBLE NOT NULL,
  `amount_max` DOUBLE NOT NULL,
  `amount_stddev` DOUBLE NOT NULL,
  `amount_p95` DOUBLE NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'agg.finance.account-5m',
  'key.format' = 'raw',
  'key.fields' = 'account_id',
  'value.fields-include' = 'ALL',
  'sink.transactional-id-prefix' = 'sluice-agg-finance-account-5m',
  ${EXACTLY_ONCE},
  ${KAFKA},
  ${REGISTRY}
);

CREATE TABLE agg_finance_merchant_1m (
  `window_start` TIMESTAMP(3) NOT NULL,
  `window_end` TIMESTAMP(3) NOT NULL,
  `merchant_id` STRING NOT NULL,
  `currency` STRING NOT NULL,
  `transactions` BIGINT NOT NULL,
  `accounts` BIGINT NOT NULL,
  `amount_total` DOUBLE NOT NULL,
  `amount_avg` DOUBLE NOT NULL,
  `amount_min` DOUBLE NOT NULL,
  `amount_max` DOUBLE NOT NULL,
  `amount_stddev` DOUBLE NOT NULL,
  `amount_p95` DOUBLE NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'agg.finance.merchant-1m',
  'key.format' = 'raw',
  'key.fields' = 'merchant_id',
  'value.fields-include' = 'ALL',
  'sink.transactional-id-prefix' = 'sluice-agg-finance-merchant-1m',
  ${EXACTLY_ONCE},
  ${KAFKA},
  ${REGISTRY}
);

CREATE TABLE agg_finance_merchant_5m (
  `window_start` TIMESTAMP(3) NOT NULL,
  `window_end` TIMESTAMP(3) NOT NULL,
  `merchant_id` STRING NOT NULL,
  `currency` STRING NOT NULL,
  `transactions` BIGINT NOT NULL,
  `accounts` BIGINT NOT NULL,
  `amount_total` DOUBLE NOT NULL,
  `amount_avg` DOUBLE NOT NULL,
  `amount_min` DOUBLE NOT NULL,
  `amount_max` DOUBLE NOT NULL,
  `amount_stddev` DOUBLE NOT NULL,
  `amount_p95` DOUBLE NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'agg.finance.merchant-5m',
  'key.format' = 'raw',
  'key.fields' = 'merchant_id',
  'value.fields-include' = 'ALL',
  'sink.transactional-id-prefix' = 'sluice-agg-finance-merchant-5m',
  ${EXACTLY_ONCE},
  ${KAFKA},
  ${REGISTRY}
);

-- Cleaning of the web logs and transactions, like iot_rejects.
CREATE TABLE web_rejects (
  `event_id` STRING NOT NULL,
  `ts` TIMESTAMP(3) NOT NULL,
  `client_ip` STRING NOT NULL,
  `reason` STRING NOT NULL,
  `record` STRING NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'rejects.web',
  'key.format' = 'raw',
  'key.fields' = 'client_ip',
  'value.fields-include' = 'ALL',
  'sink.transactional-id-prefix' = 'sluice-rejects-web',
  ${EXACTLY_ONCE},
  ${KAFKA},
  ${REGISTRY}
);

CREATE TABLE finance_rejects (
  `event_id` STRING NOT NULL,
  `ts` TIMESTAMP(3) NOT NULL,
  `account_id` STRING NOT NULL,
  `reason` STRING NOT NULL,
  `record` STRING NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'rejects.finance',
  'key.format' = 'raw',
  'key.fields' = 'account_id',
  'value.fields-include' = 'ALL',
  'sink.transactional-id-prefix' = 'sluice-rejects-finance',
  ${EXACTLY_ONCE},
  ${KAFKA},
  ${REGISTRY}
);

-- Valid web requests with their address's range, country and autonomous system.
CREATE TABLE enriched_web (
  `event_id` STRING NOT NULL,
  `ts` TIMESTAMP(3) NOT NULL,
  `client_ip` STRING NOT NULL,
  `user` STRING,
  `method` STRING NOT NULL,
  `path` STRING NOT NULL,
  `status` INT NOT NULL,
  `bytes` BIGINT NOT NULL,
  `referrer` STRING,
  `user_agent` STRING NOT NULL,
  `response_time_ms` DOUBLE NOT NULL,
  `is_bot` BOOLEAN NOT NULL,
  `ip_range` STRING,
  `country` STRING,
  `asn` INT,
  `as_org` STRING,
  `ip_known` BOOLEAN NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'enriched.web',
  'key.format' = 'raw',
  'key.fields' = 'client_ip',
  'value.fields-include' = 'ALL',
  'sink.transactional-id-prefix' = 'sluice-enriched-web',
  ${EXACTLY_ONCE},
  ${KAFKA},
  ${REGISTRY}
);

-- An error burst: five server errors in a row on one path within a minute.
CREATE TABLE patterns_web_error_burst (
  `path` STRING NOT NULL,
  `first_ts` TIMESTAMP(3) NOT NULL,
  `last_ts` TIMESTAMP(3) NOT NULL,
  `errors` BIGINT NOT NULL,
  `last_status` INT NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'patterns.web-error-burst',
  'key.format' = 'raw',
  'key.fields' = 'path',
  'value.fields-include' = 'ALL',
  'sink.transactional-id-prefix' = 'sluice-patterns-web-error-burst',
  ${EXACTLY_ONCE},
  ${KAFKA},
  ${REGISTRY}
);

-- Dead letters: the records of the source topics (sql/010-sources.sql, sql/040-api-sources.sql) that
-- cannot be decoded, with where they were and why (sql/050-decode-errors.sql, decision 0017).
CREATE TABLE dead_letters_decode (
  `source_topic` STRING NOT NULL,
  `source_partition` INT NOT NULL,
  `source_offset` BIGINT NOT NULL,
  `source_timestamp` TIMESTAMP(3) NOT NULL,
  `reason` STRING NOT NULL,
  `value` BYTES
) WITH (
  'connector' = 'kafka',
  'topic' = 'dlq.decode',
  'key.format' = 'raw',
  'key.fields' = 'source_topic',
  'value.fields-include' = 'ALL',
  'sink.transactional-id-prefix' = 'sluice-dlq-decode',
  ${EXACTLY_ONCE},
  ${KAFKA},
  ${REGISTRY}
);

-- Generated by `npm run generate` from sql/030-outputs.json (tables, topics, keys, comments) and
-- schemas/outputs/*.avsc (columns): edit those, not this file. This notice is last because every
-- statement above, comments included, is part of each SQL job's version.
