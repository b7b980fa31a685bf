-- Valid records: what the cleaning jobs let through. The rules live here once; the rejects jobs send
-- every other record to a rejects topic with the rule it broke.

-- An IoT reading is valid when every present value is physically possible for these sensors.
CREATE VIEW iot_checked AS
SELECT *,
  CASE
    WHEN `ts` < CURRENT_WATERMARK(`ts`) THEN 'late: more than 5 s behind the newest reading'
    WHEN `temperature_c` IS NOT NULL AND (`temperature_c` < -60 OR `temperature_c` > 85) THEN 'temperature_c out of range [-60, 85]'
    WHEN `humidity_pct` IS NOT NULL AND (`humidity_pct` < 0 OR `humidity_pct` > 100) THEN 'humidity_pct out of range [0, 100]'
    WHEN `pressure_hpa` IS NOT NULL AND (`pressure_hpa` < 800 OR `pressure_hpa` > 1100) THEN 'pressure_hpa out of range [800, 1100]'
    WHEN `battery_pct` < 0 OR `battery_pct` > 100 THEN 'battery_pct out of range [0, 100]'
    ELSE CAST(NULL AS STRING)
  END AS `reject_reason`
FROM iot_readings;

CREATE VIEW iot_valid AS
SELECT `event_id`, `ts`, `device_id`, `site_id`, `temperature_c`, `humidity_pct`, `pressure_hpa`, `battery_pct`
FROM iot_checked
WHERE `reject_reason` IS NULL;

-- Valid readings with their device's registry entry as it was at the reading's time. A reading of a
-- device the registry does not know keeps its place with device_known = FALSE and NULL registry columns:
-- flagged, not lost.
CREATE VIEW iot_enriched AS
SELECT r.`event_id`, r.`ts`, r.`device_id`, r.`site_id`, r.`temperature_c`, r.`humidity_pct`, r.`pressure_hpa`, r.`battery_pct`,
  d.`site_name`, d.`model`, d.`temperature_min_c`, d.`temperature_max_c`, d.`humidity_max_pct`,
  d.`device_id` IS NOT NULL AS `device_known`
FROM iot_valid AS r
LEFT JOIN ref_devices FOR SYSTEM_TIME AS OF r.`ts` AS d
  ON r.`device_id` = d.`device_id`;

-- A transaction is valid when its amount is positive and its currency and place are well formed.
CREATE VIEW finance_checked AS
SELECT *,
  CASE
    WHEN `ts` < CURRENT_WATERMARK(`ts`) THEN 'late: more than 5 s behind the newest transaction'
    WHEN `amount` <= 0 THEN 'amount must be positive'
    WHEN NOT REGEXP(`currency`, '^[A-Z]{3}$') THEN 'currency is not an ISO 4217 code (three capital letters)'
    WHEN `lat` < -90 OR `lat` > 90 OR `lon` < -180 OR `lon` > 180 THEN 'lat/lon out of range'
    ELSE CAST(NULL AS STRING)
  END AS `reject_reason`
FROM finance_transactions;

CREATE VIEW finance_valid AS
SELECT `event_id`, `ts`, `account_id`, `merchant_id`, `merchant_category`, `amount`, `currency`, `channel`, `country`, `city`, `lat`, `lon`
FROM finance_checked
WHERE `reject_reason` IS NULL;

-- Transactions with their account as it was at the transaction's time; unknown accounts flagged.
CREATE VIEW finance_enriched AS
SELECT t.`event_id`, t.`ts`, t.`account_id`, t.`merchant_id`, t.`merchant_category`, t.`amount`, t.`currency`, t.`channel`,
  t.`country`, t.`city`, t.`lat`, t.`lon`,
  a.`customer_id`, a.`home_country`, a.`risk_level`,
  a.`account_id` IS NOT NULL AS `account_known`
FROM finance_valid AS t
LEFT JOIN ref_accounts FOR SYSTEM_TIME AS OF t.`ts` AS a
  ON t.`account_id` = a.`account_id`;

-- A request is valid when its address is IPv4, its path absolute and its numbers possible. `ip_block`
-- is the /24 block the address is in, the key of ref_ip_blocks.
CREATE VIEW web_checked AS
SELECT *,
  CASE
    WHEN `ts` < CURRENT_WATERMARK(`ts`) THEN 'late: more than 5 s behind the newest request'
    WHEN `ip_block` IS NULL THEN 'client_ip is not an IPv4 address'
    WHEN `method` NOT IN ('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS') THEN 'method is not an HTTP method'
    WHEN `path` NOT LIKE '/%' THEN 'path does not start with /'
    WHEN `status` < 100 OR `status` > 599 THEN 'status out of range [100, 599]'
    WHEN `bytes` < 0 THEN 'bytes is negative'
    WHEN `response_time_ms` < 0 THEN 'response_time_ms is negative'
    ELSE CAST(NULL AS STRING)
  END AS `reject_reason`
FROM (
  SELECT *,
    CONCAT(REGEXP_EXTRACT(`client_ip`, '^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9]))\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$', 1), '.0/24') AS `ip_block`
  FROM web_access_logs
);

CREATE VIEW web_valid AS
SELECT `event_id`, `ts`, `client_ip`, `ip_block`, `user`, `method`, `path`, `status`, `bytes`, `referrer`, `user_agent`, `response_time_ms`, `is_bot`
FROM web_checked
WHERE `reject_reason` IS NULL;

-- Valid requests with their address's range, country and autonomous system as they were at the request's
-- time (event-time temporal join on the /24 blocks); addresses of no known range are kept, flagged
-- ip_known = FALSE.
CREATE VIEW web_enriched AS
SELECT l.`event_id`, l.`ts`, l.`client_ip`, l.`user`, l.`method`, l.`path`, l.`status`, l.`bytes`, l.`referrer`, l.`user_agent`,
  l.`response_time_ms`, l.`is_bot`,
  b.`cidr` AS `ip_range`, b.`country`, b.`asn`, b.`as_org`,
  b.`block` IS NOT NULL AS `ip_known`
FROM web_valid AS l
LEFT JOIN ref_ip_blocks FOR SYSTEM_TIME AS OF l.`ts` AS b
  ON l.`ip_block` = b.`block`;
