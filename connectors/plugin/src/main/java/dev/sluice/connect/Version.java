package dev.sluice.connect;

/** The plugin's version, as Connect lists it (GET /connector-plugins). Kept in step with pom.xml. */
final class Version {
  static final String VERSION = "0.1.0";

  private Version() {}
}
