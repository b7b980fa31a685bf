package dev.sluice.flink.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.MockSchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException;
import org.apache.flink.avro.shaded.org.apache.avro.Schema;
import org.apache.flink.avro.shaded.org.apache.avro.generic.GenericData;
import org.apache.flink.avro.shaded.org.apache.avro.generic.GenericDatumWriter;
import org.apache.flink.avro.shaded.org.apache.avro.generic.GenericRecord;
import org.apache.flink.avro.shaded.org.apache.avro.io.BinaryEncoder;
import org.apache.flink.avro.shaded.org.apache.avro.io.EncoderFactory;
import org.apache.flink.formats.avro.AvroRowDataDeserializationSchema;
import org.apache.flink.formats.avro.AvroToRowDataConverters;
import org.apache.flink.formats.avro.RegistryAvroDeserializationSchema;
import org.apache.flink.formats.avro.SchemaCoder;
import org.apache.flink.formats.avro.registry.confluent.ConfluentSchemaRegistryCoder;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The wrapper around avro-confluent's real deserializer, with a hand-built Avro record and the
 * registry client Confluent ships for tests (in process): valid records are read, each kind of poison
 * is skipped or emitted with its reason, and a registry that cannot be reached is rethrown.
 */
class TolerantDeserializationSchemaTest {
  private static final Schema SCHEMA =
      new Schema.Parser()
          .parse(
              "{\"type\":\"record\",\"name\":\"Hit\",\"namespace\":\"t\",\"fields\":["
                  + "{\"name\":\"path\",\"type\":\"string\"},{\"name\":\"status\",\"type\":\"int\"}]}");
  private static final RowType ROW =
      (RowType) DataTypes.ROW(DataTypes.FIELD("path", DataTypes.STRING().notNull()), DataTypes.FIELD("status", DataTypes.INT().notNull())).notNull().getLogicalType();

  private MockSchemaRegistryClient registry;
  private byte[] valid;
  private int schemaId;

  /** Serializable provider of a coder over the shared in-process registry. */
  static final class Registry {
    static MockSchemaRegistryClient client;
  }

  @BeforeEach
  void setUp() throws Exception {
    registry = new MockSchemaRegistryClient();
    Registry.client = registry;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new ConfluentSchemaRegistryCoder("hits-value", registry).writeSchema(SCHEMA, out);
    GenericRecord hit = new GenericData.Record(SCHEMA);
    hit.put("path", "/index.html");
    hit.put("status", 200);
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(SCHEMA).write(hit, encoder);
    encoder.flush();
    valid = out.toByteArray();
    schemaId = ((valid[1] & 0xff) << 24) | ((valid[2] & 0xff) << 16) | ((valid[3] & 0xff) << 8) | (valid[4] & 0xff);
  }

  private static DeserializationSchema<RowData> avroConfluent(SchemaCoder.SchemaCoderProvider coder) {
    return new AvroRowDataDeserializationSchema(
        new RegistryAvroDeserializationSchema<>(GenericRecord.class, SCHEMA, coder),
        AvroToRowDataConverters.createRowConverter(ROW),
        null);
  }

  private static TolerantDeserializationSchema tolerant(TolerantDeserializationSchema.Emit emit, List<String> metadata) {
    return new TolerantDeserializationSchema(
        avroConfluent(() -> new ConfluentSchemaRegistryCoder(Registry.client)), emit, 2, metadata, null);
  }

  private static List<RowData> collect(DeserializationSchema<RowData> schema, byte[]... messages) throws IOException {
    List<RowData> rows = new ArrayList<>();
    Collector<RowData> out =
        new Collector<>() {
          @Override
          public void collect(RowData row) {
            rows.add(row);
          }

          @Override
          public void close() {}
        };
    for (byte[] message : messages) schema.deserialize(message, out);
    return rows;
  }

  private byte[] withSchemaId(int id) {
    byte[] copy = valid.clone();
    copy[1] = (byte) (id >>> 24);
    copy[2] = (byte) (id >>> 16);
    copy[3] = (byte) (id >>> 8);
    copy[4] = (byte) id;
    return copy;
  }

  private byte[] notWireFormat() {
    return "GET / HTTP/1.1\n".getBytes(StandardCharsets.UTF_8);
  }

  private byte[] wrongBytes() {
    // The right header and the first bytes of the body: the rest of the record is missing.
    return java.util.Arrays.copyOf(valid, 8);
  }

