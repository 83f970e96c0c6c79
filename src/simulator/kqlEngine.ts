// Evaluates the KQL subset (see kqlParser.ts) over in-memory tables, with static column types so that
// datetimes (epoch ms) and timespans (ms) behave like KQL's. Not a KQL engine: it names what it lacks.
import { KqlError, parseKql, type Expr, type KqlType, type NamedExpr, type Operator, type SortKey, type Tabular } from './kqlParser';

export type KqlRow = Record<string, unknown>;

export interface KqlColumn {
  name: string;
  type: KqlType;
}

export interface KqlTable {
  columns: KqlColumn[];
  rows: KqlRow[];
}

export interface KqlContext {
  /** The query's "now" (ms), for ago() and now(). */
  now: number;
  /** The table of that name (already limited to the data window), or undefined when unknown. */
  table(name: string): KqlTable | undefined;
}

interface Compiled {
  type: KqlType;
  ev(row: KqlRow): unknown;
}

interface Scope {
  columns: Map<string, KqlType>;
  lets: Map<string, Compiled>;
  now: number;
}

const DAY = 86_400_000;

/** Parses and runs `text`; throws KqlError for anything outside the subset. */
export function runKql(text: string, ctx: KqlContext): KqlTable {
  const query = parseKql(text, (name) => ctx.table(name) !== undefined);
  const lets = new Map<string, Compiled>();
  const tabularLets = new Map<string, KqlTable>();
  const env = { ctx, lets, tabularLets };
  for (const statement of query.lets) {
    if (statement.tabular) {
      tabularLets.set(statement.name, runTabular(statement.tabular, env));
    } else if (statement.scalar) {
      const c = compile(statement.scalar, { columns: new Map(), lets, now: ctx.now });
      const value = c.ev({});
      lets.set(statement.name, { type: c.type, ev: () => value });
    }
  }
  return runTabular(query.body, env);
}

interface Env {
  ctx: KqlContext;
  lets: Map<string, Compiled>;
  tabularLets: Map<string, KqlTable>;
}

function runTabular(t: Tabular, env: Env): KqlTable {
  let table: KqlTable;
  if (t.source.k === 'sub') {
    table = runTabular(t.source.query, env);
  } else {
    const found = env.tabularLets.get(t.source.name) ?? env.ctx.table(t.source.name);
    if (!found) throw new KqlError(`table '${t.source.name}' (the simulated tenant has DeviceNetworkEvents, DeviceNetworkInfo, AlertEvidence and AlertInfo)`);
    table = found;
  }
  for (const op of t.ops) table = runOperator(op, table, env);
  return table;
}

function scopeOf(table: KqlTable, env: Env): Scope {
  return { columns: new Map(table.columns.map((c) => [c.name, c.type])), lets: env.lets, now: env.ctx.now };
}

function defaultName(e: Expr, index: number): string {
  if (e.k === 'ident') return e.name;
  if (e.k === 'call' && (e.name === 'bin' || e.name === 'floor') && e.args[0]?.k === 'ident') return e.args[0].name;
  if (e.k === 'member' && e.target.k === 'ident') return `${e.target.name}_${e.name}`;
  return `Column${index + 1}`;
}

