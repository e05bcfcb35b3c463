import type { SObjectRecord } from './objects.js';

/**
 * The SOQL subset the emulator answers — what the connector, the tests and the docs' examples send:
 * `SELECT f1, f2 | COUNT() FROM Object [WHERE f op v [AND …]] [ORDER BY f [ASC|DESC]] [LIMIT n]`,
 * with `op` one of `=`, `!=`, `<`, `<=`, `>`, `>=`, `IN (…)`; values are 'quoted strings', numbers,
 * true/false or null. Anything else is refused with MALFORMED_QUERY, as a real org refuses what it
 * cannot parse (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm).
 */
export interface SoqlQuery {
  object: string;
  /** Empty for `COUNT()`. */
  fields: string[];
  count: boolean;
  where: Condition[];
  orderBy?: { field: string; descending: boolean };
  limit?: number;
}

type Value = string | number | boolean | null;
interface Condition {
  field: string;
  op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'IN';
  value: Value | Value[];
}

/** A query the emulator cannot parse; the server answers 400 MALFORMED_QUERY with this message. */
export class MalformedQuery extends Error {}

const SELECT =
  /^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+(\w+)(?:\s+(ASC|DESC))?)?(?:\s+LIMIT\s+(\d+))?\s*$/is;

export function parseSoql(soql: string): SoqlQuery {
  const m = SELECT.exec(soql);
  if (!m)
    throw new MalformedQuery(
      `expected SELECT <fields> FROM <object> [WHERE …] [ORDER BY …] [LIMIT n]; received ${JSON.stringify(soql)}`,
    );
  const [, select, object, where, orderField, direction, limit] = m;
  const count = /^COUNT\(\s*\)$/i.test(select!.trim());
  const fields = count ? [] : select!.split(',').map((f) => f.trim());
  for (const f of fields)
    if (!/^\w+$/.test(f)) throw new MalformedQuery(`unexpected token in the field list: ${JSON.stringify(f)}`);
  return {
    object: object!,
    fields,
    count,
    where: where ? where.split(/\s+AND\s+/i).map(parseCondition) : [],
    ...(orderField ? { orderBy: { field: orderField, descending: direction?.toUpperCase() === 'DESC' } } : {}),
    ...(limit ? { limit: Number(limit) } : {}),
  };
}

function parseCondition(text: string): Condition {
  const inMatch = /^\s*(\w+)\s+IN\s*\((.*)\)\s*$/is.exec(text);
  if (inMatch) return { field: inMatch[1]!, op: 'IN', value: splitValues(inMatch[2]!).map(parseValue) };
  const m = /^\s*(\w+)\s*(!=|<=|>=|=|<|>)\s*(.+?)\s*$/s.exec(text);
  if (!m) throw new MalformedQuery(`expected <field> <op> <value> in WHERE; received ${JSON.stringify(text.trim())}`);
  return { field: m[1]!, op: m[2] as Condition['op'], value: parseValue(m[3]!) };
}

function splitValues(list: string): string[] {
  return list.match(/'(?:[^'\\]|\\.)*'|[^,\s]+/g) ?? [];
}

function parseValue(raw: string): Value {
  const t = raw.trim();
  if (/^'.*'$/s.test(t)) return t.slice(1, -1).replace(/\\'/g, "'");
  if (/^(true|false)$/i.test(t)) return t.toLowerCase() === 'true';
  if (/^null$/i.test(t)) return null;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  // Date literals (2024-01-01, 2024-01-01T00:00:00Z) compare as their ISO strings.
  if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/.test(t)) return t;
  throw new MalformedQuery(`unexpected value ${JSON.stringify(t)}: quote strings ('…')`);
}

function compare(a: unknown, b: Value): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null) return 1;
  return typeof a === 'number' && typeof b === 'number'
    ? a - b
    : String(a) < String(b)
      ? -1
      : String(a) > String(b)
        ? 1
        : 0;
}

function matches(record: SObjectRecord, c: Condition): boolean {
  const v = record[c.field] ?? null;
  switch (c.op) {
    case 'IN':
      return (c.value as Value[]).some((x) => compare(v, x) === 0);
    case '=':
      return compare(v, c.value as Value) === 0;
    case '!=':
      return compare(v, c.value as Value) !== 0;
    case '<':
      return compare(v, c.value as Value) < 0;
    case '<=':
      return compare(v, c.value as Value) <= 0;
    case '>':
      return compare(v, c.value as Value) > 0;
    case '>=':
      return compare(v, c.value as Value) >= 0;
  }
}

/** Filters, orders and limits `records` by `q` (field existence is checked by the caller). */
export function runSoql(q: SoqlQuery, records: Iterable<SObjectRecord>): SObjectRecord[] {
  let rows = [...records].filter((r) => q.where.every((c) => matches(r, c)));
  if (q.orderBy) {
    const { field, descending } = q.orderBy;
    rows.sort((a, b) => compare(a[field], (b[field] ?? null) as Value) * (descending ? -1 : 1));
  }
  if (q.limit !== undefined) rows = rows.slice(0, q.limit);
  return rows;
}
