// Tokenizer and parser for the small subset of KQL the simulated tenant evaluates (the shapes the product
// sends, plus a few common operators). Anything outside the subset raises KqlError naming the construct.

export type KqlType = 'string' | 'int' | 'long' | 'real' | 'bool' | 'datetime' | 'timespan' | 'dynamic';

export type Expr =
  | { k: 'lit'; type: KqlType; value: unknown }
  | { k: 'ident'; name: string; pos: number }
  | { k: 'call'; name: string; args: Expr[]; pos: number }
  | { k: 'member'; target: Expr; name: string }
  | { k: 'index'; target: Expr; index: Expr }
  | { k: 'neg'; arg: Expr }
  | { k: 'binary'; op: string; left: Expr; right: Expr }
  | { k: 'in'; negated: boolean; caseInsensitive: boolean; left: Expr; list: Expr[] }
  | { k: 'between'; negated: boolean; left: Expr; low: Expr; high: Expr };

export interface NamedExpr {
  name?: string;
  expr: Expr;
}

export interface SortKey {
  expr: Expr;
  desc: boolean;
  nullsFirst: boolean;
}

export type Operator =
  | { op: 'where'; predicate: Expr }
  | { op: 'project'; columns: NamedExpr[] }
  | { op: 'project-away'; names: string[] }
  | { op: 'project-rename'; renames: { to: string; from: string }[] }
  | { op: 'extend'; columns: NamedExpr[] }
  | { op: 'mv-expand'; items: NamedExpr[] }
  | { op: 'summarize'; aggregates: NamedExpr[]; by: NamedExpr[] }
  | { op: 'order'; keys: SortKey[] }
  | { op: 'take'; count: number }
  | { op: 'top'; count: number; key: SortKey }
  | { op: 'count' }
  | { op: 'distinct'; names: string[] }
  | { op: 'join'; kind: string; right: Tabular; on: { left: string; right: string }[] };

export interface Tabular {
  source: { k: 'table'; name: string; pos: number } | { k: 'sub'; query: Tabular };
  ops: Operator[];
}

export interface LetStatement {
  name: string;
  scalar?: Expr;
  tabular?: Tabular;
}

export interface KqlQuery {
  lets: LetStatement[];
  body: Tabular;
}

/** A query outside the subset, or malformed. `detail` names the operator, function or token. */
export class KqlError extends Error {
  constructor(readonly detail: string) {
    super(`The simulated tenant does not understand this query: ${detail}`);
    this.name = 'KqlError';
  }
}

type TokenType = 'id' | 'str' | 'num' | 'span' | 'dt' | 'punct' | 'eof';
interface Token {
  t: TokenType;
  v: string;
  n?: number;
  pos: number;
}

