/**
 * A small client for the Confluent Schema Registry API, which Apicurio Registry serves under
 * /apis/ccompat/v7. Producers use it to register and look up schemas; deploy-pipeline to plan schema
 * changes. HTTP failures become SLUICE_HTTP_ERROR with {method, path, status, body}.
 */
import axios, { type AxiosError, type AxiosInstance } from 'axios';
import { SluiceError, messageOf } from '../errors';

export type Compatibility =
  'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE' | 'NONE';

export interface RegistryOptions {
  /** The Confluent-compatible base URL, e.g. http://127.0.0.1:29100/apis/ccompat/v7 */
  url: string;
  username?: string;
  password?: string;
  timeoutMs?: number;
}

export interface RegisteredSchema {
  subject: string;
  id: number;
  version: number;
  schema: string;
}

export interface CompatibilityResult {
  compatible: boolean;
  messages: string[];
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export class RegistryClient {
  private readonly http: AxiosInstance;

  constructor(readonly options: RegistryOptions) {
    this.http = axios.create({
      baseURL: options.url.replace(/\/+$/, ''),
      timeout: options.timeoutMs ?? 10_000,
      headers: { 'Content-Type': CONTENT_TYPE, Accept: CONTENT_TYPE },
      ...(options.username ? { auth: { username: options.username, password: options.password ?? '' } } : {}),
    });
  }

  private async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, data?: unknown): Promise<T> {
    try {
      return (await this.http.request<T>({ method, url: path, data })).data;
    } catch (error) {
      const response = (error as AxiosError).response;
      const status = response?.status;
      const body = response?.data;
      throw new SluiceError(
        'SLUICE_HTTP_ERROR',
        `${method} ${this.options.url}${path} failed: ${status ?? messageOf(error)}${body ? ` ${JSON.stringify(body)}` : ''}`,
        {
          cause: error,
          retriable: status === undefined || status >= 500,
          details: { method, path, status, body },
        },
      );
    }
  }

  private static notFound(error: unknown): boolean {
    return error instanceof SluiceError && error.details?.status === 404;
  }

  async subjects(): Promise<string[]> {
    return this.request<string[]>('GET', '/subjects');
  }

  /** The latest version of a subject, or undefined when the subject does not exist. */
  async latest(subject: string): Promise<RegisteredSchema | undefined> {
    try {
      return await this.request<RegisteredSchema>('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`);
    } catch (error) {
      if (RegistryClient.notFound(error)) return undefined;
      throw error;
    }
  }

  /** Registers a schema (idempotent: an identical schema returns its existing id). */
  async register(subject: string, schema: string): Promise<number> {
    try {
      return (
        await this.request<{ id: number }>('POST', `/subjects/${encodeURIComponent(subject)}/versions`, {
          schema,
          schemaType: 'AVRO',
        })
      ).id;
    } catch (error) {
      if (error instanceof SluiceError && error.details?.status === 409) {
        throw new SluiceError(
          'SLUICE_SCHEMA_INCOMPATIBLE',
          `subject ${subject}: the registry refused the schema: ${JSON.stringify(error.details.body)}`,
          {
            cause: error,
            fix: 'give new fields a default, keep removed fields optional, or use a new subject',
          },
        );
      }
      throw error;
    }
  }

  async schemaById(id: number): Promise<string> {
    return (await this.request<{ schema: string }>('GET', `/schemas/ids/${id}`)).schema;
  }

  /** Whether `schema` may become the next version of `subject` (true when the subject does not exist). */
  async checkCompatibility(subject: string, schema: string): Promise<CompatibilityResult> {
    try {
      const result = await this.request<{ is_compatible: boolean; messages?: string[] }>(
        'POST',
        `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`,
        { schema, schemaType: 'AVRO' },
      );
      return { compatible: result.is_compatible, messages: result.messages ?? [] };
    } catch (error) {
      if (RegistryClient.notFound(error)) return { compatible: true, messages: [] };
      throw error;
    }
  }

  async compatibility(subject: string): Promise<Compatibility | undefined> {
    try {
      return (
        await this.request<{ compatibilityLevel: Compatibility }>('GET', `/config/${encodeURIComponent(subject)}`)
      ).compatibilityLevel;
    } catch (error) {
      if (RegistryClient.notFound(error)) return undefined;
      throw error;
    }
  }

  async setCompatibility(subject: string, level: Compatibility): Promise<void> {
    await this.request('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: level });
  }

  /** Soft-deletes every version of a subject; a subject that does not exist is not an error. */
  async deleteSubject(subject: string): Promise<void> {
    try {
      await this.request('DELETE', `/subjects/${encodeURIComponent(subject)}`);
    } catch (error) {
      if (!RegistryClient.notFound(error)) throw error;
    }
  }
}
