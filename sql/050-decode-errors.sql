-- The records of each source topic that cannot be decoded: not the Confluent wire format, a schema id
-- the registry does not know, or bytes that do not match the schema (decision 0017). The sources'
-- format, sluice-avro-confluent (the REGISTRY placeholder), skips such a record so the jobs go on; these
-- tables read the same topics with the same columns (LIKE: the same reader schema, so exactly the records
-- the jobs skip) and 'emit' = 'errors', so that each yields ONLY those records, with the reason and the
-- bytes as format metadata. The decode-errors job (sql/400-decode-errors.sql) writes them to dlq.decode.
-- An upsert-kafka source is read here with the plain kafka connector: a tombstone (null value) is not
-- an error and yields nothing.

CREATE TABLE iot_readings_undecodable (
  `decode_error` STRING METADATA FROM 'value.decode_error' VIRTUAL,
  `raw` BYTES METADATA FROM 'value.raw' VIRTUAL,
  `source_topic` STRING METADATA FROM 'topic' VIRTUAL,
  `source_partition` INT METADATA FROM 'partition' VIRTUAL,
  `source_offset` BIGINT METADATA FROM 'offset' VIRTUAL,
  `source_timestamp` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL
) WITH (
  'connector' = 'kafka',
  'topic' = 'iot.readings',
  'properties.group.id' = 'flink-sluice',
  'scan.startup.mode' = 'earliest-offset',
  ${KAFKA},
  ${REGISTRY},
  'value.sluice-avro-confluent.emit' = 'errors'
)
LIKE iot_readings (EXCLUDING ALL);

CREATE TABLE ref_devices_undecodable (
  `decode_error` STRING METADATA FROM 'value.decode_error' VIRTUAL,
  `raw` BYTES METADATA FROM 'value.raw' VIRTUAL,
  `source_topic` STRING METADATA FROM 'topic' VIRTUAL,
  `source_partition` INT METADATA FROM 'partition' VIRTUAL,
  `source_offset` BIGINT METADATA FROM 'offset' VIRTUAL,
  `source_timestamp` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL
) WITH (
  'connector' = 'kafka',
  'topic' = 'ref.devices',
  'properties.group.id' = 'flink-sluice',
  'scan.startup.mode' = 'earliest-offset',
  ${KAFKA},
  ${REGISTRY},
  'value.sluice-avro-confluent.emit' = 'errors'
)
LIKE ref_devices (EXCLUDING ALL);

CREATE TABLE finance_transactions_undecodable (
  `decode_error` STRING METADATA FROM 'value.decode_error' VIRTUAL,
  `raw` BYTES METADATA FROM 'value.raw' VIRTUAL,
  `source_topic` STRING METADATA FROM 'topic' VIRTUAL,
  `source_partition` INT METADATA FROM 'partition' VIRTUAL,
  `source_offset` BIGINT METADATA FROM 'offset' VIRTUAL,
  `source_timestamp` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL
) WITH (
  'connector' = 'kafka',
  'topic' = 'finance.transactions',
  'properties.group.id' = 'flink-sluice',
  'scan.startup.mode' = 'earliest-offset',
  ${KAFKA},
  ${REGISTRY},
  'value.sluice-avro-confluent.emit' = 'errors'
)
LIKE finance_transactions (EXCLUDING ALL);

CREATE TABLE ref_accounts_undecodable (
  `decode_error` STRING METADATA FROM 'value.decode_error' VIRTUAL,
  `raw` BYTES METADATA FROM 'value.raw' VIRTUAL,
  `source_topic` STRING METADATA FROM 'topic' VIRTUAL,
  `source_partition` INT METADATA FROM 'partition' VIRTUAL,
  `source_offset` BIGINT METADATA FROM 'offset' VIRTUAL,
  `source_timestamp` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL
) WITH (
  'connector' = 'kafka',
  'topic' = 'ref.accounts',
  'properties.group.id' = 'flink-sluice',
  'scan.startup.mode' = 'earliest-offset',
  ${KAFKA},
  ${REGISTRY},
  'value.sluice-avro-confluent.emit' = 'errors'
)
LIKE ref_accounts (EXCLUDING ALL);

