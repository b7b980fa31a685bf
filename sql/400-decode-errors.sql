-- Dead letters, one job for every source topic (a statement set): each record a source's format skips
-- (sql/050-decode-errors.sql) goes to dlq.decode once, in the sink's Kafka transactions, with its topic,
-- partition, offset, Kafka timestamp, the reason and its bytes.
EXECUTE STATEMENT SET
BEGIN

INSERT INTO dead_letters_decode
SELECT `source_topic`, `source_partition`, `source_offset`, CAST(`source_timestamp` AS TIMESTAMP(3)),
  COALESCE(`decode_error`, 'undecodable'), `raw`
FROM iot_readings_undecodable;

INSERT INTO dead_letters_decode
SELECT `source_topic`, `source_partition`, `source_offset`, CAST(`source_timestamp` AS TIMESTAMP(3)),
  COALESCE(`decode_error`, 'undecodable'), `raw`
FROM ref_devices_undecodable;

INSERT INTO dead_letters_decode
SELECT `source_topic`, `source_partition`, `source_offset`, CAST(`source_timestamp` AS TIMESTAMP(3)),
  COALESCE(`decode_error`, 'undecodable'), `raw`
FROM finance_transactions_undecodable;

INSERT INTO dead_letters_decode
SELECT `source_topic`, `source_partition`, `source_offset`, CAST(`source_timestamp` AS TIMESTAMP(3)),
  COALESCE(`decode_error`, 'undecodable'), `raw`
FROM ref_accounts_undecodable;

INSERT INTO dead_letters_decode
SELECT `source_topic`, `source_partition`, `source_offset`, CAST(`source_timestamp` AS TIMESTAMP(3)),
  COALESCE(`decode_error`, 'undecodable'), `raw`
FROM web_access_logs_undecodable;

INSERT INTO dead_letters_decode
SELECT `source_topic`, `source_partition`, `source_offset`, CAST(`source_timestamp` AS TIMESTAMP(3)),
  COALESCE(`decode_error`, 'undecodable'), `raw`
FROM ref_ip_blocks_undecodable;

INSERT INTO dead_letters_decode
SELECT `source_topic`, `source_partition`, `source_offset`, CAST(`source_timestamp` AS TIMESTAMP(3)),
  COALESCE(`decode_error`, 'undecodable'), `raw`
FROM api_air_quality_undecodable;

INSERT INTO dead_letters_decode
SELECT `source_topic`, `source_partition`, `source_offset`, CAST(`source_timestamp` AS TIMESTAMP(3)),
  COALESCE(`decode_error`, 'undecodable'), `raw`
FROM api_traffic_flow_undecodable;

INSERT INTO dead_letters_decode
SELECT `source_topic`, `source_partition`, `source_offset`, CAST(`source_timestamp` AS TIMESTAMP(3)),
  COALESCE(`decode_error`, 'undecodable'), `raw`
FROM api_market_quotes_undecodable;

END;
