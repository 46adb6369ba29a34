/** Test helper: one write of every kind the change feed reports, and the changes they make. */
import type { RegistryClient } from './registry-test-client.js';
import type { ChangeJson } from './change-feed-client.js';

export const A1 = '{"type":"record","name":"A","fields":[{"name":"a","type":"int"}]}';
export const A2 = '{"type":"record","name":"A","fields":[{"name":"a","type":"int"},{"name":"b","type":"int","default":0}]}';

/** Makes the writes through `call`; returns the changes they must make, in order (time as 'T'). */
export async function writeEveryKind(call: RegistryClient['call']): Promise<ChangeJson[]> {
  await call('RegisterSchema', { subject: 'orders-value', schema: A1 });
  // A re-registration answers with the existing version: no change.
  await call('RegisterSchema', { subject: 'orders-value', schema: A1 });
  await call('RegisterSchema', { subject: 'orders-value', schema: A2 });
  await call('DeleteSchemaVersion', { subject: 'orders-value', version: '1' });
  await call('DeleteSchemaVersion', { subject: 'orders-value', version: '1', permanent: true });
  await call('DeleteSubject', { subject: 'orders-value' });
  await call('DeleteSubject', { subject: 'orders-value', permanent: true });
  await call('UpdateConfig', { compatibility: 'FULL', normalize: true });
  await call('DeleteConfig', { subject: '' });
  await call('UpdateMode', { subject: 'payments-value', mode: 'READONLY' });
  await call('DeleteMode', { subject: 'payments-value' });
  return [
    { sequence: '1', kind: 'SCHEMA_REGISTERED', subject: 'orders-value', version: 1, id: 1, schemaType: 'AVRO', time: 'T' },
    { sequence: '2', kind: 'SCHEMA_REGISTERED', subject: 'orders-value', version: 2, id: 2, schemaType: 'AVRO', time: 'T' },
    { sequence: '3', kind: 'VERSION_DELETED', subject: 'orders-value', version: 1, id: 1, time: 'T' },
    { sequence: '4', kind: 'VERSION_PERMANENTLY_DELETED', subject: 'orders-value', version: 1, id: 1, time: 'T' },
    { sequence: '5', kind: 'SUBJECT_DELETED', subject: 'orders-value', time: 'T' },
    { sequence: '6', kind: 'SUBJECT_PERMANENTLY_DELETED', subject: 'orders-value', time: 'T' },
    { sequence: '7', kind: 'CONFIG_CHANGED', subject: '', time: 'T' },
    { sequence: '8', kind: 'CONFIG_DELETED', subject: '', time: 'T' },
    { sequence: '9', kind: 'MODE_CHANGED', subject: 'payments-value', time: 'T' },
    { sequence: '10', kind: 'MODE_DELETED', subject: 'payments-value', time: 'T' },
  ];
}
