package dev.sluice.connect;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.ColumnDefinition;
import com.datastax.oss.driver.api.core.cql.ColumnDefinitions;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.datastax.oss.driver.api.core.servererrors.SyntaxError;
import com.datastax.oss.driver.api.core.servererrors.UnauthorizedException;
import com.datastax.oss.driver.api.core.type.codec.registry.CodecRegistry;
import com.datastax.oss.driver.api.core.type.reflect.GenericType;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prepared statements (one, or one per table the topic is written to), executed asynchronously for
 * every record of a batch; put() returns only when every write of the batch is acknowledged, so Connect
 * commits offsets of written records only.
 * A record that cannot be bound, or that Cassandra refuses (a null key), goes to the dead-letter topic;
 * an unreachable, overloaded or slow Cassandra makes put() throw RetriableException, and Connect
 * delivers the same batch again after retry.backoff.ms (writes are idempotent upserts by primary key).
 * A statement Cassandra cannot prepare, or a role without permission, fails the task.
 */
public class CassandraSinkTask extends SinkTask {
  private static final Logger log = LoggerFactory.getLogger(CassandraSinkTask.class);

  private AbstractConfig config;
  private CqlSession session;
  private List<PreparedStatement> statements;
  private ConsistencyLevel consistency;
  private boolean nullAsUnset;
  private long retryBackoffMs;
  private ErrantRecords errant;
  private int failedAttempts;

  @Override
  public String version() {
    return Version.VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    config = new AbstractConfig(CassandraSinkConnector.CONFIG, props);
    consistency = DefaultConsistencyLevel.valueOf(config.getString(CassandraSinkConnector.CONSISTENCY).toUpperCase());
    nullAsUnset = config.getBoolean(CassandraSinkConnector.NULL_AS_UNSET);
    retryBackoffMs = config.getLong(CassandraSinkConnector.RETRY_BACKOFF_MS);
    errant = new ErrantRecords(context, log);
    try {
      connect();
    } catch (RetriableException e) {
      // Not fatal: the task stays RUNNING and connects on the first batch, once Cassandra is back.
      log.warn("Cassandra is not reachable yet, will connect on the first batch: {}", e.getMessage());
    }
  }

