-- The web windows, one job: per path every minute (tumbling, event time) and over the last five
-- minutes every minute (hopping): requests, server errors (5xx) and their share, and the response
-- time's mean, extremes, population standard deviation and exact 95th percentile.
EXECUTE STATEMENT SET
BEGIN

INSERT INTO agg_web_path_1m
SELECT `window_start`, `window_end`, `path`,
  COUNT(*) AS `requests`,
  COUNT(*) FILTER (WHERE `status` >= 500) AS `server_errors`,
  CAST(COUNT(*) FILTER (WHERE `status` >= 500) AS DOUBLE) / COUNT(*) AS `error_ratio`,
  AVG(`response_time_ms`), MIN(`response_time_ms`), MAX(`response_time_ms`), STDDEV_POP(`response_time_ms`),
  PERCENTILE(`response_time_ms`, 0.95)
FROM TABLE(TUMBLE(TABLE web_valid, DESCRIPTOR(`ts`), INTERVAL '1' MINUTE))
GROUP BY `window_start`, `window_end`, `path`;

INSERT INTO agg_web_path_5m
SELECT `window_start`, `window_end`, `path`,
  COUNT(*) AS `requests`,
  COUNT(*) FILTER (WHERE `status` >= 500) AS `server_errors`,
  CAST(COUNT(*) FILTER (WHERE `status` >= 500) AS DOUBLE) / COUNT(*) AS `error_ratio`,
  AVG(`response_time_ms`), MIN(`response_time_ms`), MAX(`response_time_ms`), STDDEV_POP(`response_time_ms`),
  PERCENTILE(`response_time_ms`, 0.95)
FROM TABLE(HOP(TABLE web_valid, DESCRIPTOR(`ts`), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE))
GROUP BY `window_start`, `window_end`, `path`;

END;