function runOperator(op: Operator, table: KqlTable, env: Env): KqlTable {
  const scope = scopeOf(table, env);
  switch (op.op) {
    case 'where': {
      const p = compile(op.predicate, scope);
      return { columns: table.columns, rows: table.rows.filter((r) => p.ev(r) === true) };
    }
    case 'project': {
      const cols = op.columns.map((c, i) => ({ name: c.name ?? defaultName(c.expr, i), c: compile(c.expr, scope) }));
      return {
        columns: cols.map(({ name, c }) => ({ name, type: c.type })),
        rows: table.rows.map((r) => Object.fromEntries(cols.map(({ name, c }) => [name, c.ev(r)]))),
      };
    }
    case 'project-away': {
      for (const n of op.names) if (!scope.columns.has(n)) throw new KqlError(`unknown column '${n}'`);
      const drop = new Set(op.names);
      const keep = table.columns.filter((c) => !drop.has(c.name));
      return { columns: keep, rows: table.rows.map((r) => Object.fromEntries(keep.map((c) => [c.name, r[c.name]]))) };
    }
    case 'project-rename': {
      const map = new Map<string, string>();
      for (const { to, from } of op.renames) {
        if (!scope.columns.has(from)) throw new KqlError(`unknown column '${from}'`);
        map.set(from, to);
      }
      const columns = table.columns.map((c) => ({ name: map.get(c.name) ?? c.name, type: c.type }));
      return { columns, rows: table.rows.map((r) => Object.fromEntries(table.columns.map((c) => [map.get(c.name) ?? c.name, r[c.name]]))) };
    }
    case 'extend': {
      let columns = table.columns.slice();
      let rows = table.rows;
      for (const [i, item] of op.columns.entries()) {
        const c = compile(item.expr, scopeOf({ columns, rows }, env));
        const name = item.name ?? defaultName(item.expr, columns.length + i);
        columns = columns.some((col) => col.name === name) ? columns.map((col) => (col.name === name ? { name, type: c.type } : col)) : [...columns, { name, type: c.type }];
        rows = rows.map((r) => ({ ...r, [name]: c.ev(r) }));
      }
      return { columns, rows };
    }
    case 'mv-expand':
      return mvExpand(op.items, table, scope);
    case 'summarize':
      return summarize(op.aggregates, op.by, table, scope);
    case 'order':
      return { columns: table.columns, rows: sortRows(table.rows, op.keys, scope) };
    case 'take':
      return { columns: table.columns, rows: table.rows.slice(0, op.count) };
    case 'top':
      return { columns: table.columns, rows: sortRows(table.rows, [op.key], scope).slice(0, op.count) };
    case 'count':
      return { columns: [{ name: 'Count', type: 'long' }], rows: [{ Count: table.rows.length }] };
    case 'distinct': {
      for (const n of op.names) if (!scope.columns.has(n)) throw new KqlError(`unknown column '${n}'`);
      const seen = new Set<string>();
      const rows: KqlRow[] = [];
      for (const r of table.rows) {
        const key = JSON.stringify(op.names.map((n) => r[n]));
        if (seen.has(key)) continue;
        seen.add(key);
        rows.push(Object.fromEntries(op.names.map((n) => [n, r[n]])));
      }
      return { columns: table.columns.filter((c) => op.names.includes(c.name)), rows };
    }
    case 'join':
      return join(op, table, env);
  }
}

function mvExpand(items: NamedExpr[], table: KqlTable, scope: Scope): KqlTable {
  const compiled = items.map((item) => {
    if (!item.name && item.expr.k !== 'ident') throw new KqlError('mv-expand of an expression without a column name (write Name = expression)');
    const name = item.name ?? (item.expr as { name: string }).name;
    return { name, c: compile(item.expr, scope) };
  });
  let columns = table.columns.slice();
  for (const { name } of compiled) {
    columns = columns.some((c) => c.name === name) ? columns.map((c) => (c.name === name ? { name, type: 'dynamic' as const } : c)) : [...columns, { name, type: 'dynamic' }];
  }
  const rows: KqlRow[] = [];
  for (const r of table.rows) {
    const arrays = compiled.map(({ c }) => {
      const v = c.ev(r);
      if (Array.isArray(v)) return v as unknown[];
      return v === null || v === undefined ? [] : [v];
    });
    const length = Math.max(0, ...arrays.map((a) => a.length));
    for (let i = 0; i < length; i++) {
      const out: KqlRow = { ...r };
      compiled.forEach(({ name }, k) => (out[name] = arrays[k]?.[i] ?? null));
      rows.push(out);
    }
  }
  return { columns, rows };
}

interface Aggregator {
  type: KqlType;
  init(): unknown;
  add(state: unknown, row: KqlRow): unknown;
  result(state: unknown): unknown;
}

const AGGREGATES = new Set(['count', 'countif', 'dcount', 'dcountif', 'min', 'max', 'sum', 'avg', 'make_set', 'make_list', 'make_set_if', 'make_list_if', 'take_any', 'any']);

function constantLimit(e: Expr | undefined, fallback: number): number {
  if (!e) return fallback;
  if (e.k !== 'lit' || typeof e.value !== 'number' || !Number.isInteger(e.value) || e.value < 1) throw new KqlError('a make_set/make_list size that is not a positive whole number');
  return e.value;
}

function keyOf(v: unknown): string {
  return typeof v === 'object' && v !== null ? `o${JSON.stringify(v)}` : `${typeof v}:${String(v)}`;
}

