package dev.sluice.connect;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.Task;

/**
 * Writes records to Cassandra with one prepared INSERT (or UPDATE) whose named bind markers are filled
 * from the record: `:field` takes the value field of that name, `:kafka_topic`, `:kafka_partition`,
 * `:kafka_offset`, `:kafka_timestamp` and `:kafka_key` the record's metadata. A marker whose field the
 * record lacks is left unset, so the column keeps what it had (no tombstone). Computed values come from
 * CQL functions with a type hint, e.g. `todate((timestamp) :ts)` for a day bucket.
 */
public class CassandraSinkConnector extends SingleConfigSinkConnector {
  public static final String CONTACT_POINTS = "cassandra.contact.points";
  public static final String LOCAL_DATACENTER = "cassandra.local.datacenter";
  public static final String USERNAME = "cassandra.username";
  public static final String PASSWORD = "cassandra.password";
  public static final String KEYSPACE = "cassandra.keyspace";
  public static final String CQL = "cassandra.cql";
  public static final String CONSISTENCY = "cassandra.consistency";
  public static final String NULL_AS_UNSET = "cassandra.null.as.unset";
  public static final String REQUEST_TIMEOUT_MS = "cassandra.request.timeout.ms";
  public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";

  static final List<String> CONSISTENCY_LEVELS = List.of("ANY", "ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_ONE", "LOCAL_QUORUM", "EACH_QUORUM");
  private static final Pattern HOST_PORT = Pattern.compile("^[A-Za-z0-9.\\-]+:\\d{1,5}$|^\\[[0-9A-Fa-f:]+\\]:\\d{1,5}$");
  private static final Pattern STATEMENT = Pattern.compile("^\\s*(INSERT|UPDATE)\\s", Pattern.CASE_INSENSITIVE);
  private static final Pattern NAMED_MARKER = Pattern.compile("(?<![:\\w]):[A-Za-z_]\\w*");
  private static final Pattern POSITIONAL_MARKER = Pattern.compile("\\?");

  static final ConfigDef CONFIG = new ConfigDef()
      .define(CONTACT_POINTS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, (name, value) -> {
        @SuppressWarnings("unchecked") List<String> points = (List<String>) value;
        if (points == null || points.isEmpty()) throw new ConfigException(name, value, "give at least one host:port");
        for (String point : points) {
          if (!HOST_PORT.matcher(point.trim()).matches()) throw new ConfigException(name, point, "each contact point is host:port, e.g. 127.0.0.1:9042");
        }
      }, Importance.HIGH, "Cassandra nodes to connect to first, as host:port, comma-separated.")
      .define(LOCAL_DATACENTER, Type.STRING, "datacenter1", new ConfigDef.NonEmptyString(), Importance.HIGH,
          "The datacenter whose nodes the driver sends requests to (LOCAL_* consistency levels are relative to it).")
      .define(USERNAME, Type.STRING, null, Importance.MEDIUM, "Role to log in as (PasswordAuthenticator); none when empty.")
      .define(PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "Password of the role.")
      .define(KEYSPACE, Type.STRING, null, Importance.HIGH,
          "Keyspace of the statements' unqualified tables; none when every table is qualified (sluice.table).")
      .define(CQL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, (name, value) -> {
        List<String> statements = statements(value == null ? "" : value.toString());
        if (statements.isEmpty()) throw new ConfigException(name, value, "give at least one INSERT or UPDATE statement");
        for (int i = 0; i < statements.size(); i++) {
          String cql = statements.get(i);
          String which = statements.size() == 1 ? "the statement" : "statement " + (i + 1);
          if (!STATEMENT.matcher(cql).find()) throw new ConfigException(name, value, which + " must be an INSERT or UPDATE");
          if (POSITIONAL_MARKER.matcher(stripQuoted(cql)).find()) throw new ConfigException(name, value, which + ": use named bind markers (:field), not '?'");
          if (!NAMED_MARKER.matcher(stripQuoted(cql)).find()) throw new ConfigException(name, value, which + " has no named bind marker (:field) to fill from the record");
        }
      }, Importance.HIGH,
          "One statement, or several separated by ';' (each record is written by every one, e.g. to two tables), with named bind "
              + "markers: :<field> binds the record value's field, :kafka_topic, :kafka_partition, :kafka_offset, :kafka_timestamp and "
              + ":kafka_key the record's metadata. Give functions a type hint: todate((timestamp) :ts), floor((timestamp) :ts, 1h).")
      .define(CONSISTENCY, Type.STRING, "LOCAL_QUORUM", ConfigDef.CaseInsensitiveValidString.in(CONSISTENCY_LEVELS.toArray(new String[0])),
          Importance.MEDIUM, "Consistency level of each write.")
      .define(NULL_AS_UNSET, Type.BOOLEAN, true, Importance.LOW,
          "Leave a marker unset when the field is null (no tombstone, the column keeps its value); false writes null.")
      .define(REQUEST_TIMEOUT_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(100), Importance.LOW,
          "How long one write may take before it counts as a timeout (and the batch is retried).")
      .define(RETRY_BACKOFF_MS, Type.LONG, 5_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
          "Pause before Connect delivers a batch again after Cassandra was unreachable, overloaded or timed out.");

  /** The statements of a `;`-separated list (a ';' inside a quoted literal does not separate), blank ones dropped. */
  static List<String> statements(String cql) {
    List<String> out = new java.util.ArrayList<>();
    StringBuilder current = new StringBuilder();
    char quote = 0;
    for (char c : cql.toCharArray()) {
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == ';') {
        if (!current.toString().isBlank()) out.add(current.toString().trim());
        current.setLength(0);
        continue;
      }
      current.append(c);
    }
    if (!current.toString().isBlank()) out.add(current.toString().trim());
    return out;
  }

  /** The statement without its quoted literals and comments, so a '?' or ':x' inside a string is not a marker. */
  static String stripQuoted(String cql) {
    return cql.replaceAll("'(?:[^']|'')*'", "''").replaceAll("\"(?:[^\"]|\"\")*\"", "\"\"").replaceAll("--[^\\n]*", "");
  }

  @Override
  public Class<? extends Task> taskClass() {
    return CassandraSinkTask.class;
  }

  @Override
  protected ConfigDef definition() {
    return CONFIG;
  }
}
