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