function aggregator(e: Expr, scope: Scope): Aggregator {
  if (e.k !== 'call' || !AGGREGATES.has(e.name)) {
    if (e.k === 'call' && (e.name === 'arg_max' || e.name === 'arg_min' || e.name.startsWith('percentile') || e.name === 'stdev' || e.name === 'variance')) {
      throw new KqlError(`function '${e.name}'`);
    }
    throw new KqlError(`summarize expression that is not an aggregation (${e.k === 'call' ? `function '${e.name}'` : 'a scalar'})`);
  }
  const args = e.args;
  const arity = (min: number, max: number): void => {
    if (args.length < min || args.length > max) throw new KqlError(`${e.name}() with ${args.length} argument(s)`);
  };
  const arg = (i: number): Compiled => compile(args[i], scope);
  const predicate = (i: number): ((row: KqlRow) => boolean) => {
    const p = arg(i);
    return (row) => p.ev(row) === true;
  };
  switch (e.name) {
    case 'count': {
      arity(0, 0);
      return { type: 'long', init: () => 0, add: (s) => (s as number) + 1, result: (s) => s };
    }
    case 'countif': {
      arity(1, 1);
      const p = predicate(0);
      return { type: 'long', init: () => 0, add: (s, r) => (s as number) + (p(r) ? 1 : 0), result: (s) => s };
    }
    case 'dcount':
    case 'dcountif': {
      arity(e.name === 'dcount' ? 1 : 2, e.name === 'dcount' ? 2 : 3);
      const v = arg(0);
      const p = e.name === 'dcountif' ? predicate(1) : () => true;
      return {
        type: 'long',
        init: () => new Set<string>(),
        add: (s, r) => {
          const x = v.ev(r);
          if (x !== null && x !== undefined && p(r)) (s as Set<string>).add(keyOf(x));
          return s;
        },
        result: (s) => (s as Set<string>).size,
      };
    }
    case 'min':
    case 'max': {
      arity(1, 1);
      const v = arg(0);
      const better = e.name === 'min' ? (a: unknown, b: unknown) => compareValues(a, b) < 0 : (a: unknown, b: unknown) => compareValues(a, b) > 0;
      return {
        type: v.type,
        init: () => null,
        add: (s, r) => {
          const x = v.ev(r);
          if (x === null || x === undefined) return s;
          return s === null || better(x, s) ? x : s;
        },
        result: (s) => s,
      };
    }
    case 'sum':
    case 'avg': {
      arity(1, 1);
      const v = arg(0);
      if (!isNumeric(v.type) && v.type !== 'timespan') throw new KqlError(`${e.name}() of a ${v.type}`);
      return {
        type: e.name === 'avg' ? 'real' : v.type,
        init: () => ({ total: 0, n: 0 }),
        add: (s, r) => {
          const x = v.ev(r);
          const st = s as { total: number; n: number };
          if (typeof x === 'number') {
            st.total += x;
            st.n++;
          }
          return st;
        },
        result: (s) => {
          const st = s as { total: number; n: number };
          return e.name === 'sum' ? st.total : st.n ? st.total / st.n : null;
        },
      };
    }
    case 'make_set':
    case 'make_list':
    case 'make_set_if':
    case 'make_list_if': {
      const conditional = e.name.endsWith('_if');
      arity(conditional ? 2 : 1, conditional ? 3 : 2);
      const v = arg(0);
      const p = conditional ? predicate(1) : () => true;
      const max = constantLimit(args[conditional ? 2 : 1], 1_048_576);
      const unique = e.name.startsWith('make_set');
      return {
        type: 'dynamic',
        init: () => ({ items: [] as unknown[], seen: new Set<string>() }),
        add: (s, r) => {
          const st = s as { items: unknown[]; seen: Set<string> };
          if (st.items.length >= max || !p(r)) return st;
          const x = v.ev(r);
          // make_set/make_list add the elements of a dynamic array one by one.
          const values = v.type === 'dynamic' && Array.isArray(x) ? (x as unknown[]) : [x];
          for (const item of values) {
            if (item === null || item === undefined || st.items.length >= max) continue;
            const value = toDynamic(item, v.type === 'dynamic' ? 'dynamic' : v.type);
            if (unique) {
              const k = keyOf(value);
              if (st.seen.has(k)) continue;
              st.seen.add(k);
            }
            st.items.push(value);
          }
          return st;
        },
        result: (s) => (s as { items: unknown[] }).items,
      };
    }
    default: {
      arity(1, 1);
      const v = arg(0);
      return { type: v.type, init: () => undefined, add: (s, r) => (s === undefined ? v.ev(r) : s), result: (s) => s ?? null };
    }
  }
}

