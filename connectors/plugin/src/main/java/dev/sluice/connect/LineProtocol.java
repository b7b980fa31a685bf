package dev.sluice.connect;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * One record as one InfluxDB line-protocol point: `measurement,tag=v field=1.5,count=3i <time>`.
 * The measurement is fixed, taken from a field, or (by default) the record's topic. Tags are the listed
 * fields that have a value; fields are the listed ones, or by default every number and boolean that is
 * not a tag, the time or excluded (text and nested values only when listed). Time is a field (epoch
 * milliseconds, a Connect Timestamp or ISO-8601) or the record's timestamp.
 */
final class LineProtocol {
  private final String measurement;
  private final String measurementField;
  private final List<String> tags;
  private final List<String> fields;
  private final Set<String> skipped;
  private final String timeField;
  private final String precision;

  LineProtocol(String measurement, String measurementField, List<String> tags, List<String> fields, List<String> excluded, String timeField, String precision) {
    this.measurement = blankToNull(measurement);
    this.measurementField = blankToNull(measurementField);
    this.tags = tags;
    this.fields = fields;
    this.timeField = blankToNull(timeField);
    this.precision = precision;
    this.skipped = new HashSet<>(tags);
    skipped.addAll(excluded);
    if (this.timeField != null) skipped.add(this.timeField);
    if (this.measurementField != null) skipped.add(this.measurementField);
  }

  private static String blankToNull(String s) {
    return s == null || s.trim().isEmpty() ? null : s.trim();
  }

  String line(SinkRecord record) {
    Map<String, Object> values = Values.fields(record);
    String name = measurement != null ? measurement : measurementField != null ? text(values.get(measurementField)) : record.topic();
    if (name == null || name.isEmpty()) throw new DataException("no measurement: field '" + measurementField + "' is empty");
    StringBuilder line = new StringBuilder(escape(name, ", "));
    for (String tag : tags) {
      String value = text(values.get(tag));
      if (value == null || value.isEmpty()) continue; // InfluxDB refuses empty tag values
      line.append(',').append(escape(tag, ",= ")).append('=').append(escape(value, ",= "));
    }
    char separator = ' ';
    int written = 0;
    boolean listed = !fields.isEmpty();
    for (String field : listed ? fields : values.keySet()) {
      if (!listed && skipped.contains(field)) continue;
      String literal = fieldValue(values.get(field), listed);
      if (literal == null) continue;
      line.append(separator).append(escape(field, ",= ")).append('=').append(literal);
      separator = ',';
      written++;
    }
    if (written == 0) throw new DataException("the record has no field value to write (a point needs at least one)");
    return line.append(' ').append(time(record, values)).toString();
  }

  private static String text(Object value) {
    if (value == null) return null;
    if (value instanceof Date) return ((Date) value).toInstant().toString();
    return value.toString();
  }

  /** The literal of a field value, or null to leave the field out of this point. */
  private static String fieldValue(Object value, boolean listed) {
    if (value == null) return null;
    if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte || value instanceof BigInteger) return value + "i";
    if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) return null; // line protocol has no NaN or infinity
      return Double.toString(d);
    }
    if (value instanceof Boolean) return value.toString();
    if (value instanceof Date) return ((Date) value).getTime() + "i";
    if (!listed) return null;
    String text = value instanceof Map || value instanceof List ? Values.json(value) : value.toString();
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private long time(SinkRecord record, Map<String, Object> values) {
    Instant t;
    if (timeField == null) {
      if (record.timestamp() == null) throw new DataException("the record has no timestamp (set influx.time.field)");
      t = Instant.ofEpochMilli(record.timestamp());
    } else {
      Object value = values.get(timeField);
      if (value == null) throw new DataException("time field '" + timeField + "' is missing or null");
      try {
        t = CqlValues.instant(value);
      } catch (DateTimeException | NumberFormatException e) {
        throw new DataException("time field '" + timeField + "': '" + value + "' is not epoch milliseconds or ISO-8601", e);
      }
    }
    switch (precision) {
      case "s": return t.getEpochSecond();
      case "us": return TimeUnit.SECONDS.toMicros(t.getEpochSecond()) + t.getNano() / 1_000;
      case "ns": return TimeUnit.SECONDS.toNanos(t.getEpochSecond()) + t.getNano();
      default: return t.toEpochMilli();
    }
  }

  static String escape(String s, String special) {
    StringBuilder out = new StringBuilder(s.length() + 4);
    for (char c : s.toCharArray()) {
      if (c == '\n' || c == '\r') {
        out.append(' '); // a newline would end the point
        continue;
      }
      if (special.indexOf(c) >= 0 || c == '\\') out.append('\\');
      out.append(c);
    }
    return out.toString();
  }
}