CREATE TABLE web_access_logs_undecodable (
  `decode_error` STRING METADATA FROM 'value.decode_error' VIRTUAL,
  `raw` BYTES METADATA FROM 'value.raw' VIRTUAL,
  `source_topic` STRING METADATA FROM 'topic' VIRTUAL,
  `source_partition` INT METADATA FROM 'partition' VIRTUAL,
  `source_offset` BIGINT METADATA FROM 'offset' VIRTUAL,
  `source_timestamp` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL
) WITH (
  'connector' = 'kafka',
  'topic' = 'web.access-logs',
  'properties.group.id' = 'flink-sluice',
  'scan.startup.mode' = 'earliest-offset',
  ${KAFKA},
  ${REGISTRY},
  'value.sluice-avro-confluent.emit' = 'errors'
)
LIKE web_access_logs (EXCLUDING ALL);

CREATE TABLE ref_ip_blocks_undecodable (
  `decode_error` STRING METADATA FROM 'value.decode_error' VIRTUAL,
  `raw` BYTES METADATA FROM 'value.raw' VIRTUAL,
  `source_topic` STRING METADATA FROM 'topic' VIRTUAL,
  `source_partition` INT METADATA FROM 'partition' VIRTUAL,
  `source_offset` BIGINT METADATA FROM 'offset' VIRTUAL,
  `source_timestamp` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL
) WITH (
  'connector' = 'kafka',
  'topic' = 'ref.ip-blocks',
  'properties.group.id' = 'flink-sluice',
  'scan.startup.mode' = 'earliest-offset',
  ${KAFKA},
  ${REGISTRY},
  'value.sluice-avro-confluent.emit' = 'errors'
)
LIKE ref_ip_blocks (EXCLUDING ALL);

CREATE TABLE api_air_quality_undecodable (
  `decode_error` STRING METADATA FROM 'value.decode_error' VIRTUAL,
  `raw` BYTES METADATA FROM 'value.raw' VIRTUAL,
  `source_topic` STRING METADATA FROM 'topic' VIRTUAL,
  `source_partition` INT METADATA FROM 'partition' VIRTUAL,
  `source_offset` BIGINT METADATA FROM 'offset' VIRTUAL,
  `source_timestamp` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL
) WITH (
  'connector' = 'kafka',
  'topic' = 'api.air-quality',
  'properties.group.id' = 'flink-sluice',
  'scan.startup.mode' = 'earliest-offset',
  ${KAFKA},
  ${REGISTRY},
  'value.sluice-avro-confluent.emit' = 'errors'
)
LIKE api_air_quality (EXCLUDING ALL);

CREATE TABLE api_traffic_flow_undecodable (
  `decode_error` STRING METADATA FROM 'value.decode_error' VIRTUAL,
  `raw` BYTES METADATA FROM 'value.raw' VIRTUAL,
  `source_topic` STRING METADATA FROM 'topic' VIRTUAL,
  `source_partition` INT METADATA FROM 'partition' VIRTUAL,
  `source_offset` BIGINT METADATA FROM 'offset' VIRTUAL,
  `source_timestamp` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL
) WITH (
  'connector' = 'kafka',
  'topic' = 'api.traffic-flow',
  'properties.group.id' = 'flink-sluice',
  'scan.startup.mode' = 'earliest-offset',
  ${KAFKA},
  ${REGISTRY},
  'value.sluice-avro-confluent.emit' = 'errors'
)
LIKE api_traffic_flow (EXCLUDING ALL);

CREATE TABLE api_market_quotes_undecodable (
  `decode_error` STRING METADATA FROM 'value.decode_error' VIRTUAL,
  `raw` BYTES METADATA FROM 'value.raw' VIRTUAL,
  `source_topic` STRING METADATA FROM 'topic' VIRTUAL,
  `source_partition` INT METADATA FROM 'partition' VIRTUAL,
  `source_offset` BIGINT METADATA FROM 'offset' VIRTUAL,
  `source_timestamp` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL
) WITH (
  'connector' = 'kafka',
  'topic' = 'api.market-quotes',
  'properties.group.id' = 'flink-sluice',
  'scan.startup.mode' = 'earliest-offset',
  ${KAFKA},
  ${REGISTRY},
  'value.sluice-avro-confluent.emit' = 'errors'
)
LIKE api_market_quotes (EXCLUDING ALL);

-- Generated by `npm run generate` (scripts/sql-decode-errors.ts) from the source tables of the files
-- in pipeline.yaml's sql.tables: edit those, not this file. This notice is last because every
-- statement above, comments included, is part of a SQL job's version.
