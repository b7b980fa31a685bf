/**
 * Observed state of the schema registry, as deploy-pipeline reads it, and what schema providers may ask
 * of the registry. Kept free of HTTP details; registry-admin.ts talks to the real registry.
 */
import type { Compatibility } from '../../lib/registry/client';

export type { Compatibility };

export interface ObservedSubject {
  subject: string;
  /** Absent when the subject has no version. */
  latest?: { id: number; version: number; schema: string };
  /** The subject's own level; absent when it follows the registry's global level. */
  compatibility?: Compatibility;
  /**
   * The registry's verdict on the desired schema as the subject's next version, asked only when the
   * spec's schema differs from the latest version. Part of the observation so the plan stays pure and
   * can refuse an incompatible change before anything is applied.
   */
  candidate?: { compatible: boolean; messages: string[] };
}

export interface SchemaRegistryAdmin {
  /** The subject, with the verdict on `desiredSchema` when one is given; undefined when the subject does not exist. */
  observeSubject(subject: string, desiredSchema?: string): Promise<ObservedSubject | undefined>;
  /** Registers a version; returns the schema id. */
  register(subject: string, schema: string): Promise<number>;
  setCompatibility(subject: string, level: Compatibility): Promise<void>;
  /** Soft-deletes every version (the registry keeps them for a hard delete or a re-register). */
  deleteSubject(subject: string): Promise<void>;
}
