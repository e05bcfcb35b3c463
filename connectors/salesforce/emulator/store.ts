import { randomUUID } from 'node:crypto';
import type { ObjectDefinition, SObjectRecord } from './objects.js';

/**
 * The records of an emulated org: the objects it knows, their stored records with an index per
 * External ID field, the published platform events, and how many times each record was written.
 * No validation here (validation.ts, and each object's rules in objects.ts): it stores what the org
 * accepted.
 */
export class RecordStore {
  /** Successful writes per record (`<Object>/<external id value>`): how many times each change landed. */
  readonly writes = new Map<string, number>();
  /** Published platform events, oldest first, with their ReplayId. */
  readonly events: SObjectRecord[] = [];
  /** Called after each successful record write (upsert or event publish). */
  onWrite: ((object: string, fields: SObjectRecord, at: number) => void) | undefined;
  private readonly objects = new Map<string, ObjectDefinition>();
  private readonly records = new Map<string, Map<string, SObjectRecord>>();
  private readonly byExternalId = new Map<string, Map<string, string>>();
  private sequence = 0;

  constructor(objects: readonly ObjectDefinition[]) {
    for (const o of objects) {
      this.objects.set(o.name, o);
      this.records.set(o.name, new Map());
    }
  }

  /** The definition of an object, or undefined for one the org does not know. */
  definition(object: string): ObjectDefinition | undefined {
    return this.objects.get(object);
  }

  /** The stored records of an object, as stored (for queries; not to be changed). */
  rows(object: string): Iterable<SObjectRecord> {
    return this.records.get(object)?.values() ?? [];
  }

  /** The stored records of an object (a copy of each). */
  list(object: string): SObjectRecord[] {
    return [...this.rows(object)].map((r) => ({ ...r }));
  }

  /** The record with this external id value (a copy), or undefined. */
  find(object: string, field: string, value: string): SObjectRecord | undefined {
    const id = this.idOf(object, field, value);
    const r = id ? this.records.get(object)?.get(id) : undefined;
    return r ? { ...r } : undefined;
  }

  /** The id of the record with this external id value, or undefined. */
  idOf(object: string, field: string, value: string): string | undefined {
    return this.byExternalId.get(`${object}.${field}`)?.get(value);
  }

  /** A stored record, as stored (for validation rules). */
  get(object: string, id: string): SObjectRecord | undefined {
    return this.records.get(object)?.get(id);
  }

  /** Writes fields onto the stored record `id`, whose external id value is `value`. */
  update(object: string, id: string, value: string, fields: SObjectRecord, now: string): void {
    Object.assign(this.records.get(object)!.get(id)!, fields, { LastModifiedDate: now, SystemModstamp: now });
    this.countWrite(object, value, fields);
  }

  /** Stores a new record under its external id value; returns its id. */
  insert(def: ObjectDefinition, field: string, value: string, fields: SObjectRecord, now: string): string {
    const id = this.newId(def);
    this.records.get(def.name)!.set(id, {
      ...fields,
      Id: id,
      OrderNumber: String(++this.sequence).padStart(8, '0'),
      CreatedDate: now,
      LastModifiedDate: now,
      SystemModstamp: now,
    });
    this.externalIndex(def.name, field).set(value, id);
    this.countWrite(def.name, value, fields);
    return id;
  }

  /** Appends a published platform event (with its ReplayId and EventUuid); returns its id and uuid. */
  publish(def: ObjectDefinition, fields: SObjectRecord): { id: string; uuid: string } {
    const key = fields['Order_Visibility_Id__c'];
    const uuid = randomUUID();
    const id = this.newId(def);
    this.events.push({
      ...fields,
      ReplayId: this.events.length + 1,
      CreatedDate: new Date().toISOString(),
      EventUuid: uuid,
      attributes: { type: def.name },
    });
    if (typeof key === 'string') this.countWrite(def.name, `${key}#${String(fields['Version__c'] ?? '')}`, fields);
    return { id, uuid };
  }

  private externalIndex(object: string, field: string): Map<string, string> {
    const k = `${object}.${field}`;
    let m = this.byExternalId.get(k);
    if (!m) this.byExternalId.set(k, (m = new Map()));
    return m;
  }

  private countWrite(object: string, key: string, fields: SObjectRecord): void {
    const k = `${object}/${key}`;
    this.writes.set(k, (this.writes.get(k) ?? 0) + 1);
    this.onWrite?.(object, fields, Date.now());
  }

  private newId(def: ObjectDefinition): string {
    return `${def.keyPrefix}5e${String(++this.sequence).padStart(10, '0')}AAA`;
  }
}
