-- Card testing: at least three small transactions (under 5) on one account, then a large one (over 500),
-- all within 10 minutes. Two small ones then a large one, or small ones then a medium one, is not it.
INSERT INTO patterns_card_testing
SELECT `account_id`, `first_ts`, `large_ts`, `small_count`, `small_total`, `large_amount`, `large_merchant_id`
FROM finance_valid
MATCH_RECOGNIZE (
  PARTITION BY `account_id`
  ORDER BY `ts`
  MEASURES
    FIRST(S.`ts`) AS `first_ts`,
    L.`ts` AS `large_ts`,
    COUNT(S.`ts`) AS `small_count`,
    SUM(S.`amount`) AS `small_total`,
    L.`amount` AS `large_amount`,
    L.`merchant_id` AS `large_merchant_id`
  ONE ROW PER MATCH
  AFTER MATCH SKIP PAST LAST ROW
  PATTERN (S{3,} L) WITHIN INTERVAL '10' MINUTE
  DEFINE
    S AS S.`amount` < 5,
    L AS L.`amount` > 500
);
