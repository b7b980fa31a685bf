-- The finance windows, one job: per account and per merchant, every minute (tumbling, event time) and
-- over the last five minutes every minute (hopping): count, total, mean, extremes, population standard
-- deviation and exact p95 of the amounts. Amounts are not converted: a window holds one currency.
EXECUTE STATEMENT SET
BEGIN

INSERT INTO agg_finance_account_1m
SELECT `window_start`, `window_end`, `account_id`, `currency`,
  COUNT(*) AS `transactions`,
  SUM(`amount`), AVG(`amount`), MIN(`amount`), MAX(`amount`), STDDEV_POP(`amount`),
  PERCENTILE(`amount`, 0.95)
FROM TABLE(TUMBLE(TABLE finance_valid, DESCRIPTOR(`ts`), INTERVAL '1' MINUTE))
GROUP BY `window_start`, `window_end`, `account_id`, `currency`;

INSERT INTO agg_finance_account_5m
SELECT `window_start`, `window_end`, `account_id`, `currency`,
  COUNT(*) AS `transactions`,
  SUM(`amount`), AVG(`amount`), MIN(`amount`), MAX(`amount`), STDDEV_POP(`amount`),
  PERCENTILE(`amount`, 0.95)
FROM TABLE(HOP(TABLE finance_valid, DESCRIPTOR(`ts`), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE))
GROUP BY `window_start`, `window_end`, `account_id`, `currency`;

INSERT INTO agg_finance_merchant_1m
SELECT `window_start`, `window_end`, `merchant_id`, `currency`,
  COUNT(*) AS `transactions`,
  COUNT(DISTINCT `account_id`) AS `accounts`,
  SUM(`amount`), AVG(`amount`), MIN(`amount`), MAX(`amount`), STDDEV_POP(`amount`),
  PERCENTILE(`amount`, 0.95)
FROM TABLE(TUMBLE(TABLE finance_valid, DESCRIPTOR(`ts`), INTERVAL '1' MINUTE))
GROUP BY `window_start`, `window_end`, `merchant_id`, `currency`;

INSERT INTO agg_finance_merchant_5m
SELECT `window_start`, `window_end`, `merchant_id`, `currency`,
  COUNT(*) AS `transactions`,
  COUNT(DISTINCT `account_id`) AS `accounts`,
  SUM(`amount`), AVG(`amount`), MIN(`amount`), MAX(`amount`), STDDEV_POP(`amount`),
  PERCENTILE(`amount`, 0.95)
FROM TABLE(HOP(TABLE finance_valid, DESCRIPTOR(`ts`), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE))
GROUP BY `window_start`, `window_end`, `merchant_id`, `currency`;

END;
