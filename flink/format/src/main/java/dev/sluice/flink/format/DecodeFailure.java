package dev.sluice.flink.format;

import java.lang.reflect.Method;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import javax.net.ssl.SSLException;

/**
 * Why one record could not be decoded, or that the failure is not the record's fault. A record is
 * poison when its bytes are not the Confluent wire format (magic byte 0 and a 4-byte schema id), when
 * the registry answers 404 for its schema id, or when its bytes do not decode with that schema (into
 * the table's columns). Anything else the registry client throws (connection refused or reset, a
 * timeout, TLS, an answer other than 404: 5xx, 401, 403, 429) is transient or a setting to fix: the
 * record may be good, so it is rethrown and the job restarts from its last checkpoint, losing nothing.
 */
public final class DecodeFailure {
  public enum Kind {
    NOT_WIRE_FORMAT("not-wire-format"),
    UNKNOWN_SCHEMA_ID("unknown-schema-id"),
    SCHEMA_MISMATCH("schema-mismatch"),
    /** Not the record's fault: rethrow. */
    TRANSIENT("transient");

    public final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /** The longest reason kept: a reason is a column of the dead-letter record, not a stack trace. */
  static final int MAX_REASON_CHARS = 1000;

  /** How far down a cause chain to look (chains are short; a cycle must not loop). */
  private static final int MAX_DEPTH = 16;

  public final Kind kind;
  public final String reason;

  private DecodeFailure(Kind kind, String reason) {
    this.kind = kind;
    this.reason = reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason;
  }

  public boolean isPoison() {
    return kind != Kind.TRANSIENT;
  }

  /** Classifies the failure to decode {@code message}. */
  public static DecodeFailure classify(byte[] message, Throwable error) {
    if (message.length < 5 || message[0] != 0) {
      return new DecodeFailure(
          Kind.NOT_WIRE_FORMAT,
          String.format(
              "not-wire-format: %d byte(s)%s, not the Confluent wire format (magic byte 0, 4-byte schema id, Avro body)",
              message.length,
              message.length == 0 ? "" : String.format(", first byte 0x%02x", message[0] & 0xff)));
    }
    int schemaId = ((message[1] & 0xff) << 24) | ((message[2] & 0xff) << 16) | ((message[3] & 0xff) << 8) | (message[4] & 0xff);
    Throwable t = error;
    for (int depth = 0; t != null && depth < MAX_DEPTH; depth++, t = t.getCause()) {
      if (t.getClass().getSimpleName().equals("RestClientException")) {
        int status = statusOf(t);
        if (status == 404) {
          return new DecodeFailure(
              Kind.UNKNOWN_SCHEMA_ID,
              String.format("unknown-schema-id: the registry has no schema with id %d (%s)", schemaId, oneLine(t)));
        }
        return new DecodeFailure(Kind.TRANSIENT, String.format("registry answered %d: %s", status, oneLine(t)));
      }
      if (t instanceof SocketException
          || t instanceof SocketTimeoutException
          || t instanceof UnknownHostException
          || t instanceof HttpTimeoutException
          || t instanceof SSLException) {
        return new DecodeFailure(Kind.TRANSIENT, "registry unreachable: " + oneLine(t));
      }
    }
    return new DecodeFailure(
        Kind.SCHEMA_MISMATCH,
        String.format("schema-mismatch: the bytes do not decode with schema id %d: %s", schemaId, rootMessage(error)));
  }

  private static int statusOf(Throwable restClientException) {
    try {
      Method getStatus = restClientException.getClass().getMethod("getStatus");
      return (Integer) getStatus.invoke(restClientException);
    } catch (ReflectiveOperationException | ClassCastException e) {
      return -1;
    }
  }

  private static String oneLine(Throwable t) {
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null ? "" : ": " + message.replace('\n', ' '));
  }

  /** The innermost cause's class and message: what the Avro decoder said. */
  private static String rootMessage(Throwable error) {
    Throwable root = error;
    for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < MAX_DEPTH; depth++) {
      root = root.getCause();
    }
    return oneLine(root);
  }
}
