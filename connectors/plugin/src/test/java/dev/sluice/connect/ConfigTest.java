package dev.sluice.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

class ConfigTest {
  private static Map<String, List<String>> errors(Config config) {
    return config.configValues().stream().filter(v -> !v.errorMessages().isEmpty())
        .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
  }

  private static Map<String, String> cassandra(String cql, String points) {
    Map<String, String> props = new HashMap<>();
    props.put("cassandra.contact.points", points);
    props.put("cassandra.keyspace", "sluice");
    props.put("cassandra.cql", cql);
    return props;
  }

  @Test
  void cassandraAcceptsNamedMarkersAndFunctionsWithTypeHints() {
    String cql = "INSERT INTO iot_readings (device_id, day, ts, event_id) VALUES (:device_id, todate((timestamp) :ts), :ts, :event_id)";
    assertEquals(Map.of(), errors(new CassandraSinkConnector().validate(cassandra(cql, "127.0.0.1:9042,[::1]:9042"))));
  }

  @Test
  void cassandraRefusesPositionalMarkersOtherStatementsAndBadContactPoints() {
    Map<String, List<String>> found = errors(new CassandraSinkConnector().validate(cassandra("INSERT INTO t (a) VALUES (?)", "cassandra")));
    assertTrue(found.get("cassandra.cql").get(0).contains("named bind markers"), found.toString());
    assertTrue(found.get("cassandra.contact.points").get(0).contains("host:port"), found.toString());
    found = errors(new CassandraSinkConnector().validate(cassandra("SELECT * FROM t WHERE a = :a", "h:1")));
    assertTrue(found.get("cassandra.cql").get(0).contains("INSERT or UPDATE"), found.toString());
    // A ':' or '?' inside a string literal is not a marker.
    assertEquals(Map.of(), errors(new CassandraSinkConnector().validate(cassandra("INSERT INTO t (a, b) VALUES (:a, 'what? 10:00')", "h:1"))));
  }

  @Test
  void severalStatementsAreSeparatedBySemicolonsOutsideLiterals() {
    String two = "INSERT INTO a (h, ts) VALUES (floor((timestamp) :ts, 1h), :ts);\n INSERT INTO b (x, note) VALUES (:x, 'a;b');";
    assertEquals(List.of("INSERT INTO a (h, ts) VALUES (floor((timestamp) :ts, 1h), :ts)", "INSERT INTO b (x, note) VALUES (:x, 'a;b')"), CassandraSinkConnector.statements(two));
    assertEquals(Map.of(), errors(new CassandraSinkConnector().validate(cassandra(two, "h:1"))));
    Map<String, List<String>> found = errors(new CassandraSinkConnector().validate(cassandra("INSERT INTO a (x) VALUES (:x); DELETE FROM a WHERE x = :x", "h:1")));
    assertTrue(found.get("cassandra.cql").get(0).contains("statement 2 must be an INSERT or UPDATE"), found.toString());
  }

  @Test
  void influxNeedsADatabaseForV1AndABucketForV2() {
    Map<String, String> props = new HashMap<>(Map.of("influx.url", "http://127.0.0.1:8086"));
    assertTrue(errors(new InfluxSinkConnector().validate(props)).get("influx.db").get(0).contains("needs a database"));
    props.put("influx.api", "v2");
    assertTrue(errors(new InfluxSinkConnector().validate(props)).get("influx.bucket").get(0).contains("needs a bucket"));
    props.put("influx.bucket", "sluice/autogen");
    props.put("influx.url", "localhost:8086");
    assertTrue(errors(new InfluxSinkConnector().validate(props)).get("influx.url").get(0).contains("http(s) URL"));
  }
}
