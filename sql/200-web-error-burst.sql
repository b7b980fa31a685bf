-- An error burst on one endpoint: five server errors (5xx) in a row on one path within a minute, one
-- match per five (AFTER MATCH SKIP PAST LAST ROW). A success in between breaks the run; so does a run
-- that takes longer than a minute.
INSERT INTO patterns_web_error_burst
SELECT `path`, `first_ts`, `last_ts`, `errors`, `last_status`
FROM web_valid
MATCH_RECOGNIZE (
  PARTITION BY `path`
  ORDER BY `ts`
  MEASURES
    FIRST(E.`ts`) AS `first_ts`,
    LAST(E.`ts`) AS `last_ts`,
    COUNT(E.`ts`) AS `errors`,
    LAST(E.`status`) AS `last_status`
  ONE ROW PER MATCH
  AFTER MATCH SKIP PAST LAST ROW
  PATTERN (E{5}) WITHIN INTERVAL '1' MINUTE
  DEFINE E AS E.`status` >= 500
);