const DASHED = new Set(['mv', 'project', 'make', 'top', 'parse']);
const PUNCT2 = ['==', '!=', '<=', '>=', '=~', '!~', '..'];
const PUNCT1 = '|(),=<>.[]+-*/%;!~:{}';
const SPAN_UNITS: Record<string, number> = {
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000,
  s: 1000, sec: 1000, second: 1000, seconds: 1000,
  ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
};

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const isIdStart = (c: string): boolean => /[A-Za-z_$]/.test(c);
  const isId = (c: string): boolean => /[A-Za-z0-9_]/.test(c);
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const pos = i;
    if (c === '"' || c === "'" || (c === '@' && (text[i + 1] === '"' || text[i + 1] === "'"))) {
      const verbatim = c === '@';
      if (verbatim) i++;
      const quote = text[i];
      i++;
      let value = '';
      for (;;) {
        if (i >= text.length) throw new KqlError(`unterminated string starting at position ${pos}`);
        const ch = text[i];
        if (ch === quote) {
          i++;
          break;
        }
        if (ch === '\\' && !verbatim) {
          const next = text[i + 1] ?? '';
          value += ({ n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" } as Record<string, string>)[next] ?? next;
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
      tokens.push({ t: 'str', v: value, pos });
      continue;
    }
    if (/\d/.test(c)) {
      let j = i;
      while (j < text.length && /\d/.test(text[j])) j++;
      if (text[j] === '.' && /\d/.test(text[j + 1] ?? '')) {
        j++;
        while (j < text.length && /\d/.test(text[j])) j++;
      }
      const num = Number(text.slice(i, j));
      let k = j;
      while (k < text.length && /[A-Za-z]/.test(text[k])) k++;
      const unit = text.slice(j, k);
      if (unit) {
        const factor = SPAN_UNITS[unit.toLowerCase()];
        if (factor === undefined) throw new KqlError(`timespan unit '${unit}' at position ${pos}`);
        tokens.push({ t: 'span', v: text.slice(i, k), n: num * factor, pos });
      } else {
        tokens.push({ t: 'num', v: text.slice(i, j), n: num, pos });
      }
      i = k;
      continue;
    }
    if (isIdStart(c)) {
      let j = i + 1;
      while (j < text.length && isId(text[j])) j++;
      let word = text.slice(i, j);
      if (DASHED.has(word) && text[j] === '-' && /[a-z]/.test(text[j + 1] ?? '')) {
        let k = j + 1;
        while (k < text.length && isId(text[k])) k++;
        word = text.slice(i, k);
        j = k;
      }
      if (word === 'datetime') {
        let k = j;
        while (/\s/.test(text[k] ?? '')) k++;
        if (text[k] === '(') {
          const close = text.indexOf(')', k);
          if (close < 0) throw new KqlError(`unterminated datetime() at position ${pos}`);
          tokens.push({ t: 'dt', v: text.slice(k + 1, close).trim().replace(/^["']|["']$/g, ''), pos });
          i = close + 1;
          continue;
        }
      }
      tokens.push({ t: 'id', v: word, pos });
      i = j;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      tokens.push({ t: 'punct', v: two, pos });
      i += 2;
      continue;
    }
    if (PUNCT1.includes(c)) {
      tokens.push({ t: 'punct', v: c, pos });
      i++;
      continue;
    }
    throw new KqlError(`unexpected character '${c}' at position ${pos}`);
  }
  tokens.push({ t: 'eof', v: '', pos: text.length });
  return tokens;
}

const KNOWN_OPERATORS = new Set([
  'where', 'filter', 'project', 'project-away', 'project-rename', 'extend', 'mv-expand', 'summarize', 'order', 'sort',
  'take', 'limit', 'top', 'count', 'distinct', 'join',
]);
/** Functions whose arguments the parser cannot even read (`*`, array literals): refused by name up front. */
const UNSUPPORTED_FUNCTIONS = new Set(['dynamic', 'pack', 'bag_pack', 'pack_all', 'arg_max', 'arg_min', 'take_anyif']);
const STRING_OPERATORS = new Set(['has', 'has_cs', 'contains', 'contains_cs', 'startswith', 'startswith_cs', 'endswith', 'endswith_cs']);

class Parser {
  private i = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly isTable: (name: string) => boolean,
  ) {}

  private get tok(): Token {
    return this.tokens[this.i];
  }

  private peek(offset = 1): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.tok;
    if (t.t !== 'eof') this.i++;
    return t;
  }

  private isPunct(v: string): boolean {
    return this.tok.t === 'punct' && this.tok.v === v;
  }

  private isWord(v: string): boolean {
    return this.tok.t === 'id' && this.tok.v === v;
  }

  private fail(what = 'this'): never {
    const t = this.tok;
    if (t.t === 'eof') throw new KqlError(`the query ends where ${what} was expected`);
    throw new KqlError(`unexpected '${t.v.slice(0, 40)}' at position ${t.pos} (expected ${what})`);
  }

  private expectPunct(v: string): void {
    if (!this.isPunct(v)) this.fail(`'${v}'`);
    this.i++;
  }

  private expectWord(v: string): void {
    if (!this.isWord(v)) this.fail(`'${v}'`);
    this.i++;
  }

  private ident(what = 'a name'): string {
    if (this.tok.t !== 'id') this.fail(what);
    return this.next().v;
  }

  parseQuery(): KqlQuery {
    const lets: LetStatement[] = [];
    const tabularLets = new Set<string>();
    while (this.isWord('let')) {
      this.i++;
      const name = this.ident('a let name');
      this.expectPunct('=');
      if (this.tok.t === 'id' && (this.isTable(this.tok.v) || tabularLets.has(this.tok.v)) && !this.isPunctAt(1, '(')) {
        lets.push({ name, tabular: this.parseTabular() });
        tabularLets.add(name);
      } else {
        lets.push({ name, scalar: this.parseExpr() });
      }
      this.expectPunct(';');
    }
    const body = this.parseTabular();
    while (this.isPunct(';')) this.i++;
    if (this.tok.t !== 'eof') this.fail("'|' or the end of the query");
    return { lets, body };
  }

  private isPunctAt(offset: number, v: string): boolean {
    const t = this.peek(offset);
    return t.t === 'punct' && t.v === v;
  }

  private parseTabular(): Tabular {
    let source: Tabular['source'];
    if (this.isPunct('(')) {
      this.i++;
      source = { k: 'sub', query: this.parseTabular() };
      this.expectPunct(')');
    } else {
      const t = this.tok;
      if (t.t !== 'id') this.fail('a table name');
      this.i++;
      source = { k: 'table', name: t.v, pos: t.pos };
    }
    const ops: Operator[] = [];
    while (this.isPunct('|')) {
      this.i++;
      ops.push(this.parseOperator());
    }
    return { source, ops };
  }

  private parseOperator(): Operator {
    const t = this.tok;
    if (t.t !== 'id') this.fail('an operator');
    if (!KNOWN_OPERATORS.has(t.v)) throw new KqlError(`operator '${t.v}'`);
    this.i++;
    switch (t.v) {
      case 'where':
      case 'filter':
        return { op: 'where', predicate: this.parseExpr() };
      case 'project':
        return { op: 'project', columns: this.parseNamedList() };
      case 'project-away':
        return { op: 'project-away', names: this.parseNameList() };
      case 'project-rename': {
        const renames: { to: string; from: string }[] = [];
        do {
          const to = this.ident('a column name');
          this.expectPunct('=');
          renames.push({ to, from: this.ident('a column name') });
        } while (this.eatComma());
        return { op: 'project-rename', renames };
      }
      case 'extend':
        return { op: 'extend', columns: this.parseNamedList() };
      case 'mv-expand':
        if (this.isWord('kind') || this.isWord('bagexpansion') || this.isWord('with_itemindex')) throw new KqlError(`mv-expand option '${this.tok.v}'`);
        return { op: 'mv-expand', items: this.parseNamedList() };
      case 'summarize': {
        const aggregates = this.isWord('by') ? [] : this.parseNamedList();
        let by: NamedExpr[] = [];
        if (this.isWord('by')) {
          this.i++;
          by = this.parseNamedList();
        }
        return { op: 'summarize', aggregates, by };
      }
      case 'order':
      case 'sort': {
        this.expectWord('by');
        const keys: SortKey[] = [];
        do keys.push(this.parseSortKey());
        while (this.eatComma());
        return { op: 'order', keys };
      }
      case 'take':
      case 'limit':
        return { op: 'take', count: this.parseCount() };
      case 'top': {
        const count = this.parseCount();
        this.expectWord('by');
        return { op: 'top', count, key: this.parseSortKey() };
      }
      case 'count':
        return { op: 'count' };
      case 'distinct':
        return { op: 'distinct', names: this.parseNameList() };
      default:
        return this.parseJoin();
    }
  }

  private parseJoin(): Operator {
    let kind = 'innerunique';
    while (this.tok.t === 'id' && this.isPunctAt(1, '=')) {
      const option = this.next().v;
      this.i++;
      const value = this.ident('a join option value');
      if (option === 'kind') kind = value;
      else throw new KqlError(`join option '${option}'`);
    }
    let right: Tabular;
    if (this.isPunct('(')) {
      this.i++;
      right = this.parseTabular();
      this.expectPunct(')');
    } else {
      const t = this.tok;
      if (t.t !== 'id') this.fail('a table or a subquery in parentheses');
      this.i++;
      right = { source: { k: 'table', name: t.v, pos: t.pos }, ops: [] };
    }
    this.expectWord('on');
    const on: { left: string; right: string }[] = [];
    do {
      if (this.isWord('$left') || this.isWord('$right')) {
        const a = this.parseSide();
        this.expectPunct('==');
        const b = this.parseSide();
        if (a.side === b.side) throw new KqlError('join condition comparing one side with itself');
        on.push(a.side === 'left' ? { left: a.name, right: b.name } : { left: b.name, right: a.name });
      } else {
        const name = this.ident('a join key');
        on.push({ left: name, right: name });
      }
    } while (this.eatComma());
    return { op: 'join', kind, right, on };
  }

  private parseSide(): { side: 'left' | 'right'; name: string } {
    const side = this.next().v === '$left' ? 'left' : 'right';
    this.expectPunct('.');
    return { side, name: this.ident('a column name') };
  }

  private parseCount(): number {
    const t = this.tok;
    if (t.t !== 'num' || !Number.isInteger(t.n)) this.fail('a whole number');
    this.i++;
    return t.n as number;
  }

  private parseSortKey(): SortKey {
    const expr = this.parseExpr();
    let desc = true;
    if (this.isWord('asc') || this.isWord('desc')) desc = this.next().v === 'desc';
    let nullsFirst = !desc;
    if (this.isWord('nulls')) {
      this.i++;
      const where = this.ident("'first' or 'last'");
      if (where !== 'first' && where !== 'last') throw new KqlError(`nulls ${where}`);
      nullsFirst = where === 'first';
    }
    return { expr, desc, nullsFirst };
  }

  private eatComma(): boolean {
    if (!this.isPunct(',')) return false;
    this.i++;
    return true;
  }

  private parseNameList(): string[] {
    const names: string[] = [];
    do names.push(this.ident('a column name'));
    while (this.eatComma());
    return names;
  }

  private parseNamedList(): NamedExpr[] {
    const list: NamedExpr[] = [];
    do {
      if (this.tok.t === 'id' && this.isPunctAt(1, '=')) {
        const name = this.next().v;
        this.i++;
        list.push({ name, expr: this.parseExpr() });
      } else {
        list.push({ expr: this.parseExpr() });
      }
      if (this.isWord('to')) throw new KqlError("mv-expand 'to typeof()'");
    } while (this.eatComma());
    return list;
  }

  parseExpr(): Expr {
    return this.parseOr();
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isWord('or')) {
      this.i++;
      left = { k: 'binary', op: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseComparison();
    while (this.isWord('and')) {
      this.i++;
      left = { k: 'binary', op: 'and', left, right: this.parseComparison() };
    }
    return left;
  }

  private parseComparison(): Expr {
    const left = this.parseAdditive();
    const t = this.tok;
    if (t.t === 'punct' && ['==', '!=', '<', '>', '<=', '>=', '=~', '!~'].includes(t.v)) {
      this.i++;
      return { k: 'binary', op: t.v, left, right: this.parseAdditive() };
    }
    let negated = false;
    if (t.t === 'punct' && t.v === '!' && this.peek().t === 'id') {
      negated = true;
      this.i++;
    }
    const word = this.tok;
    if (word.t !== 'id') {
      if (negated) this.fail('an operator after !');
      return left;
    }
    if (word.v === 'in') {
      this.i++;
      let caseInsensitive = false;
      if (this.isPunct('~')) {
        caseInsensitive = true;
        this.i++;
      }
      this.expectPunct('(');
      const list: Expr[] = [];
      if (!this.isPunct(')')) {
        do list.push(this.parseAdditive());
        while (this.eatComma());
      }
      this.expectPunct(')');
      return { k: 'in', negated, caseInsensitive, left, list };
    }
    if (word.v === 'between') {
      this.i++;
      this.expectPunct('(');
      const low = this.parseAdditive();
      this.expectPunct('..');
      const high = this.parseAdditive();
      this.expectPunct(')');
      return { k: 'between', negated, left, low, high };
    }
    if (STRING_OPERATORS.has(word.v)) {
      this.i++;
      return { k: 'binary', op: (negated ? '!' : '') + word.v, left, right: this.parseAdditive() };
    }
    if (negated || ['matches', 'has_any', 'has_all', 'hasprefix', 'hassuffix', 'like'].includes(word.v)) {
      throw new KqlError(`operator '${negated ? '!' : ''}${word.v}'`);
    }
    return left;
  }

  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    while (this.isPunct('+') || this.isPunct('-')) {
      const op = this.next().v;
      left = { k: 'binary', op, left, right: this.parseMultiplicative() };
    }
    return left;
  }

  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    while (this.isPunct('*') || this.isPunct('/') || this.isPunct('%')) {
      const op = this.next().v;
      left = { k: 'binary', op, left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): Expr {
    if (this.isPunct('-')) {
      this.i++;
      return { k: 'neg', arg: this.parseUnary() };
    }
    return this.parsePostfix();
  }

  private parsePostfix(): Expr {
    let e = this.parsePrimary();
    for (;;) {
      if (this.isPunct('.') && this.peek().t === 'id') {
        this.i++;
        e = { k: 'member', target: e, name: this.next().v };
      } else if (this.isPunct('[')) {
        this.i++;
        const index = this.parseExpr();
        this.expectPunct(']');
        e = { k: 'index', target: e, index };
      } else {
        return e;
      }
    }
  }

  private parsePrimary(): Expr {
    const t = this.tok;
    switch (t.t) {
      case 'str':
        this.i++;
        return { k: 'lit', type: 'string', value: t.v };
      case 'num':
        this.i++;
        return { k: 'lit', type: Number.isInteger(t.n) && !t.v.includes('.') ? 'long' : 'real', value: t.n };
      case 'span':
        this.i++;
        return { k: 'lit', type: 'timespan', value: t.n };
      case 'dt': {
        this.i++;
        const ms = parseKqlDatetime(t.v);
        if (ms === undefined) throw new KqlError(`datetime(${t.v.slice(0, 40)}) is not a valid date`);
        return { k: 'lit', type: 'datetime', value: ms };
      }
      case 'id': {
        this.i++;
        if (t.v === 'true' || t.v === 'false') return { k: 'lit', type: 'bool', value: t.v === 'true' };
        if (this.isPunct('(')) {
          if (UNSUPPORTED_FUNCTIONS.has(t.v)) throw new KqlError(`function '${t.v}'`);
          this.i++;
          const args: Expr[] = [];
          if (!this.isPunct(')')) {
            do args.push(this.parseExpr());
            while (this.eatComma());
          }
          this.expectPunct(')');
          return { k: 'call', name: t.v, args, pos: t.pos };
        }
        return { k: 'ident', name: t.v, pos: t.pos };
      }
      case 'punct':
        if (t.v === '(') {
          this.i++;
          const e = this.parseExpr();
          this.expectPunct(')');
          return e;
        }
        return this.fail('a value');
      default:
        return this.fail('a value');
    }
  }
}

/** Milliseconds since the epoch for the text inside `datetime(...)`, or undefined when it is not a date. */
export function parseKqlDatetime(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?)?(Z|[+-]\d{2}:\d{2})?$/.test(t)) return undefined;
  // KQL datetimes without an offset are UTC.
  const hasZone = t.length > 10 && /(Z|[+-]\d{2}:\d{2})$/.test(t);
  const iso = hasZone ? t : t.length === 10 ? `${t}T00:00:00Z` : `${t}Z`;
  const ms = Date.parse(iso.replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(ms) ? undefined : ms;
}

export function parseKql(text: string, isTable: (name: string) => boolean): KqlQuery {
  return new Parser(tokenize(text), isTable).parseQuery();
}
