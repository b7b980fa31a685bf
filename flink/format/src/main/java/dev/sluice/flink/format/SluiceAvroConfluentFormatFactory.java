package dev.sluice.flink.format;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.formats.avro.registry.confluent.AvroConfluentFormatOptions;
import org.apache.flink.formats.avro.registry.confluent.RegistryAvroFormatFactory;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.Projection;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.format.EncodingFormat;
import org.apache.flink.table.connector.format.ProjectableDecodingFormat;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.SerializationFormatFactory;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.utils.DataTypeUtils;

/**
 * `sluice-avro-confluent`: Flink's `avro-confluent` format with the same options, plus `emit`:
 * 'records' (the default) reads the records and skips the ones that cannot be decoded; 'errors' reads
 * only those, with the format metadata `decode_error` (the reason) and `raw` (the bytes). Writing is
 * avro-confluent's, unchanged.
 */
public final class SluiceAvroConfluentFormatFactory implements DeserializationFormatFactory, SerializationFormatFactory {
  public static final String IDENTIFIER = "sluice-avro-confluent";
  public static final String METADATA_DECODE_ERROR = "decode_error";
  public static final String METADATA_RAW = "raw";

  public static final ConfigOption<String> EMIT =
      ConfigOptions.key("emit")
          .stringType()
          .defaultValue("records")
          .withDescription(
              "'records': the decodable records (an undecodable one is skipped); 'errors': only the undecodable"
                  + " records, with the metadata decode_error and raw.");

  private final RegistryAvroFormatFactory delegate = new RegistryAvroFormatFactory();

  static TolerantDeserializationSchema.Emit emitOf(ReadableConfig options) {
    String value = options.get(EMIT).toLowerCase(Locale.ROOT);
    switch (value) {
      case "records":
        return TolerantDeserializationSchema.Emit.RECORDS;
      case "errors":
        return TolerantDeserializationSchema.Emit.ERRORS;
      default:
        throw new ValidationException(
            String.format("'%s.emit' is '%s'; it must be 'records' or 'errors'", IDENTIFIER, options.get(EMIT)));
    }
  }

  @Override
  public DecodingFormat<DeserializationSchema<RowData>> createDecodingFormat(
      DynamicTableFactory.Context context, ReadableConfig formatOptions) {
    TolerantDeserializationSchema.Emit emit = emitOf(formatOptions);
    DecodingFormat<DeserializationSchema<RowData>> format = delegate.createDecodingFormat(context, formatOptions);
    if (!(format instanceof ProjectableDecodingFormat)) {
      throw new ValidationException("avro-confluent's decoding format is not projectable: this Flink is not the one sluice-avro-confluent was built for");
    }
    return new TolerantDecodingFormat((ProjectableDecodingFormat<DeserializationSchema<RowData>>) format, emit);
  }

  /**
   * Writing is avro-confluent's. The Kafka connector fills in avro-confluent's registry subject
   * (`<topic>-value`) only for the identifiers it knows, so this does the same for a sink that names
   * none: TopicNameStrategy, as before.
   */
  @Override
  public EncodingFormat<SerializationSchema<RowData>> createEncodingFormat(
      DynamicTableFactory.Context context, ReadableConfig formatOptions) {
    if (formatOptions.getOptional(AvroConfluentFormatOptions.SUBJECT).isPresent()) {
      return delegate.createEncodingFormat(context, formatOptions);
    }
    Map<String, String> table = context.getCatalogTable().getOptions();
    String topic = table.get("topic");
    String suffix = IDENTIFIER.equals(table.get("key.format")) && !IDENTIFIER.equals(table.get("value.format")) ? "-key" : "-value";
    if (topic == null || topic.contains(";")) return delegate.createEncodingFormat(context, formatOptions);
    Configuration withSubject = Configuration.fromMap(formatOptions.toMap());
    withSubject.set(AvroConfluentFormatOptions.SUBJECT, topic.trim() + suffix);
    return delegate.createEncodingFormat(context, withSubject);
  }

  @Override
  public String factoryIdentifier() {
    return IDENTIFIER;
  }

  @Override
  public Set<ConfigOption<?>> requiredOptions() {
    return delegate.requiredOptions();
  }

  @Override
  public Set<ConfigOption<?>> optionalOptions() {
    Set<ConfigOption<?>> options = new HashSet<>(delegate.optionalOptions());
    options.add(EMIT);
    return options;
  }

  @Override
  public Set<ConfigOption<?>> forwardOptions() {
    return delegate.forwardOptions();
  }

  /** avro-confluent's decoding format, tolerant, with the two metadata columns. */
  static final class TolerantDecodingFormat implements ProjectableDecodingFormat<DeserializationSchema<RowData>> {
    private final ProjectableDecodingFormat<DeserializationSchema<RowData>> inner;
    private final TolerantDeserializationSchema.Emit emit;
    private List<String> metadataKeys = new ArrayList<>();

    TolerantDecodingFormat(
        ProjectableDecodingFormat<DeserializationSchema<RowData>> inner, TolerantDeserializationSchema.Emit emit) {
      this.inner = inner;
      this.emit = emit;
    }

    @Override
    public DeserializationSchema<RowData> createRuntimeDecoder(
        DynamicTableSource.Context context, DataType physicalDataType, int[][] projections) {
      DeserializationSchema<RowData> decoder = inner.createRuntimeDecoder(context, physicalDataType, projections);
      DataType projected = Projection.of(projections).project(physicalDataType);
      int physicalArity = DataType.getFieldCount(projected);
      List<DataTypes.Field> metadataFields = new ArrayList<>();
      Map<String, DataType> readable = listReadableMetadata();
      for (String key : metadataKeys) metadataFields.add(DataTypes.FIELD(key, readable.get(key)));
      DataType produced = DataTypeUtils.appendRowFields(projected, metadataFields);
      return new TolerantDeserializationSchema(
          decoder, emit, physicalArity, metadataKeys, context.createTypeInformation(produced));
    }

    @Override
    public boolean supportsNestedProjection() {
      return inner.supportsNestedProjection();
    }

    @Override
    public Map<String, DataType> listReadableMetadata() {
      Map<String, DataType> metadata = new LinkedHashMap<>();
      metadata.put(METADATA_DECODE_ERROR, DataTypes.STRING().nullable());
      metadata.put(METADATA_RAW, DataTypes.BYTES().nullable());
      return metadata;
    }

    @Override
    public void applyReadableMetadata(List<String> metadataKeys) {
      this.metadataKeys = new ArrayList<>(metadataKeys);
    }

    @Override
    public ChangelogMode getChangelogMode() {
      return inner.getChangelogMode();
    }
  }
}
