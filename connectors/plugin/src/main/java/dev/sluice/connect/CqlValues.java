package dev.sluice.connect;

import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import com.datastax.oss.driver.api.core.type.ListType;
import com.datastax.oss.driver.api.core.type.MapType;
import com.datastax.oss.driver.api.core.type.SetType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.connect.errors.DataException;

/**
 * Converts a record field to the Java type the driver's default codec expects for a column type: text
 * for text (nested values as JSON), Instant for timestamp (from java.util.Date, epoch milliseconds or
 * ISO-8601), LocalDate for date, and so on. A value that does not fit is a DataException naming the
 * field, and the record goes to the dead-letter topic.
 */
final class CqlValues {
  private CqlValues() {}

  static Object convert(Object value, DataType type, String field) {
    if (value == null) return null;
    try {
      return convert(value, type);
    } catch (DataException e) {
      throw new DataException("field '" + field + "': " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new DataException("field '" + field + "': cannot write " + value.getClass().getSimpleName() + " '" + value + "' to a " + type.asCql(false, true) + " column", e);
    }
  }

  private static Object convert(Object value, DataType type) {
    if (type.equals(DataTypes.TEXT) || type.equals(DataTypes.ASCII)) {
      if (value instanceof Map || value instanceof List) return Values.json(value);
      if (value instanceof Date) return ((Date) value).toInstant().toString();
      return value.toString();
    }
    if (type.equals(DataTypes.INT)) return Math.toIntExact(whole(value));
    if (type.equals(DataTypes.BIGINT) || type.equals(DataTypes.COUNTER)) return value instanceof Date ? ((Date) value).getTime() : whole(value);
    if (type.equals(DataTypes.SMALLINT)) return (short) within(whole(value), Short.MIN_VALUE, Short.MAX_VALUE);
    if (type.equals(DataTypes.TINYINT)) return (byte) within(whole(value), Byte.MIN_VALUE, Byte.MAX_VALUE);
    if (type.equals(DataTypes.DOUBLE)) return decimal(value);
    if (type.equals(DataTypes.FLOAT)) return (float) decimal(value);
    if (type.equals(DataTypes.DECIMAL)) return value instanceof BigDecimal ? value : new BigDecimal(value.toString());
    if (type.equals(DataTypes.VARINT)) return value instanceof BigInteger ? value : new BigInteger(value.toString());
    if (type.equals(DataTypes.BOOLEAN)) {
      if (value instanceof Boolean) return value;
      String text = value.toString().trim().toLowerCase();
      if (text.equals("true") || text.equals("false")) return Boolean.valueOf(text);
      throw new DataException("'" + value + "' is not a boolean");
    }
    if (type.equals(DataTypes.TIMESTAMP)) return instant(value);
    if (type.equals(DataTypes.DATE)) {
      if (value instanceof Date || value instanceof Long) return instant(value).atZone(ZoneOffset.UTC).toLocalDate();
      if (value instanceof Integer) return LocalDate.ofEpochDay((Integer) value); // Avro's date: days since the epoch
      String text = value.toString();
      return text.length() > 10 ? instant(text).atZone(ZoneOffset.UTC).toLocalDate() : LocalDate.parse(text);
    }
    if (type.equals(DataTypes.INET)) return inet(value);
    if (type.equals(DataTypes.UUID) || type.equals(DataTypes.TIMEUUID)) return value instanceof UUID ? value : UUID.fromString(value.toString());
    if (type.equals(DataTypes.BLOB)) {
      if (value instanceof byte[]) return ByteBuffer.wrap((byte[]) value);
      if (value instanceof ByteBuffer) return value;
      throw new DataException("a blob column needs bytes");
    }
    if (type instanceof ListType) return new ArrayList<>(elements(value, ((ListType) type).getElementType()));
    if (type instanceof SetType) return new LinkedHashSet<>(elements(value, ((SetType) type).getElementType()));
    if (type instanceof MapType) {
      if (!(value instanceof Map)) throw new DataException("a map column needs a map or a struct");
      MapType map = (MapType) type;
      Map<Object, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) out.put(convert(e.getKey(), map.getKeyType()), e.getValue() == null ? null : convert(e.getValue(), map.getValueType()));
      return out;
    }
    throw new DataException("columns of type " + type.asCql(false, true) + " are not supported");
  }

  private static List<Object> elements(Object value, DataType elementType) {
    if (!(value instanceof Collection)) throw new DataException("a collection column needs a list");
    List<Object> out = new ArrayList<>();
    for (Object item : (Collection<?>) value) out.add(item == null ? null : convert(item, elementType));
    return out;
  }

  private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$");

  /** An address literal (IPv4 dotted, or IPv6 with ':'); never a host name, which would mean a DNS lookup. */
  static java.net.InetAddress inet(Object value) {
    if (value instanceof java.net.InetAddress) return (java.net.InetAddress) value;
    String text = value.toString().trim();
    java.util.regex.Matcher v4 = IPV4.matcher(text);
    boolean literal = v4.matches() ? java.util.stream.IntStream.rangeClosed(1, 4).allMatch(g -> Integer.parseInt(v4.group(g)) <= 255) : text.indexOf(':') >= 0 && text.matches("^[0-9A-Fa-f:.%\\[\\]]+$");
    if (!literal) throw new DataException("'" + text + "' is not an IP address");
    try {
      return java.net.InetAddress.getByName(text.replaceAll("^\\[|\\]$", ""));
    } catch (java.net.UnknownHostException e) {
      throw new DataException("'" + text + "' is not an IP address", e);
    }
  }

  static Instant instant(Object value) {
    if (value instanceof Date) return ((Date) value).toInstant();
    if (value instanceof Instant) return (Instant) value;
    if (value instanceof Number) return Instant.ofEpochMilli(((Number) value).longValue());
    String text = value.toString().trim();
    if (text.matches("-?\\d+")) return Instant.ofEpochMilli(Long.parseLong(text));
    return Instant.parse(text);
  }

  /** A whole number, from any integral or whole-valued number or its text; never rounded. */
  private static long whole(Object value) {
    if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) return ((Number) value).longValue();
    if (value instanceof BigInteger) return ((BigInteger) value).longValueExact();
    if (value instanceof Number) return new BigDecimal(value.toString()).longValueExact();
    if (value instanceof String) return new BigDecimal(((String) value).trim()).longValueExact();
    throw new DataException("'" + value + "' is not a number");
  }

  private static long within(long value, long min, long max) {
    if (value < min || value > max) throw new DataException(value + " is out of range [" + min + ", " + max + "]");
    return value;
  }

  private static double decimal(Object value) {
    if (value instanceof Number) return ((Number) value).doubleValue();
    if (value instanceof String) return Double.parseDouble(((String) value).trim());
    throw new DataException("'" + value + "' is not a number");
  }
}
