/**
 * Observed state of InfluxDB 1.x as deploy-pipeline reads it (SHOW DATABASES, SHOW RETENTION POLICIES,
 * SHOW USERS, SHOW GRANTS), and what the InfluxDB providers may ask of it. influx.ts talks to the server.
 */

export interface ObservedRetentionPolicy {
  database: string;
  name: string;
  /** As InfluxDB prints it, a Go duration: `720h0m0s`; `0s` keeps data forever. */
  duration: string;
  shardGroupDuration: string;
  replication: number;
  default: boolean;
}

export interface ObservedInfluxUser {
  name: string;
  admin: boolean;
}

/** InfluxDB prints privileges as READ, WRITE, ALL PRIVILEGES (and NO PRIVILEGES, never listed here). */
export type InfluxPrivilege = 'READ' | 'WRITE' | 'ALL';

export interface ObservedInfluxGrant {
  user: string;
  database: string;
  privilege: InfluxPrivilege;
}

export interface ObservedInflux {
  databases: string[];
  retentionPolicies: ObservedRetentionPolicy[];
  users: ObservedInfluxUser[];
  /** Database privileges of the non-admin users. */
  grants: ObservedInfluxGrant[];
}

export interface InfluxAdmin {
  observe(): Promise<ObservedInflux>;
  /** Runs one InfluxQL statement (CREATE DATABASE, CREATE RETENTION POLICY, GRANT, …). */
  execute(statement: string): Promise<void>;
}
