-- The public API windows, one job:
--  * air quality per city and pollutant, every hour: measurements, stations (sensors) reporting, and
--    the mean, lowest and highest value, in the pollutant's units.
--  * congestion per road segment every 15 minutes: the congestion ratio currentSpeed / freeFlowSpeed
--    (1 = free flow, 0.5 = half speed), its mean and lowest, the mean speed, the mean delay (travel time
--    above free flow) and the number of samples with the road closed.
--  * price moves per symbol every hour: first and last price (in arrival order: one ingestor polls a
--    symbol's quotes in time order), extremes, the move (last/first − 1) and the range
--    ((max − min) / first), in percent.
EXECUTE STATEMENT SET
BEGIN

INSERT INTO agg_api_air_quality_1h
SELECT `window_start`, `window_end`, `city`, `parameter`, `units`,
  COUNT(*) AS `measurements`,
  COUNT(DISTINCT `sensor_id`) AS `sensors`,
  AVG(`value`), MIN(`value`), MAX(`value`)
FROM TABLE(TUMBLE(TABLE api_air_quality_by_city, DESCRIPTOR(`ts`), INTERVAL '1' HOUR))
GROUP BY `window_start`, `window_end`, `city`, `parameter`, `units`;

INSERT INTO agg_api_traffic_15m
SELECT `window_start`, `window_end`, `segment_id`, `source`,
  COUNT(*) AS `samples`,
  AVG(`ratio`), MIN(`ratio`),
  AVG(`current_speed_kmh`),
  AVG(`free_flow_speed_kmh`),
  AVG(`current_travel_time_s` - `free_flow_travel_time_s`),
  COUNT(*) FILTER (WHERE `road_closure`) AS `closures`
FROM TABLE(TUMBLE(TABLE api_traffic_ratio, DESCRIPTOR(`ts`), INTERVAL '15' MINUTE))
GROUP BY `window_start`, `window_end`, `segment_id`, `source`;

INSERT INTO agg_api_price_moves_1h
SELECT `window_start`, `window_end`, `symbol`,
  COUNT(*) AS `quotes`,
  FIRST_VALUE(`price`) AS `price_first`,
  LAST_VALUE(`price`) AS `price_last`,
  MIN(`price`), MAX(`price`),
  (LAST_VALUE(`price`) / FIRST_VALUE(`price`) - 1) * 100 AS `move_pct`,
  (MAX(`price`) - MIN(`price`)) / FIRST_VALUE(`price`) * 100 AS `range_pct`
FROM TABLE(TUMBLE(TABLE api_market_quotes, DESCRIPTOR(`ts`), INTERVAL '1' HOUR))
WHERE `price` > 0
GROUP BY `window_start`, `window_end`, `symbol`;

END;
