/** Defaults of the spec that other modules need without a spec at hand (`platform env`): read from the JSON Schema, their one source. */
import schema from '../../lib/spec/pipeline.schema.json';

export const DEFAULT_CASSANDRA_KEYSPACE: string = schema.properties.cassandra.properties.keyspace.default;
export const DEFAULT_INFLUX_DATABASE: string = schema.properties.influx.properties.database.default;
