package dev.sluice.flink.format;

import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps avro-confluent's deserializer. With {@link Emit#RECORDS} a poison record (see {@link
 * DecodeFailure}) yields no row, so the Kafka source goes on with the next record (its offset still
 * advances: nothing before or after it is lost or read twice); with {@link Emit#ERRORS} only poison
 * records yield a row: null physical columns, and the format metadata {@code decode_error} and
 * {@code raw}. A transient failure is rethrown in both modes, so both see the same records as poison.
 */
public final class TolerantDeserializationSchema implements DeserializationSchema<RowData> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(TolerantDeserializationSchema.class);

  /** The first poison records of a subtask are logged one by one; after that one line per this many. */
  static final int LOG_FIRST = 20;

  static final int LOG_EVERY = 1000;

  public enum Emit {
    RECORDS,
    ERRORS
  }

  private final DeserializationSchema<RowData> inner;
  private final Emit emit;
  private final int physicalArity;
  private final String[] metadataKeys;
  private final TypeInformation<RowData> producedType;

  private transient Counter decodeErrors;
  private transient long seen;

  public TolerantDeserializationSchema(
      DeserializationSchema<RowData> inner,
      Emit emit,
      int physicalArity,
      List<String> metadataKeys,
      TypeInformation<RowData> producedType) {
    this.inner = inner;
    this.emit = emit;
    this.physicalArity = physicalArity;
    this.metadataKeys = metadataKeys.toArray(new String[0]);
    this.producedType = producedType;
  }

  @Override
  public void open(InitializationContext context) throws Exception {
    inner.open(context);
    decodeErrors = context.getMetricGroup().counter("sluiceDecodeErrors");
  }

  @Override
  public RowData deserialize(byte[] message) throws IOException {
    if (message == null) return emit == Emit.RECORDS ? inner.deserialize(null) : null;
    RowData row;
    try {
      row = inner.deserialize(message);
    } catch (Exception e) {
      DecodeFailure failure = DecodeFailure.classify(message, e);
      if (!failure.isPoison()) {
        if (e instanceof IOException) throw (IOException) e;
        throw new IOException(failure.reason, e);
      }
      onPoison(failure);
      return emit == Emit.ERRORS ? errorRow(failure.reason, message) : null;
    }
    if (emit == Emit.ERRORS || row == null) return null;
    return metadataKeys.length == 0 ? row : withNullMetadata(row);
  }

  /**
   * The row with the metadata columns appended, null for a record that decoded. A GenericRowData: the
   * Kafka connector casts the value row to it when the table reads metadata.
   */
  private RowData withNullMetadata(RowData row) {
    if (!(row instanceof GenericRowData)) {
      throw new IllegalStateException("avro-confluent returned a " + row.getClass().getName() + ", not a GenericRowData");
    }
    GenericRowData physical = (GenericRowData) row;
    GenericRowData out = new GenericRowData(row.getRowKind(), physicalArity + metadataKeys.length);
    for (int i = 0; i < physicalArity; i++) out.setField(i, physical.getField(i));
    return out;
  }

  @Override
  public void deserialize(byte[] message, Collector<RowData> out) throws IOException {
    RowData row = deserialize(message);
    if (row != null) out.collect(row);
  }

  private void onPoison(DecodeFailure failure) {
    if (decodeErrors != null) decodeErrors.inc();
    seen++;
    // Only the reading side logs: the dead-letter reader would repeat every line.
    if (emit == Emit.RECORDS && (seen <= LOG_FIRST || seen % LOG_EVERY == 0)) {
      LOG.warn("skipped an undecodable record ({} so far in this subtask): {}", seen, failure.reason);
    }
  }

  private RowData errorRow(String reason, byte[] raw) {
    GenericRowData row = new GenericRowData(physicalArity + metadataKeys.length);
    for (int i = 0; i < metadataKeys.length; i++) {
      Object value = null;
      if (SluiceAvroConfluentFormatFactory.METADATA_DECODE_ERROR.equals(metadataKeys[i])) value = StringData.fromString(reason);
      else if (SluiceAvroConfluentFormatFactory.METADATA_RAW.equals(metadataKeys[i])) value = raw;
      row.setField(physicalArity + i, value);
    }
    return row;
  }

  @Override
  public boolean isEndOfStream(RowData nextElement) {
    return false;
  }

  @Override
  public TypeInformation<RowData> getProducedType() {
    return producedType;
  }
}
