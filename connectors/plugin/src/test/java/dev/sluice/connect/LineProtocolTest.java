package dev.sluice.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Date;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class LineProtocolTest {
  private static final Schema WINDOW = SchemaBuilder.struct().name("agg")
      .field("window_start", Timestamp.SCHEMA).field("window_end", Timestamp.SCHEMA)
      .field("device_id", Schema.STRING_SCHEMA).field("site_id", Schema.STRING_SCHEMA)
      .field("readings", Schema.INT64_SCHEMA).field("temperature_avg", Schema.OPTIONAL_FLOAT64_SCHEMA)
      .build();

  private static SinkRecord record(String topic, Object value, Long timestamp) {
    return new SinkRecord(topic, 0, Schema.STRING_SCHEMA, "k", null, value, 7L, timestamp, org.apache.kafka.common.record.TimestampType.CREATE_TIME);
  }

  private static LineProtocol aggregates() {
    return new LineProtocol(null, null, List.of("device_id", "site_id", "path"), List.of(), List.of("window_start"), "window_end", "ms");
  }

  @Test
  void aWindowBecomesAPointOfItsTopicTaggedByItsKeysAtItsEnd() {
    Struct window = new Struct(WINDOW).put("window_start", new Date(1_000)).put("window_end", new Date(61_000))
        .put("device_id", "d 1").put("site_id", "s,1").put("readings", 60L).put("temperature_avg", 21.5);
    assertEquals("agg.iot.device-1m,device_id=d\\ 1,site_id=s\\,1 readings=60i,temperature_avg=21.5 61000",
        aggregates().line(record("agg.iot.device-1m", window, null)));
  }

  @Test
  void nullsAndNaNAreLeftOutAndAPointNeedsOneField() {
    Struct window = new Struct(WINDOW).put("window_start", new Date(0)).put("window_end", new Date(60_000))
        .put("device_id", "d1").put("site_id", "s1").put("readings", 0L);
    assertEquals("t,device_id=d1,site_id=s1 readings=0i 60000", aggregates().line(record("t", window, null)));
    LineProtocol onlyAvg = new LineProtocol("m", null, List.of(), List.of("temperature_avg"), List.of(), "window_end", "ms");
    assertThrows(DataException.class, () -> onlyAvg.line(record("t", window, null)));
    Map<String, Object> nan = Map.of("v", Double.NaN, "n", 1);
    assertEquals("m n=1i 5", new LineProtocol("m", null, List.of(), List.of(), List.of(), null, "ms").line(record("t", nan, 5L)));
  }

  @Test
  void textIsAFieldOnlyWhenListedAndIsQuoted() {
    Map<String, Object> value = Map.of("note", "say \"hi\"", "ts", "2026-01-01T00:00:01Z");
    LineProtocol listed = new LineProtocol("m", null, List.of(), List.of("note"), List.of(), "ts", "s");
    assertEquals("m note=\"say \\\"hi\\\"\" 1767225601", listed.line(record("t", value, null)));
    LineProtocol defaults = new LineProtocol("m", null, List.of(), List.of(), List.of(), "ts", "s");
    assertThrows(DataException.class, () -> defaults.line(record("t", value, null)));
  }

  @Test
  void theMeasurementMayComeFromAFieldAndTheTimeFromTheRecord() {
    Map<String, Object> value = Map.of("kind", "cpu load", "value", 0.5);
    LineProtocol fromField = new LineProtocol(null, "kind", List.of(), List.of(), List.of(), null, "ns");
    assertEquals("cpu\\ load value=0.5 2000000", fromField.line(record("t", value, 2L)));
  }

  @Test
  void aBadTimeOrATombstoneIsADataException() {
    LineProtocol p = new LineProtocol("m", null, List.of(), List.of(), List.of(), "ts", "ms");
    assertThrows(DataException.class, () -> p.line(record("t", Map.of("ts", "yesterday", "v", 1), null)));
    assertThrows(DataException.class, () -> p.line(record("t", Map.of("v", 1), null)));
    assertThrows(DataException.class, () -> p.line(record("t", null, 1L)));
  }
}