  @Test
  void positiveControlTheUnwrappedFormatFailsOnEachPoisonRecord() {
    DeserializationSchema<RowData> plain = avroConfluent(() -> new ConfluentSchemaRegistryCoder(Registry.client));
    assertThrows(IOException.class, () -> plain.deserialize(notWireFormat()));
    assertThrows(IOException.class, () -> plain.deserialize(withSchemaId(schemaId + 1000)));
    assertThrows(IOException.class, () -> plain.deserialize(wrongBytes()));
  }

  @Test
  void readsValidRecordsAndSkipsEachKindOfPoison() throws IOException {
    List<RowData> rows =
        collect(
            tolerant(TolerantDeserializationSchema.Emit.RECORDS, List.of()),
            valid,
            notWireFormat(),
            valid,
            withSchemaId(schemaId + 1000),
            new byte[] {0, 0},
            wrongBytes(),
            valid);
    assertEquals(3, rows.size());
    for (RowData row : rows) {
      assertEquals("/index.html", row.getString(0).toString());
      assertEquals(200, row.getInt(1));
    }
  }

  @Test
  void appendsNullMetadataToValidRecords() throws IOException {
    List<RowData> rows = collect(tolerant(TolerantDeserializationSchema.Emit.RECORDS, List.of("decode_error")), valid);
    assertEquals(1, rows.size());
    assertEquals(3, rows.get(0).getArity());
    assertTrue(rows.get(0) instanceof GenericRowData, "the Kafka connector casts value rows to GenericRowData");
    assertTrue(rows.get(0).isNullAt(2));
    assertEquals(200, rows.get(0).getInt(1));
  }

  @Test
  void emitsOnlyThePoisonWithItsReasonAndBytes() throws IOException {
    byte[] unknown = withSchemaId(schemaId + 1000);
    List<RowData> rows =
        collect(
            tolerant(TolerantDeserializationSchema.Emit.ERRORS, List.of("decode_error", "raw")),
            valid,
            notWireFormat(),
            valid,
            unknown,
            wrongBytes(),
            valid);
    assertEquals(3, rows.size());
    assertTrue(rows.get(0).getString(2).toString().startsWith("not-wire-format: 15 byte(s), first byte 0x47"));
    assertArrayEquals(notWireFormat(), rows.get(0).getBinary(3));
    assertTrue(rows.get(1).getString(2).toString().startsWith("unknown-schema-id: the registry has no schema with id " + (schemaId + 1000)));
    assertArrayEquals(unknown, rows.get(1).getBinary(3));
    assertTrue(rows.get(2).getString(2).toString().startsWith("schema-mismatch: the bytes do not decode with schema id " + schemaId));
    assertTrue(rows.get(0).isNullAt(0) && rows.get(0).isNullAt(1));
    for (RowData row : rows) assertTrue(row instanceof GenericRowData);
  }

  /** A coder whose registry cannot be reached, or answers 503. */
  static final class FailingCoder implements SchemaCoder {
    private final Exception error;

    FailingCoder(Exception error) {
      this.error = error;
    }

    @Override
    public Schema readSchema(InputStream in) throws IOException {
      if (error instanceof IOException) throw (IOException) error;
      throw new IOException("Could not find schema with id 1 in registry", error);
    }

    @Override
    public void writeSchema(Schema schema, OutputStream out) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void rethrowsWhenTheRegistryCannotAnswer() {
    for (Exception error :
        List.of(new ConnectException("Connection refused"), new RestClientException("Service Unavailable", 503, 50301))) {
      for (TolerantDeserializationSchema.Emit emit : TolerantDeserializationSchema.Emit.values()) {
        TolerantDeserializationSchema schema =
            new TolerantDeserializationSchema(avroConfluent(() -> new FailingCoder(error)), emit, 2, List.of(), null);
        IOException thrown = assertThrows(IOException.class, () -> schema.deserialize(valid));
        assertTrue(DecodeFailure.classify(valid, thrown).kind == DecodeFailure.Kind.TRANSIENT, thrown.toString());
      }
    }
  }

  @Test
  void nullValuesAreNotPoison() throws IOException {
    assertNull(tolerant(TolerantDeserializationSchema.Emit.ERRORS, List.of("raw")).deserialize(null));
    assertNull(tolerant(TolerantDeserializationSchema.Emit.RECORDS, List.of()).deserialize(null));
  }

  @Test
  void reasonsAreBounded() {
    String huge = "x".repeat(10_000);
    DecodeFailure failure = DecodeFailure.classify(valid, new IOException(huge));
    assertEquals(DecodeFailure.Kind.SCHEMA_MISMATCH, failure.kind);
    assertEquals(DecodeFailure.MAX_REASON_CHARS, failure.reason.length());
  }
}
