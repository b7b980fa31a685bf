-- Source tables over the simulators' topics. Event time is each record's `ts`; the watermark trails the
-- largest `ts` seen by 5 seconds: the lateness bound. A record more than 5 s older than the newest one
-- when it arrives is late: windows have closed without it, and the cleaning jobs send it to rejects.iot
-- (reason 'late') instead of dropping it silently. The KAFKA and REGISTRY placeholders are filled in at
-- submission with the platform's connection and registry settings (docs/guides/streaming-sql.md).

CREATE TABLE iot_readings (
  `event_id` STRING NOT NULL,
  `ts` TIMESTAMP(3) NOT NULL,
  `device_id` STRING NOT NULL,
  `site_id` STRING NOT NULL,
  `temperature_c` DOUBLE,
  `humidity_pct` DOUBLE,
  `pressure_hpa` DOUBLE,
  `battery_pct` DOUBLE NOT NULL,
  WATERMARK FOR `ts` AS `ts` - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'iot.readings',
  'properties.group.id' = 'flink-sluice',
  'scan.startup.mode' = 'earliest-offset',
  'scan.watermark.idle-timeout' = '10 s',
  ${KAFKA},
  ${REGISTRY}
);

-- The device registry (ref.devices, compacted), as a versioned table for event-time temporal joins: each
-- device's row is valid from the Kafka timestamp of its record. The simulator writes the registry once,
-- stamped before its first reading; an idle registry does not hold back the joins (idle-timeout).
CREATE TABLE ref_devices (
  `device_id` STRING NOT NULL,
  `site_id` STRING NOT NULL,
  `site_name` STRING NOT NULL,
  `lat` DOUBLE NOT NULL,
  `lon` DOUBLE NOT NULL,
  `model` STRING NOT NULL,
  `temperature_min_c` DOUBLE NOT NULL,
  `temperature_max_c` DOUBLE NOT NULL,
  `humidity_max_pct` DOUBLE NOT NULL,
  `kafka_ts` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  `valid_from` AS CAST(`kafka_ts` AS TIMESTAMP(3)),
  PRIMARY KEY (`device_id`) NOT ENFORCED,
  WATERMARK FOR `valid_from` AS `valid_from`
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'ref.devices',
  'key.format' = 'raw',
  'value.fields-include' = 'ALL',
  'scan.watermark.idle-timeout' = '10 s',
  ${KAFKA},
  ${REGISTRY}
);

-- Card and account transactions, event time `ts`, the same 5 s lateness bound.
CREATE TABLE finance_transactions (
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
  WATERMARK FOR `ts` AS `ts` - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'finance.transactions',
  'properties.group.id' = 'flink-sluice',
  'scan.startup.mode' = 'earliest-offset',
  'scan.watermark.idle-timeout' = '10 s',
  ${KAFKA},
  ${REGISTRY}
);

-- The accounts (ref.accounts, compacted), versioned like ref_devices.
CREATE TABLE ref_accounts (
  `account_id` STRING NOT NULL,
  `customer_id` STRING NOT NULL,
  `customer_name` STRING NOT NULL,
  `home_country` STRING NOT NULL,
  `risk_level` STRING NOT NULL,
  `opened_ts` TIMESTAMP(3) NOT NULL,
  `kafka_ts` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  `valid_from` AS CAST(`kafka_ts` AS TIMESTAMP(3)),
  PRIMARY KEY (`account_id`) NOT ENFORCED,
  WATERMARK FOR `valid_from` AS `valid_from`
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'ref.accounts',
  'key.format' = 'raw',
  'value.fields-include' = 'ALL',
  'scan.watermark.idle-timeout' = '10 s',
  ${KAFKA},
  ${REGISTRY}
);

-- Web server access logs, event time `ts`, the same 5 s lateness bound.
CREATE TABLE web_access_logs (
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
  WATERMARK FOR `ts` AS `ts` - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'web.access-logs',
  'properties.group.id' = 'flink-sluice',
  'scan.startup.mode' = 'earliest-offset',
  'scan.watermark.idle-timeout' = '10 s',
  ${KAFKA},
  ${REGISTRY}
);

-- Every /24 block of the IP ranges (ref.ip-blocks, compacted) with its range's country and ASN,
-- versioned like ref_devices. Ranges have different sizes; a temporal join needs an equality on the
-- primary key, and every address a.b.c.d is in exactly one block a.b.c.0/24, so the blocks are the key.
CREATE TABLE ref_ip_blocks (
  `block` STRING NOT NULL,
  `cidr` STRING NOT NULL,
  `country` STRING NOT NULL,
  `asn` INT NOT NULL,
  `as_org` STRING NOT NULL,
  `kafka_ts` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  `valid_from` AS CAST(`kafka_ts` AS TIMESTAMP(3)),
  PRIMARY KEY (`block`) NOT ENFORCED,
  WATERMARK FOR `valid_from` AS `valid_from`
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'ref.ip-blocks',
  'key.format' = 'raw',
  'value.fields-include' = 'ALL',
  'scan.watermark.idle-timeout' = '10 s',
  ${KAFKA},
  ${REGISTRY}
);
