-- Every valid reading with its device's site, model and thresholds (event-time temporal join on the
-- device registry); readings of unknown devices are kept, flagged device_known = FALSE.
INSERT INTO enriched_iot
SELECT * FROM iot_enriched;
