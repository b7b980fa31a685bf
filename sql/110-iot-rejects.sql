-- Readings that break a rule of iot_checked (sql/020-views.sql), with the rule, to rejects.iot.
INSERT INTO iot_rejects
SELECT `event_id`, `ts`, `device_id`, `reject_reason`,
  CONCAT('device_id=', `device_id`, ' site_id=', `site_id`,
    ' temperature_c=', COALESCE(CAST(`temperature_c` AS STRING), 'null'),
    ' humidity_pct=', COALESCE(CAST(`humidity_pct` AS STRING), 'null'),
    ' pressure_hpa=', COALESCE(CAST(`pressure_hpa` AS STRING), 'null'),
    ' battery_pct=', CAST(`battery_pct` AS STRING))
FROM iot_checked
WHERE `reject_reason` IS NOT NULL;
