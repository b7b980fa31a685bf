package dev.sluice.connect;

import java.util.concurrent.ExecutionException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;

/**
 * Sends a record that can never be written (bad data, refused by the database) to the connector's
 * dead-letter topic through Connect's ErrantRecordReporter, with the reason in the context headers, and
 * lets the task go on. Without a reporter (errors.tolerance=none) the task fails on such a record.
 */
final class ErrantRecords {
  private final ErrantRecordReporter reporter;
  private final Logger log;

  ErrantRecords(SinkTaskContext context, Logger log) {
    ErrantRecordReporter found;
    try {
      found = context.errantRecordReporter();
    } catch (NoSuchMethodError | NoClassDefFoundError e) {
      found = null; // a worker older than Kafka 2.6
    }
    this.reporter = found;
    this.log = log;
  }

  void report(SinkRecord record, Throwable reason) {
    if (reporter == null) {
      throw new ConnectException("record " + Values.where(record) + " cannot be written, and the connector has no dead-letter topic (errors.tolerance=none)", reason);
    }
    log.warn("record {} to the dead-letter topic: {}", Values.where(record), reason.getMessage());
    try {
      reporter.report(record, reason).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectException("interrupted while writing " + Values.where(record) + " to the dead-letter topic", e);
    } catch (ExecutionException e) {
      throw new ConnectException("could not write " + Values.where(record) + " to the dead-letter topic", e.getCause());
    }
  }
}
