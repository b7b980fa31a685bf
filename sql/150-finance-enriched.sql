-- Every transaction with its account's customer, home country and risk level as of the transaction's
-- time (event-time temporal join); transactions of unknown accounts are kept, flagged account_known = FALSE.
INSERT INTO enriched_finance
SELECT * FROM finance_enriched;
