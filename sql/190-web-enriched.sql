-- Every valid request with its address's range, country and autonomous system (event-time temporal
-- join on the /24 blocks of ref.ip-blocks); requests from addresses of no known range are kept, flagged
-- ip_known = FALSE.
INSERT INTO enriched_web
SELECT * FROM web_enriched;