  private void connect() {
    if (session != null) return;
    Duration timeout = Duration.ofMillis(config.getLong(CassandraSinkConnector.REQUEST_TIMEOUT_MS));
    DriverConfigLoader loader = DriverConfigLoader.programmaticBuilder()
        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, timeout)
        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, timeout)
        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, timeout)
        // Come back within seconds of Cassandra's return, not the driver's default of up to a minute.
        .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofSeconds(1))
        .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(10))
        .build();
    CqlSessionBuilder builder = CqlSession.builder()
        .withConfigLoader(loader)
        .withLocalDatacenter(config.getString(CassandraSinkConnector.LOCAL_DATACENTER));
    String keyspace = config.getString(CassandraSinkConnector.KEYSPACE);
    if (keyspace != null && !keyspace.isBlank()) builder.withKeyspace(keyspace);
    for (String point : config.getList(CassandraSinkConnector.CONTACT_POINTS)) {
      String hostPort = point.trim();
      int colon = hostPort.lastIndexOf(':');
      String host = hostPort.substring(0, colon).replaceAll("^\\[|\\]$", "");
      builder.addContactPoint(InetSocketAddress.createUnresolved(host, Integer.parseInt(hostPort.substring(colon + 1))));
    }
    String username = config.getString(CassandraSinkConnector.USERNAME);
    if (username != null && !username.isEmpty()) {
      Password password = config.getPassword(CassandraSinkConnector.PASSWORD);
      builder.withAuthCredentials(username, password == null ? "" : password.value());
    }
    CqlSession opened;
    try {
      opened = builder.build();
    } catch (AllNodesFailedException | DriverTimeoutException e) {
      if (isAuthentication(e)) throw new ConnectException("Cassandra refused the credentials of role '" + username + "': " + e.getMessage(), e);
      throw new RetriableException("cannot reach Cassandra at " + config.getList(CassandraSinkConnector.CONTACT_POINTS) + ": " + e.getMessage(), e);
    }
    List<PreparedStatement> prepared = new ArrayList<>();
    for (String cql : CassandraSinkConnector.statements(config.getString(CassandraSinkConnector.CQL))) {
      try {
        prepared.add(opened.prepare(cql));
      } catch (InvalidQueryException | SyntaxError | UnauthorizedException e) {
        opened.close();
        throw new ConnectException(CassandraSinkConnector.CQL + ": Cassandra cannot prepare the statement: " + e.getMessage() + " (" + cql + ")", e);
      } catch (DriverException e) {
        opened.close();
        throw new RetriableException("cannot prepare the statement yet: " + e.getMessage(), e);
      }
    }
    statements = prepared;
    session = opened;
    for (PreparedStatement statement : statements) log.info("connected to Cassandra, prepared: {}", statement.getQuery());
  }

  private static boolean isAuthentication(AllNodesFailedException e) {
    return e.getAllErrors().values().stream().flatMap(List::stream)
        .anyMatch(t -> t instanceof com.datastax.oss.driver.api.core.auth.AuthenticationException);
  }

  private static boolean isAuthentication(DriverException e) {
    return e instanceof AllNodesFailedException && isAuthentication((AllNodesFailedException) e);
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    if (records.isEmpty()) return;
    try {
      connect();
    } catch (RetriableException e) {
      throw retry(e);
    }
    List<SinkRecord> sent = new ArrayList<>(records.size());
    List<List<CompletionStage<AsyncResultSet>>> writes = new ArrayList<>(records.size());
    for (SinkRecord record : records) {
      List<BoundStatement> bound;
      try {
        bound = bind(record);
      } catch (DataException e) {
        errant.report(record, e);
        continue;
      }
      sent.add(record);
      List<CompletionStage<AsyncResultSet>> recordWrites = new ArrayList<>(bound.size());
      for (BoundStatement statement : bound) recordWrites.add(session.executeAsync(statement));
      writes.add(recordWrites);
    }
    // Wait for every write, even after a failure: none may still run when Connect redelivers the batch.
    RuntimeException retriable = null;
    for (int i = 0; i < writes.size(); i++) {
      Throwable refused = null;
      for (CompletionStage<AsyncResultSet> write : writes.get(i)) {
        try {
          write.toCompletableFuture().get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new RetriableException("interrupted while waiting for Cassandra", e);
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof InvalidQueryException) {
            refused = cause; // this record's values: a null key, a value out of range
          } else if (cause instanceof UnauthorizedException || cause instanceof SyntaxError) {
            throw new ConnectException("Cassandra refuses the statement: " + cause.getMessage(), cause);
          } else if (retriable == null) {
            retriable = new RetriableException("Cassandra write failed (" + cause.getClass().getSimpleName() + "): " + cause.getMessage(), cause);
          }
        }
      }
      // A refused record is reported once, however many of its statements were refused.
      if (refused != null && retriable == null) errant.report(sent.get(i), refused);
    }
    if (retriable != null) throw retry(retriable);
    if (failedAttempts > 0) log.info("Cassandra writes succeed again after {} failed attempt(s)", failedAttempts);
    failedAttempts = 0;
  }

  private RuntimeException retry(RuntimeException e) {
    failedAttempts++;
    log.warn("attempt {} failed, the batch is delivered again in {} ms: {}", failedAttempts, retryBackoffMs, e.getMessage());
    context.timeout(retryBackoffMs);
    return e instanceof RetriableException ? e : new RetriableException(e);
  }

  /** One bound statement per prepared statement; a field that does not fit its column is a DataException. */
  List<BoundStatement> bind(SinkRecord record) {
    Map<String, Object> fields = Values.fields(record);
    CodecRegistry codecs = session.getContext().getCodecRegistry();
    List<BoundStatement> out = new ArrayList<>(statements.size());
    for (PreparedStatement statement : statements) {
      BoundStatementBuilder bound = statement.boundStatementBuilder().setConsistencyLevel(consistency);
      ColumnDefinitions variables = statement.getVariableDefinitions();
      // By position: a marker used twice (:ts in the column and in floor((timestamp) :ts, 1h)) is two variables.
      for (int i = 0; i < variables.size(); i++) {
        ColumnDefinition variable = variables.get(i);
        String name = variable.getName().asInternal();
        Object raw;
        switch (name) {
          case "kafka_topic": raw = record.topic(); break;
          case "kafka_partition": raw = record.kafkaPartition(); break;
          case "kafka_offset": raw = record.kafkaOffset(); break;
          case "kafka_timestamp": raw = record.timestamp(); break;
          case "kafka_key": raw = record.key() == null ? null : Values.plain(record.key()); break;
          default:
            if (!fields.containsKey(name)) {
              bound = bound.unset(i);
              continue;
            }
            raw = fields.get(name);
        }
        Object value = CqlValues.convert(raw, variable.getType(), name);
        if (value == null) {
          bound = nullAsUnset ? bound.unset(i) : bound.setToNull(i);
        } else {
          @SuppressWarnings("unchecked")
          GenericType<Object> type = (GenericType<Object>) codecs.codecFor(variable.getType()).getJavaType();
          bound = bound.set(i, value, type);
        }
      }
      out.add(bound.build());
    }
    return out;
  }

  @Override
  public void stop() {
    if (session != null) session.close();
    session = null;
  }
}
