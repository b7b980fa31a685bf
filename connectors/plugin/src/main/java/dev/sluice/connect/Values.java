package dev.sluice.connect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * A record value as plain Java: a Struct (Avro through a converter, JSON with schemas) or a Map
 * (schemaless JSON) becomes a Map of field name to value, nested structs included. Connect's logical
 * types stay as the converter made them (java.util.Date for Timestamp and Date, BigDecimal for Decimal).
 */
final class Values {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Values() {}

  /** The record's value as a field map; a tombstone or a value that is not a struct is a DataException. */
  static Map<String, Object> fields(SinkRecord record) {
    Object value = record.value();
    if (value == null) throw new DataException("the record has no value (a tombstone); these sinks write values only");
    Object plain = plain(value);
    if (!(plain instanceof Map)) {
      throw new DataException("the record value must be a struct or a JSON object, got " + value.getClass().getSimpleName());
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> fields = (Map<String, Object>) plain;
    return fields;
  }

  static Object plain(Object value) {
    if (value instanceof Struct) {
      Struct struct = (Struct) value;
      Map<String, Object> out = new LinkedHashMap<>();
      for (Field field : struct.schema().fields()) out.put(field.name(), plain(struct.get(field)));
      return out;
    }
    if (value instanceof Map) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) out.put(String.valueOf(e.getKey()), plain(e.getValue()));
      return out;
    }
    if (value instanceof List) {
      List<Object> out = new ArrayList<>();
      for (Object item : (List<?>) value) out.add(plain(item));
      return out;
    }
    return value;
  }

  /** JSON text of a nested value, for a text column; dates as epoch milliseconds, bytes as base64. */
  static String json(Object value) {
    try {
      return JSON.writeValueAsString(jsonable(value));
    } catch (JsonProcessingException e) {
      throw new DataException("cannot write the value as JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static Object jsonable(Object value) {
    if (value instanceof Map) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) out.put(String.valueOf(e.getKey()), jsonable(e.getValue()));
      return out;
    }
    if (value instanceof List) {
      List<Object> out = new ArrayList<>();
      for (Object item : (List<?>) value) out.add(jsonable(item));
      return out;
    }
    if (value instanceof Date) return ((Date) value).getTime();
    if (value instanceof byte[]) return Base64.getEncoder().encodeToString((byte[]) value);
    if (value instanceof ByteBuffer) {
      ByteBuffer copy = ((ByteBuffer) value).duplicate();
      byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      return Base64.getEncoder().encodeToString(bytes);
    }
    return value;
  }

  /** `topic-partition@offset`, for log lines and error messages. */
  static String where(SinkRecord record) {
    return record.topic() + "-" + record.kafkaPartition() + "@" + record.kafkaOffset();
  }
}
