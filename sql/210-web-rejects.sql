-- Requests that break a rule of web_checked (sql/020-views.sql), with the rule, to rejects.web.
INSERT INTO web_rejects
SELECT `event_id`, `ts`, `client_ip`, `reject_reason`,
  CONCAT('client_ip=', `client_ip`, ' method=', `method`, ' path=', `path`,
    ' status=', CAST(`status` AS STRING), ' bytes=', CAST(`bytes` AS STRING),
    ' response_time_ms=', CAST(`response_time_ms` AS STRING))
FROM web_checked
WHERE `reject_reason` IS NOT NULL;
