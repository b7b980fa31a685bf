-- Transactions that break a rule of finance_checked (sql/020-views.sql), with the rule, to rejects.finance.
INSERT INTO finance_rejects
SELECT `event_id`, `ts`, `account_id`, `reject_reason`,
  CONCAT('account_id=', `account_id`, ' merchant_id=', `merchant_id`, ' amount=', CAST(`amount` AS STRING),
    ' currency=', `currency`, ' lat=', CAST(`lat` AS STRING), ' lon=', CAST(`lon` AS STRING))
FROM finance_checked
WHERE `reject_reason` IS NOT NULL;
