-- Per device, every minute (tumbling, event time): how many valid readings, and the temperature's mean,
-- extremes, population standard deviation and exact 95th percentile (PERCENTILE: linear interpolation
-- between the two nearest values). A window closes when the watermark passes its end, so its result
-- appears about 5 s (the lateness bound) plus one checkpoint (10 s) after the minute ends.
INSERT INTO agg_iot_device_1m
SELECT `window_start`, `window_end`, `device_id`, `site_id`,
  COUNT(*) AS `readings`,
  AVG(`temperature_c`), MIN(`temperature_c`), MAX(`temperature_c`), STDDEV_POP(`temperature_c`),
  PERCENTILE(`temperature_c`, 0.95),
  AVG(`humidity_pct`),
  MIN(`battery_pct`)
FROM TABLE(TUMBLE(TABLE iot_valid, DESCRIPTOR(`ts`), INTERVAL '1' MINUTE))
GROUP BY `window_start`, `window_end`, `device_id`, `site_id`;
