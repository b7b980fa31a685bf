package dev.sluice.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.datastax.oss.driver.api.core.type.DataTypes;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

class CqlValuesTest {
  @Test
  void convertsWhatConvertersProduceToTheDriversTypes() {
    assertEquals(Instant.ofEpochMilli(1_700_000_000_000L), CqlValues.convert(new Date(1_700_000_000_000L), DataTypes.TIMESTAMP, "ts"));
    assertEquals(Instant.ofEpochMilli(5), CqlValues.convert(5L, DataTypes.TIMESTAMP, "ts"));
    assertEquals(Instant.parse("2026-12-01T10:00:00Z"), CqlValues.convert("2026-12-01T10:00:00Z", DataTypes.TIMESTAMP, "ts"));
    assertEquals(LocalDate.parse("2026-12-01"), CqlValues.convert(new Date(Instant.parse("2026-12-01T23:59:00Z").toEpochMilli()), DataTypes.DATE, "day"));
    assertEquals(200, CqlValues.convert(200L, DataTypes.INT, "status"));
    assertEquals(3L, CqlValues.convert(3, DataTypes.BIGINT, "n"));
    assertEquals(2.5, CqlValues.convert(2.5f, DataTypes.DOUBLE, "x"));
    assertEquals("42", CqlValues.convert(42, DataTypes.TEXT, "s"));
    assertEquals(true, CqlValues.convert("TRUE", DataTypes.BOOLEAN, "b"));
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("a", 1);
    nested.put("b", List.of("x"));
    assertEquals("{\"a\":1,\"b\":[\"x\"]}", CqlValues.convert(nested, DataTypes.TEXT, "payload"));
    assertEquals(List.of("a", "b"), CqlValues.convert(List.of("a", "b"), DataTypes.listOf(DataTypes.TEXT), "tags"));
    assertEquals("/10.1.2.3", CqlValues.convert("10.1.2.3", DataTypes.INET, "client_ip").toString());
    assertEquals(java.util.UUID.fromString("8d3c1a52-5f4e-4f5e-9d55-3c2b9a7c1e01"), CqlValues.convert("8d3c1a52-5f4e-4f5e-9d55-3c2b9a7c1e01", DataTypes.UUID, "event_id"));
  }

  @Test
  void refusesWhatDoesNotFitNamingTheField() {
    DataException e = assertThrows(DataException.class, () -> CqlValues.convert(5_000_000_000L, DataTypes.INT, "status"));
    assertEquals(true, e.getMessage().startsWith("field 'status'"));
    assertThrows(DataException.class, () -> CqlValues.convert(1.5, DataTypes.BIGINT, "n"));
    assertThrows(DataException.class, () -> CqlValues.convert("soon", DataTypes.TIMESTAMP, "ts"));
    assertThrows(DataException.class, () -> CqlValues.convert("maybe", DataTypes.BOOLEAN, "b"));
    // A host name would be a DNS lookup per record: only address literals are taken.
    assertThrows(DataException.class, () -> CqlValues.convert("example.org", DataTypes.INET, "client_ip"));
    assertThrows(DataException.class, () -> CqlValues.convert("300.1.2.3", DataTypes.INET, "client_ip"));
    assertThrows(DataException.class, () -> CqlValues.convert("not-a-uuid", DataTypes.UUID, "event_id"));
  }
}