function aggregateDefaultName(e: Expr): string {
  if (e.k !== 'call') return 'Column1';
  if (e.name === 'count') return 'count_';
  const first = e.args[0];
  return first?.k === 'ident' ? `${e.name}_${first.name}` : `${e.name}_`;
}

function summarize(aggregates: NamedExpr[], by: NamedExpr[], table: KqlTable, scope: Scope): KqlTable {
  const keys = by.map((b, i) => ({ name: b.name ?? defaultName(b.expr, i), c: compile(b.expr, scope) }));
  const aggs = aggregates.map((a) => ({ name: a.name ?? aggregateDefaultName(a.expr), agg: aggregator(a.expr, scope) }));
  const groups = new Map<string, { keyValues: unknown[]; states: unknown[] }>();
  for (const r of table.rows) {
    const keyValues = keys.map((k) => k.c.ev(r) ?? null);
    const key = JSON.stringify(keyValues);
    let g = groups.get(key);
    if (!g) {
      g = { keyValues, states: aggs.map((a) => a.agg.init()) };
      groups.set(key, g);
    }
    const group = g;
    aggs.forEach((a, i) => (group.states[i] = a.agg.add(group.states[i], r)));
  }
  if (keys.length === 0 && groups.size === 0) groups.set('[]', { keyValues: [], states: aggs.map((a) => a.agg.init()) });
  const columns: KqlColumn[] = [...keys.map((k) => ({ name: k.name, type: k.c.type })), ...aggs.map((a) => ({ name: a.name, type: a.agg.type }))];
  const names = columns.map((c) => c.name);
  if (new Set(names).size !== names.length) throw new KqlError('summarize producing two columns with the same name');
  const rows = [...groups.values()].map((g) => {
    const row: KqlRow = {};
    keys.forEach((k, i) => (row[k.name] = g.keyValues[i]));
    aggs.forEach((a, i) => (row[a.name] = a.agg.result(g.states[i])));
    return row;
  });
  return { columns, rows };
}

function sortRows(rows: KqlRow[], keys: SortKey[], scope: Scope): KqlRow[] {
  const compiled = keys.map((k) => ({ ...k, c: compile(k.expr, scope) }));
  const decorated = rows.map((row, index) => ({ row, index, values: compiled.map((k) => k.c.ev(row)) }));
  decorated.sort((a, b) => {
    for (const [i, k] of compiled.entries()) {
      const x = a.values[i];
      const y = b.values[i];
      const xNull = x === null || x === undefined;
      const yNull = y === null || y === undefined;
      if (xNull || yNull) {
        if (xNull && yNull) continue;
        return (xNull ? -1 : 1) * (k.nullsFirst ? 1 : -1);
      }
      const c = compareValues(x, y);
      if (c !== 0) return k.desc ? -c : c;
    }
    return a.index - b.index;
  });
  return decorated.map((d) => d.row);
}

