-- The IoT windows, one job (Flink reads iot.readings once for all four): per device every minute
-- (tumbling, event time) and over the last five minutes every minute (hopping: size 5 min, slide 1 min,
-- so each reading counts in five windows); per site the same two. Each window has the number of valid
-- readings and the temperature's mean, extremes, population standard deviation and exact 95th
-- percentile (PERCENTILE: linear interpolation between the two nearest values), the mean humidity and
-- the lowest battery level. A window closes when the watermark passes its end, so its result appears
-- about 5 s (the lateness bound) plus one checkpoint (10 s) after its end.
EXECUTE STATEMENT SET
BEGIN

INSERT INTO agg_iot_device_1m
SELECT `window_start`, `window_end`, `device_id`, `site_id`,
  COUNT(*) AS `readings`,
  AVG(`temperature_c`), MIN(`temperature_c`), MAX(`temperature_c`), STDDEV_POP(`temperature_c`),
  PERCENTILE(`temperature_c`, 0.95),
  AVG(`humidity_pct`),
  MIN(`battery_pct`)
FROM TABLE(TUMBLE(TABLE iot_valid, DESCRIPTOR(`ts`), INTERVAL '1' MINUTE))
GROUP BY `window_start`, `window_end`, `device_id`, `site_id`;

INSERT INTO agg_iot_device_5m
SELECT `window_start`, `window_end`, `device_id`, `site_id`,
  COUNT(*) AS `readings`,
  AVG(`temperature_c`), MIN(`temperature_c`), MAX(`temperature_c`), STDDEV_POP(`temperature_c`),
  PERCENTILE(`temperature_c`, 0.95),
  AVG(`humidity_pct`),
  MIN(`battery_pct`)
FROM TABLE(HOP(TABLE iot_valid, DESCRIPTOR(`ts`), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE))
GROUP BY `window_start`, `window_end`, `device_id`, `site_id`;

INSERT INTO agg_iot_site_1m
SELECT `window_start`, `window_end`, `site_id`,
  COUNT(DISTINCT `device_id`) AS `devices`,
  COUNT(*) AS `readings`,
  AVG(`temperature_c`), MIN(`temperature_c`), MAX(`temperature_c`), STDDEV_POP(`temperature_c`),
  PERCENTILE(`temperature_c`, 0.95),
  AVG(`humidity_pct`),
  MIN(`battery_pct`)
FROM TABLE(TUMBLE(TABLE iot_valid, DESCRIPTOR(`ts`), INTERVAL '1' MINUTE))
GROUP BY `window_start`, `window_end`, `site_id`;

INSERT INTO agg_iot_site_5m
SELECT `window_start`, `window_end`, `site_id`,
  COUNT(DISTINCT `device_id`) AS `devices`,
  COUNT(*) AS `readings`,
  AVG(`temperature_c`), MIN(`temperature_c`), MAX(`temperature_c`), STDDEV_POP(`temperature_c`),
  PERCENTILE(`temperature_c`, 0.95),
  AVG(`humidity_pct`),
  MIN(`battery_pct`)
FROM TABLE(HOP(TABLE iot_valid, DESCRIPTOR(`ts`), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE))
GROUP BY `window_start`, `window_end`, `site_id`;

END;
