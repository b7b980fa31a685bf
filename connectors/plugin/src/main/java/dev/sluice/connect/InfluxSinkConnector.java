package dev.sluice.connect;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;

/**
 * Writes records to InfluxDB as line protocol, one point per record (LineProtocol says how), through
 * the 1.x API (`POST /write?db=&rp=`, Basic authentication) or the 2.x one (`POST /api/v2/write`, a
 * token; InfluxDB 1.8 serves it too, with `user:password` as the token and `db/rp` as the bucket).
 */
public class InfluxSinkConnector extends SingleConfigSinkConnector {
  public static final String URL = "influx.url";
  public static final String API = "influx.api";
  public static final String DB = "influx.db";
  public static final String RP = "influx.rp";
  public static final String USERNAME = "influx.username";
  public static final String PASSWORD = "influx.password";
  public static final String ORG = "influx.org";
  public static final String BUCKET = "influx.bucket";
  public static final String TOKEN = "influx.token";
  public static final String MEASUREMENT = "influx.measurement";
  public static final String MEASUREMENT_FIELD = "influx.measurement.field";
  public static final String TAGS = "influx.tags";
  public static final String FIELDS = "influx.fields";
  public static final String FIELDS_EXCLUDE = "influx.fields.exclude";
  public static final String TIME_FIELD = "influx.time.field";
  public static final String PRECISION = "influx.precision";
  public static final String TIMEOUT_MS = "influx.timeout.ms";
  public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";

  static final ConfigDef CONFIG = new ConfigDef()
      .define(URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, (name, value) -> {
        try {
          URI uri = URI.create(String.valueOf(value));
          if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) throw new IllegalArgumentException();
        } catch (IllegalArgumentException e) {
          throw new ConfigException(name, value, "must be an http(s) URL, e.g. http://127.0.0.1:8086");
        }
      }, Importance.HIGH, "Base URL of InfluxDB.")
      .define(API, Type.STRING, "v1", ConfigDef.ValidString.in("v1", "v2"), Importance.HIGH,
          "v1: POST /write?db=&rp= with Basic authentication; v2: POST /api/v2/write?org=&bucket= with a token.")
      .define(DB, Type.STRING, null, Importance.HIGH, "v1: the database.")
      .define(RP, Type.STRING, null, Importance.LOW, "v1: the retention policy (the database's default when empty).")
      .define(USERNAME, Type.STRING, null, Importance.MEDIUM, "v1: the user.")
      .define(PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "v1: the user's password.")
      .define(ORG, Type.STRING, "", Importance.MEDIUM, "v2: the organisation (InfluxDB 1.8 ignores it).")
      .define(BUCKET, Type.STRING, null, Importance.HIGH, "v2: the bucket (on InfluxDB 1.8: database/retention-policy).")
      .define(TOKEN, Type.PASSWORD, null, Importance.MEDIUM, "v2: the token (on InfluxDB 1.8: user:password).")
      .define(MEASUREMENT, Type.STRING, null, Importance.HIGH, "A fixed measurement; by default each record's topic is its measurement.")
      .define(MEASUREMENT_FIELD, Type.STRING, null, Importance.MEDIUM, "Take the measurement from this value field instead.")
      .define(TAGS, Type.LIST, "", Importance.HIGH, "Value fields written as tags (those a record lacks are left out).")
      .define(FIELDS, Type.LIST, "", Importance.HIGH,
          "Value fields written as fields; empty: every number and boolean that is not a tag, the time or excluded.")
      .define(FIELDS_EXCLUDE, Type.LIST, "", Importance.MEDIUM, "Value fields never written as fields when influx.fields is empty.")
      .define(TIME_FIELD, Type.STRING, null, Importance.HIGH,
          "The point's time: epoch milliseconds, a Connect Timestamp or ISO-8601; the record's timestamp when empty.")
      .define(PRECISION, Type.STRING, "ms", ConfigDef.ValidString.in("ns", "us", "ms", "s"), Importance.LOW, "Precision of the written times.")
      .define(TIMEOUT_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(100), Importance.LOW, "HTTP timeout of one write.")
      .define(RETRY_BACKOFF_MS, Type.LONG, 5_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
          "Pause before Connect delivers a batch again after InfluxDB was unreachable, busy (429) or failing (5xx).");

  /** Per-field checks, then what depends on the API: v1 needs a database, v2 a bucket. */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config config = super.validate(connectorConfigs);
    Map<String, ConfigValue> byName = new java.util.HashMap<>();
    for (ConfigValue value : config.configValues()) byName.put(value.name(), value);
    String api = connectorConfigs.getOrDefault(API, "v1");
    if ("v1".equals(api) && blank(connectorConfigs.get(DB))) byName.get(DB).addErrorMessage("the v1 API needs a database: set " + DB);
    if ("v2".equals(api) && blank(connectorConfigs.get(BUCKET))) byName.get(BUCKET).addErrorMessage("the v2 API needs a bucket: set " + BUCKET);
    if (!blank(connectorConfigs.get(MEASUREMENT)) && !blank(connectorConfigs.get(MEASUREMENT_FIELD))) {
      byName.get(MEASUREMENT_FIELD).addErrorMessage("set either " + MEASUREMENT + " or " + MEASUREMENT_FIELD + ", not both");
    }
    return config;
  }

  private static boolean blank(String s) {
    return s == null || s.trim().isEmpty();
  }

  @Override
  public Class<? extends Task> taskClass() {
    return InfluxSinkTask.class;
  }

  @Override
  protected ConfigDef definition() {
    return CONFIG;
  }
}
