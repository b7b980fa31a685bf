import type { ObservedSubject } from '../clients/registry-types';
import type { SchemaSpec } from '../spec/types';
import { schemaProvider } from './schema';
import type { DiffContext } from './types';

const v1 = '{"fields":[{"name":"id","type":"string"}],"name":"Event","type":"record"}';
const v2 =
  '{"fields":[{"name":"id","type":"string"},{"default":null,"name":"note","type":["null","string"]}],"name":"Event","type":"record"}';
const desired = (schema: string): SchemaSpec => ({
  subject: 'events-value',
  topic: 'events',
  file: 'schemas/event.avsc',
  path: 'topics[0].valueSchema',
  schema,
  compatibility: 'BACKWARD',
});
const observed = (schema: string, extra: Partial<ObservedSubject> = {}): ObservedSubject => ({
  subject: 'events-value',
  latest: { id: 7, version: 3, schema },
  compatibility: 'BACKWARD',
  ...extra,
});
const context: DiffContext = { brokerCount: 3, prune: false, managed: new Set(), hasSecret: () => true };
const diff = (d: SchemaSpec | undefined, o: ObservedSubject | undefined) =>
  schemaProvider.diff('schema/events-value', d, o, context);

describe('schema provider diff', () => {
  it('registers a new subject as version 1 with BACKWARD compatibility', () => {
    expect(diff(desired(v1), undefined)).toMatchObject({
      action: 'create',
      schema: v1,
      compatibility: 'BACKWARD',
      changes: [
        { field: 'version', to: 1 },
        { field: 'compatibility', to: 'BACKWARD' },
        { field: 'file', to: 'schemas/event.avsc' },
      ],
    });
  });

  it('changes nothing when the latest version is the same schema, whatever its key order', () => {
    const reordered = '{"type":"record","name":"Event","fields":[{"type":"string","name":"id"}]}';
    expect(diff(desired(v1), observed(reordered)).action).toBe('noop');
  });

  it('shows a compatible change as the next version', () => {
    const step = diff(desired(v2), observed(v1, { candidate: { compatible: true, messages: [] } }));
    expect(step).toMatchObject({
      action: 'update',
      schema: v2,
      changes: [{ field: 'version', from: 3, to: 4 }, { field: 'file' }],
    });
    expect(step.compatibility).toBeUndefined();
  });

  it('refuses an incompatible change with the registry reason and what to do', () => {
    const reason = 'READER_FIELD_MISSING_DEFAULT_VALUE: note';
    const step = diff(desired(v2), observed(v1, { candidate: { compatible: false, messages: [reason] } }));
    expect(step.action).toBe('refused');
    expect(step.reason).toContain(reason);
    expect(step.reason).toContain('schemas/event.avsc');
    expect(step.reason).toMatch(/default/);
  });

  it('sets the compatibility level when the subject has another one, without a new version', () => {
    expect(diff(desired(v1), observed(v1, { compatibility: 'NONE' }))).toMatchObject({
      action: 'update',
      compatibility: 'BACKWARD',
      changes: [{ field: 'compatibility', from: 'NONE', to: 'BACKWARD' }],
    });
    expect(diff(desired(v1), observed(v1, { compatibility: 'NONE' })).schema).toBeUndefined();
  });

  it('deletes a subject only when asked to (the planner calls diff without desired state for --prune)', () => {
    expect(diff(undefined, observed(v1))).toMatchObject({ action: 'delete', subject: 'events-value' });
  });
});
