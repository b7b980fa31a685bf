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

-- Transactions with their account as it was at the transaction's time; unknown accounts flagged.
CREATE VIEW finance_enriched AS
SELECT t.`event_id`, t.`ts`, t.`account_id`, t.`merchant_id`, t.`merchant_category`, t.`amount`, t.`currency`, t.`channel`,
  t.`country`, t.`city`, t.`lat`, t.`lon`,
  a.`customer_id`, a.`home_country`, a.`risk_level`,
  a.`account_id` IS NOT NULL AS `account_known`
FROM finance_transactions AS t
LEFT JOIN ref_accounts FOR SYSTEM_TIME AS OF t.`ts` AS a
  ON t.`account_id` = a.`account_id`;
