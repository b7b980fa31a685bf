package dev.sluice.connect;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One POST of line protocol per batch. 2xx: written. 400 (a point InfluxDB refuses: a field type
 * conflict, a bad value): each line is written on its own, and the refused ones go to the dead-letter
 * topic; writing a point twice is harmless, it has the same series and time. 404 (no such database
 * yet), 429, 5xx and network errors: RetriableException, and Connect delivers the batch again after
 * retry.backoff.ms. 401 and 403: the credentials are wrong, and the task fails.
 */
public class InfluxSinkTask extends SinkTask {
  private static final Logger log = LoggerFactory.getLogger(InfluxSinkTask.class);

  private HttpClient http;
  private URI uri;
  private String authorization;
  private Duration timeout;
  private long retryBackoffMs;
  private LineProtocol protocol;
  private ErrantRecords errant;
  private int failedAttempts;

  @Override
  public String version() {
    return Version.VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    AbstractConfig c = new AbstractConfig(InfluxSinkConnector.CONFIG, props);
    String base = c.getString(InfluxSinkConnector.URL).replaceAll("/+$", "");
    String precision = c.getString(InfluxSinkConnector.PRECISION);
    if ("v1".equals(c.getString(InfluxSinkConnector.API))) {
      StringBuilder query = new StringBuilder("db=").append(encode(c.getString(InfluxSinkConnector.DB))).append("&precision=").append(precision);
      String rp = c.getString(InfluxSinkConnector.RP);
      if (rp != null && !rp.isEmpty()) query.append("&rp=").append(encode(rp));
      uri = URI.create(base + "/write?" + query);
      String user = c.getString(InfluxSinkConnector.USERNAME);
      if (user != null && !user.isEmpty()) {
        Password password = c.getPassword(InfluxSinkConnector.PASSWORD);
        String pair = user + ":" + (password == null ? "" : password.value());
        authorization = "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
      }
    } else {
      uri = URI.create(base + "/api/v2/write?org=" + encode(c.getString(InfluxSinkConnector.ORG)) + "&bucket=" + encode(c.getString(InfluxSinkConnector.BUCKET)) + "&precision=" + precision);
      Password token = c.getPassword(InfluxSinkConnector.TOKEN);
      if (token != null) authorization = "Token " + token.value();
    }
    protocol = new LineProtocol(
        c.getString(InfluxSinkConnector.MEASUREMENT), c.getString(InfluxSinkConnector.MEASUREMENT_FIELD),
        c.getList(InfluxSinkConnector.TAGS), c.getList(InfluxSinkConnector.FIELDS), c.getList(InfluxSinkConnector.FIELDS_EXCLUDE),
        c.getString(InfluxSinkConnector.TIME_FIELD), precision);
    timeout = Duration.ofMillis(c.getLong(InfluxSinkConnector.TIMEOUT_MS));
    retryBackoffMs = c.getLong(InfluxSinkConnector.RETRY_BACKOFF_MS);
    http = HttpClient.newBuilder().connectTimeout(timeout).build();
    errant = new ErrantRecords(context, log);
    log.info("writing line protocol to {}", uri.getPath() + "?" + uri.getQuery());
  }

  private static String encode(String s) {
    return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    List<SinkRecord> kept = new ArrayList<>(records.size());
    List<String> lines = new ArrayList<>(records.size());
    for (SinkRecord record : records) {
      try {
        lines.add(protocol.line(record));
        kept.add(record);
      } catch (DataException e) {
        errant.report(record, e);
      }
    }
    if (lines.isEmpty()) return;
    HttpResponse<String> response = post(String.join("\n", lines));
    if (response.statusCode() / 100 == 2) {
      succeeded();
      return;
    }
    if (response.statusCode() != 400) throw failure(response);
    log.warn("InfluxDB refused part of a batch of {} points ({}), writing them one by one", lines.size(), brief(response.body()));
    for (int i = 0; i < lines.size(); i++) {
      HttpResponse<String> one = post(lines.get(i));
      if (one.statusCode() / 100 == 2) continue;
      if (one.statusCode() == 400) errant.report(kept.get(i), new DataException("InfluxDB refused the point: " + brief(one.body())));
      else throw failure(one);
    }
    succeeded();
  }

  private void succeeded() {
    if (failedAttempts > 0) log.info("InfluxDB writes succeed again after {} failed attempt(s)", failedAttempts);
    failedAttempts = 0;
  }

  private RuntimeException failure(HttpResponse<String> response) {
    int status = response.statusCode();
    String what = "InfluxDB answered " + status + " to POST " + uri.getPath() + ": " + brief(response.body());
    if (status == 401 || status == 403) throw new ConnectException(what + " (check the user and password, and its WRITE grant)");
    return retry(new RetriableException(what));
  }

  private RuntimeException retry(RetriableException e) {
    failedAttempts++;
    log.warn("attempt {} failed, the batch is delivered again in {} ms: {}", failedAttempts, retryBackoffMs, e.getMessage());
    context.timeout(retryBackoffMs);
    return e;
  }

  private static String brief(String body) {
    String oneLine = body == null ? "" : body.replaceAll("\\s+", " ").trim();
    return oneLine.length() > 300 ? oneLine.substring(0, 300) + "…" : oneLine;
  }

  private HttpResponse<String> post(String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
        .header("Content-Type", "text/plain; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (authorization != null) request.header("Authorization", authorization);
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetriableException("interrupted while writing to InfluxDB", e);
    } catch (IOException e) {
      throw retry(new RetriableException("InfluxDB is not reachable at " + uri.getHost() + ":" + uri.getPort() + ": " + e, e));
    }
  }

  @Override
  public void stop() {}
}
