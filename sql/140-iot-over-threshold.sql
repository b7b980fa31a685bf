-- A sensor above its own maximum temperature (from the device registry) for 3 consecutive readings:
-- one match per run of three, the next match starting after it (AFTER MATCH SKIP PAST LAST ROW).
-- A reading at or below the threshold breaks the run.
INSERT INTO patterns_iot_over_threshold
SELECT `device_id`, `site_id`, `first_ts`, `last_ts`, `readings`, `max_temperature_c`, `threshold_c`
FROM iot_enriched
MATCH_RECOGNIZE (
  PARTITION BY `device_id`
  ORDER BY `ts`
  MEASURES
    LAST(H.`site_id`) AS `site_id`,
    FIRST(H.`ts`) AS `first_ts`,
    LAST(H.`ts`) AS `last_ts`,
    COUNT(H.`ts`) AS `readings`,
    MAX(H.`temperature_c`) AS `max_temperature_c`,
    LAST(H.`temperature_max_c`) AS `threshold_c`
  ONE ROW PER MATCH
  AFTER MATCH SKIP PAST LAST ROW
  PATTERN (H{3})
  DEFINE H AS H.`temperature_c` > H.`temperature_max_c`
);
