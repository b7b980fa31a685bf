package dev.sluice.connect;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * What Sluice's sinks share: the configuration is checked at start, and every task gets the same
 * configuration (a task writes whatever partitions Connect assigns it).
 */
abstract class SingleConfigSinkConnector extends SinkConnector {
  private Map<String, String> props;

  /** The connector's settings, checked at start and by Connect's validate endpoint. */
  protected abstract ConfigDef definition();

  @Override
  public abstract Class<? extends Task> taskClass();

  @Override
  public String version() {
    return Version.VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    definition().parse(props);
    this.props = props;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    return Collections.nCopies(maxTasks, props);
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return definition();
  }
}