function join(op: Extract<Operator, { op: 'join' }>, left: KqlTable, env: Env): KqlTable {
  const right = runTabular(op.right, env);
  const leftNames = new Set(left.columns.map((c) => c.name));
  const rightNames = new Set(right.columns.map((c) => c.name));
  for (const k of op.on) {
    if (!leftNames.has(k.left)) throw new KqlError(`join key '${k.left}' missing on the left side`);
    if (!rightNames.has(k.right)) throw new KqlError(`join key '${k.right}' missing on the right side`);
  }
  if (!['inner', 'innerunique', 'leftouter', 'leftsemi', 'leftanti'].includes(op.kind)) throw new KqlError(`join kind=${op.kind}`);
  const keyOfRow = (row: KqlRow, side: 'left' | 'right'): string => JSON.stringify(op.on.map((k) => row[k[side]] ?? null));
  const index = new Map<string, KqlRow[]>();
  for (const r of right.rows) {
    const key = keyOfRow(r, 'right');
    const list = index.get(key);
    if (list) list.push(r);
    else index.set(key, [r]);
  }
  if (op.kind === 'leftsemi' || op.kind === 'leftanti') {
    const wantMatch = op.kind === 'leftsemi';
    return { columns: left.columns, rows: left.rows.filter((r) => index.has(keyOfRow(r, 'left')) === wantMatch) };
  }
  // Right-side columns whose names clash get a numeric suffix, as in KQL (AlertId -> AlertId1).
  const taken = new Set(leftNames);
  const renamed = right.columns.map((c) => {
    let name = c.name;
    for (let n = 1; taken.has(name); n++) name = `${c.name}${n}`;
    taken.add(name);
    return { from: c.name, name, type: c.type };
  });
  const columns: KqlColumn[] = [...left.columns, ...renamed.map(({ name, type }) => ({ name, type }))];
  let leftRows = left.rows;
  if (op.kind === 'innerunique') {
    const seen = new Set<string>();
    leftRows = leftRows.filter((r) => {
      const key = keyOfRow(r, 'left');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  const rows: KqlRow[] = [];
  for (const l of leftRows) {
    const matches = index.get(keyOfRow(l, 'left'));
    if (!matches) {
      if (op.kind === 'leftouter') rows.push({ ...l, ...Object.fromEntries(renamed.map((c) => [c.name, null])) });
      continue;
    }
    for (const r of matches) rows.push({ ...l, ...Object.fromEntries(renamed.map((c) => [c.name, r[c.from]])) });
  }
  return { columns, rows };
}

// --- scalar expressions -----------------------------------------------------------------------------

function isNumeric(t: KqlType): boolean {
  return t === 'int' || t === 'long' || t === 'real';
}

/** Orders two non-null values of the same kind (numbers, strings, booleans; anything else by JSON). */
function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** KQL's text for a value of a given type. */
export function kqlToString(v: unknown, type: KqlType): string {
  if (v === null || v === undefined) return '';
  if (type === 'datetime' && typeof v === 'number') return new Date(v).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
  if (type === 'timespan' && typeof v === 'number') return formatTimespan(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

function formatTimespan(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const days = Math.floor(rest / DAY);
  rest -= days * DAY;
  const h = Math.floor(rest / 3_600_000);
  const m = Math.floor((rest % 3_600_000) / 60_000);
  const s = Math.floor((rest % 60_000) / 1000);
  const frac = rest % 1000;
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${sign}${days ? `${days}.` : ''}${p2(h)}:${p2(m)}:${p2(s)}${frac ? `.${String(frac).padStart(3, '0')}0000` : ''}`;
}

function toDynamic(v: unknown, type: KqlType): unknown {
  if (type === 'datetime' || type === 'timespan') return kqlToString(v, type);
  return v;
}

function truthy(v: unknown): boolean {
  return v === true;
}

function compile(e: Expr, scope: Scope): Compiled {
  switch (e.k) {
    case 'lit': {
      const value = e.value;
      return { type: e.type, ev: () => value };
    }
    case 'ident': {
      const type = scope.columns.get(e.name);
      if (type) {
        const name = e.name;
        return { type, ev: (r) => r[name] ?? null };
      }
      const bound = scope.lets.get(e.name);
      if (bound) return bound;
      throw new KqlError(`unknown column or variable '${e.name}'`);
    }
    case 'member': {
      const target = compile(e.target, scope);
      if (target.type !== 'dynamic') throw new KqlError(`property access '.${e.name}' on a ${target.type} (use todynamic())`);
      const name = e.name;
      return { type: 'dynamic', ev: (r) => memberOf(target.ev(r), name) };
    }
    case 'index': {
      const target = compile(e.target, scope);
      const index = compile(e.index, scope);
      if (target.type !== 'dynamic') throw new KqlError(`indexing a ${target.type}`);
      return {
        type: 'dynamic',
        ev: (r) => {
          const t = target.ev(r);
          const i = index.ev(r);
          if (Array.isArray(t) && typeof i === 'number') return (t[i < 0 ? t.length + i : i] as unknown) ?? null;
          return typeof i === 'string' ? memberOf(t, i) : null;
        },
      };
    }
    case 'neg': {
      const a = compile(e.arg, scope);
      if (!isNumeric(a.type) && a.type !== 'timespan') throw new KqlError(`unary minus on a ${a.type}`);
      return { type: a.type, ev: (r) => (typeof a.ev(r) === 'number' ? -(a.ev(r) as number) : null) };
    }
    case 'in':
      return compileIn(e, scope);
    case 'between': {
      const v = compile(e.left, scope);
      const low = compile(e.low, scope);
      const high = compile(e.high, scope);
      const negated = e.negated;
      return {
        type: 'bool',
        ev: (r) => {
          const x = v.ev(r);
          const lo = low.ev(r);
          const hi = high.ev(r);
          if (x === null || lo === null || hi === null) return false;
          const inside = compareValues(x, lo) >= 0 && compareValues(x, hi) <= 0;
          return negated ? !inside : inside;
        },
      };
    }
    case 'binary':
      return compileBinary(e.op, compile(e.left, scope), compile(e.right, scope));
    case 'call':
      return compileCall(e, scope);
  }
}

function memberOf(target: unknown, name: string): unknown {
  let t = target;
  if (typeof t === 'string') {
    try {
      t = JSON.parse(t);
    } catch {
      return null;
    }
  }
  if (t && typeof t === 'object' && !Array.isArray(t) && Object.prototype.hasOwnProperty.call(t, name)) return (t as Record<string, unknown>)[name] ?? null;
  return null;
}

function compileIn(e: Extract<Expr, { k: 'in' }>, scope: Scope): Compiled {
  const left = compile(e.left, scope);
  const items = e.list.map((x) => compile(x, scope));
  const ci = e.caseInsensitive;
  const norm = (v: unknown): unknown => (ci && typeof v === 'string' ? v.toLowerCase() : v);
  const negated = e.negated;
  const allConstant = e.list.every((x) => x.k === 'lit');
  const constants = allConstant ? new Set(items.map((i) => norm(i.ev({})))) : undefined;
  return {
    type: 'bool',
    ev: (r) => {
      const v = left.ev(r);
      if (v === null || v === undefined) return negated;
      const x = norm(v);
      const found = constants ? constants.has(x) : items.some((i) => norm(i.ev(r)) === x);
      return negated ? !found : found;
    },
  };
}

function textOf(v: unknown, type: KqlType): string {
  return kqlToString(v, type);
}

function hasTerm(haystack: string, needle: string): boolean {
  if (needle === '') return true;
  const isWordChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9]/.test(c);
  let from = 0;
  for (;;) {
    const i = haystack.indexOf(needle, from);
    if (i < 0) return false;
    const before = haystack[i - 1];
    const after = haystack[i + needle.length];
    const startOk = !isWordChar(needle[0]) || !isWordChar(before);
    const endOk = !isWordChar(needle[needle.length - 1]) || !isWordChar(after);
    if (startOk && endOk) return true;
    from = i + 1;
  }
}

function compileBinary(op: string, a: Compiled, b: Compiled): Compiled {
  const bool = (ev: (x: unknown, y: unknown) => boolean, nullResult = false): Compiled => ({
    type: 'bool',
    ev: (r) => {
      const x = a.ev(r);
      const y = b.ev(r);
      if (x === null || x === undefined || y === null || y === undefined) return nullResult;
      return ev(x, y);
    },
  });
  switch (op) {
    case 'and':
      return { type: 'bool', ev: (r) => truthy(a.ev(r)) && truthy(b.ev(r)) };
    case 'or':
      return { type: 'bool', ev: (r) => truthy(a.ev(r)) || truthy(b.ev(r)) };
    case '==':
      return bool((x, y) => (typeof x === 'object' || typeof y === 'object' ? JSON.stringify(x) === JSON.stringify(y) : x === y));
    case '!=':
      return bool((x, y) => (typeof x === 'object' || typeof y === 'object' ? JSON.stringify(x) !== JSON.stringify(y) : x !== y));
    case '<':
      return bool((x, y) => compareValues(x, y) < 0);
    case '>':
      return bool((x, y) => compareValues(x, y) > 0);
    case '<=':
      return bool((x, y) => compareValues(x, y) <= 0);
    case '>=':
      return bool((x, y) => compareValues(x, y) >= 0);
    case '=~':
      return bool((x, y) => textOf(x, a.type).toLowerCase() === textOf(y, b.type).toLowerCase());
    case '!~':
      return bool((x, y) => textOf(x, a.type).toLowerCase() !== textOf(y, b.type).toLowerCase());
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      return compileArithmetic(op, a, b);
  }
  const negated = op.startsWith('!');
  const name = negated ? op.slice(1) : op;
  const caseSensitive = name.endsWith('_cs');
  const base = caseSensitive ? name.slice(0, -3) : name;
  const fold = (s: string): string => (caseSensitive ? s : s.toLowerCase());
  const test: (h: string, n: string) => boolean =
    base === 'has' ? hasTerm
    : base === 'contains' ? (h, n) => h.includes(n)
    : base === 'startswith' ? (h, n) => h.startsWith(n)
    : (h, n) => h.endsWith(n);
  return {
    type: 'bool',
    ev: (r) => {
      const result = test(fold(textOf(a.ev(r), a.type)), fold(textOf(b.ev(r), b.type)));
      return negated ? !result : result;
    },
  };
}

function compileArithmetic(op: string, a: Compiled, b: Compiled): Compiled {
  let type: KqlType;
  const ta = a.type;
  const tb = b.type;
  if (ta === 'datetime' && tb === 'timespan' && (op === '+' || op === '-')) type = 'datetime';
  else if (ta === 'timespan' && tb === 'datetime' && op === '+') type = 'datetime';
  else if (ta === 'datetime' && tb === 'datetime' && op === '-') type = 'timespan';
  else if (ta === 'timespan' && tb === 'timespan' && (op === '+' || op === '-')) type = 'timespan';
  else if (ta === 'timespan' && tb === 'timespan' && op === '/') type = 'real';
  else if (ta === 'timespan' && isNumeric(tb) && (op === '*' || op === '/')) type = 'timespan';
  else if (isNumeric(ta) && tb === 'timespan' && op === '*') type = 'timespan';
  else if (isNumeric(ta) && isNumeric(tb)) type = ta === 'real' || tb === 'real' ? 'real' : ta === 'long' || tb === 'long' ? 'long' : 'int';
  else throw new KqlError(`'${op}' between a ${ta} and a ${tb}${ta === 'string' ? ' (use strcat)' : ''}`);
  const integer = type === 'int' || type === 'long';
  return {
    type,
    ev: (r) => {
      const x = a.ev(r);
      const y = b.ev(r);
      if (typeof x !== 'number' || typeof y !== 'number') return null;
      switch (op) {
        case '+':
          return x + y;
        case '-':
          return x - y;
        case '*':
          return x * y;
        case '/':
          if (y === 0) return null;
          return integer ? Math.trunc(x / y) : x / y;
        default:
          return y === 0 ? null : x % y;
      }
    },
  };
}

function compileCall(e: Extract<Expr, { k: 'call' }>, scope: Scope): Compiled {
  if (AGGREGATES.has(e.name)) throw new KqlError(`aggregation '${e.name}()' outside summarize`);
  const args = e.args.map((a) => compile(a, scope));
  const arity = (min: number, max = min): void => {
    if (args.length < min || args.length > max) throw new KqlError(`${e.name}() with ${args.length} argument(s)`);
  };
  const a0 = args[0];
  const a1 = args[1];
  const now = scope.now;
  switch (e.name) {
    case 'ago': {
      arity(1);
      if (a0.type !== 'timespan') throw new KqlError('ago() of something that is not a timespan');
      return { type: 'datetime', ev: (r) => now - (a0.ev(r) as number) };
    }
    case 'now': {
      arity(0, 1);
      if (args.length && a0.type !== 'timespan') throw new KqlError('now() with an offset that is not a timespan');
      return { type: 'datetime', ev: (r) => now + (args.length ? (a0.ev(r) as number) : 0) };
    }
    case 'tostring':
      arity(1);
      return { type: 'string', ev: (r) => kqlToString(a0.ev(r), a0.type) };
    case 'todynamic':
    case 'parse_json':
      arity(1);
      return {
        type: 'dynamic',
        ev: (r) => {
          const v = a0.ev(r);
          if (typeof v !== 'string') return toDynamic(v, a0.type);
          try {
            return JSON.parse(v) as unknown;
          } catch {
            return v;
          }
        },
      };
    case 'toint':
    case 'tolong':
    case 'toreal':
    case 'todouble': {
      arity(1);
      const integer = e.name === 'toint' || e.name === 'tolong';
      return {
        type: e.name === 'toint' ? 'int' : e.name === 'tolong' ? 'long' : 'real',
        ev: (r) => {
          const v = a0.ev(r);
          const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'boolean' ? Number(v) : NaN;
          if (Number.isNaN(n)) return null;
          return integer ? Math.trunc(n) : n;
        },
      };
    }
    case 'tobool':
      arity(1);
      return {
        type: 'bool',
        ev: (r) => {
          const v = a0.ev(r);
          if (typeof v === 'boolean') return v;
          if (typeof v === 'number') return v !== 0;
          if (typeof v === 'string') return v.toLowerCase() === 'true' ? true : v.toLowerCase() === 'false' ? false : null;
          return null;
        },
      };
    case 'todatetime':
      arity(1);
      return {
        type: 'datetime',
        ev: (r) => {
          const v = a0.ev(r);
          if (typeof v === 'number' && a0.type === 'datetime') return v;
          if (typeof v !== 'string') return null;
          const ms = Date.parse(v);
          return Number.isNaN(ms) ? null : ms;
        },
      };
    case 'bin':
    case 'floor': {
      arity(2);
      const ok = (a0.type === 'datetime' && a1.type === 'timespan') || (a0.type === 'timespan' && a1.type === 'timespan') || (isNumeric(a0.type) && isNumeric(a1.type));
      if (!ok) throw new KqlError(`${e.name}() of a ${a0.type} by a ${a1.type}`);
      return {
        type: a0.type,
        ev: (r) => {
          const v = a0.ev(r);
          const size = a1.ev(r);
          if (typeof v !== 'number' || typeof size !== 'number' || size <= 0) return null;
          return Math.floor(v / size) * size;
        },
      };
    }
    case 'startofday':
      arity(1);
      if (a0.type !== 'datetime') throw new KqlError('startofday() of something that is not a datetime');
      return { type: 'datetime', ev: (r) => (typeof a0.ev(r) === 'number' ? Math.floor((a0.ev(r) as number) / DAY) * DAY : null) };
    case 'isempty':
    case 'isnotempty':
    case 'isnull':
    case 'isnotnull': {
      arity(1);
      const empty = e.name === 'isempty' || e.name === 'isnotempty';
      const positive = e.name === 'isempty' || e.name === 'isnull';
      return {
        type: 'bool',
        ev: (r) => {
          const v = a0.ev(r);
          const hit = v === null || v === undefined || (empty && v === '');
          return positive ? hit : !hit;
        },
      };
    }
    case 'strlen':
      arity(1);
      return { type: 'long', ev: (r) => kqlToString(a0.ev(r), a0.type).length };
    case 'tolower':
    case 'toupper': {
      arity(1);
      const lower = e.name === 'tolower';
      return { type: 'string', ev: (r) => (lower ? kqlToString(a0.ev(r), a0.type).toLowerCase() : kqlToString(a0.ev(r), a0.type).toUpperCase()) };
    }
    case 'strcat':
      if (args.length < 1) throw new KqlError('strcat() without arguments');
      return { type: 'string', ev: (r) => args.map((a) => kqlToString(a.ev(r), a.type)).join('') };
    case 'not':
      arity(1);
      return { type: 'bool', ev: (r) => !truthy(a0.ev(r)) };
    case 'iff':
    case 'iif': {
      arity(3);
      const a2 = args[2];
      return { type: a1.type, ev: (r) => (truthy(a0.ev(r)) ? a1.ev(r) : a2.ev(r)) };
    }
    case 'coalesce':
      if (args.length < 1) throw new KqlError('coalesce() without arguments');
      return {
        type: a0.type,
        ev: (r) => {
          for (const a of args) {
            const v = a.ev(r);
            if (v !== null && v !== undefined) return v;
          }
          return null;
        },
      };
    case 'pack_array':
      if (args.length === 0) throw new KqlError('pack_array() with no arguments');
      return { type: 'dynamic', ev: (r) => args.map((a) => toDynamic(a.ev(r), a.type)) };
    case 'array_length':
      arity(1);
      return { type: 'long', ev: (r) => (Array.isArray(a0.ev(r)) ? (a0.ev(r) as unknown[]).length : null) };
    case 'ipv4_is_private':
      arity(1);
      return {
        type: 'bool',
        ev: (r) => {
          const v = a0.ev(r);
          return typeof v === 'string' ? /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(v) : null;
        },
      };
    default:
      throw new KqlError(`function '${e.name}'`);
  }
}
