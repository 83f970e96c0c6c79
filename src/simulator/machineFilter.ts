// The OData `$filter` subset of `GET /api/machines` (and, with its own property table, `GET /api/indicators`):
// eq/ne/gt/ge/lt/le on the documented filterable properties, startswith(), tags/any(), and/or/not, parentheses.
// Anything else is an ODataError.
import type { StoryMachine } from './story';

export class ODataFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ODataFilterError';
  }
}

type Value = string | number | boolean | null | { datetime: number };

interface Token {
  t: 'word' | 'str' | 'lit' | 'punct' | 'eof';
  v: string;
  value?: Value;
}

type Kind = 'string' | 'number' | 'datetime' | 'tags' | 'boolean';

/** Filterable properties by lower-case name, with how the simulator reads them from a record. */
export type FilterProperties<T> = Record<string, { kind: Kind; read: (x: T) => unknown }>;

/** The properties Microsoft documents as filterable, with how the simulator reads them. */
const PROPERTIES: FilterProperties<StoryMachine> = {
  computerdnsname: { kind: 'string', read: (m) => m.computerDnsName },
  id: { kind: 'string', read: (m) => m.id },
  version: { kind: 'string', read: (m) => m.version },
  devicevalue: { kind: 'string', read: (m) => m.deviceValue },
  aaddeviceid: { kind: 'string', read: (m) => m.aadDeviceId },
  machinetags: { kind: 'tags', read: (m) => m.machineTags },
  lastseen: { kind: 'datetime', read: (m) => m.lastSeen },
  exposurelevel: { kind: 'string', read: (m) => m.exposureLevel },
  onboardingstatus: { kind: 'string', read: (m) => m.onboardingStatus },
  lastipaddress: { kind: 'string', read: (m) => m.lastIpAddress },
  healthstatus: { kind: 'string', read: (m) => m.healthStatus },
  osplatform: { kind: 'string', read: (m) => m.osPlatform },
  riskscore: { kind: 'string', read: (m) => m.riskScore },
  rbacgroupid: { kind: 'number', read: (m) => m.rbacGroupId },
};

const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?)?(Z|[+-]\d{2}:\d{2})?$/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new ODataFilterError('Invalid $filter: unterminated string literal.');
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      tokens.push({ t: 'str', v: value, value });
      continue;
    }
    if (/[0-9-]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[0-9TZ:.+-]/.test(text[j])) j++;
      const raw = text.slice(i, j);
      if (DATE.test(raw)) {
        const ms = Date.parse(raw.length === 10 ? `${raw}T00:00:00Z` : /Z$|[+-]\d{2}:\d{2}$/.test(raw) ? raw : `${raw}Z`);
        if (Number.isNaN(ms)) throw new ODataFilterError(`Invalid $filter: '${raw}' is not a valid date.`);
        tokens.push({ t: 'lit', v: raw, value: { datetime: ms } });
      } else if (/^-?\d+(\.\d+)?$/.test(raw)) {
        tokens.push({ t: 'lit', v: raw, value: Number(raw) });
      } else {
        throw new ODataFilterError(`Invalid $filter: unexpected '${raw.slice(0, 40)}'.`);
      }
      i = j;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_/]/.test(text[j])) j++;
      const word = text.slice(i, j);
      if (/^(true|false|null)$/i.test(word)) {
        tokens.push({ t: 'lit', v: word, value: word.toLowerCase() === 'null' ? null : word.toLowerCase() === 'true' });
      } else {
        tokens.push({ t: 'word', v: word });
      }
      i = j;
      continue;
    }
    if ('(),:'.includes(c)) {
      tokens.push({ t: 'punct', v: c });
      i++;
      continue;
    }
    throw new ODataFilterError(`Invalid $filter: unexpected character '${c}'.`);
  }
  tokens.push({ t: 'eof', v: '' });
  return tokens;
}

type Predicate<T = StoryMachine> = (m: T) => boolean;
const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

class FilterParser<T> {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly properties: FilterProperties<T>,
  ) {}

  private get tok(): Token {
    return this.tokens[this.i];
  }

  private isWord(v: string): boolean {
    return this.tok.t === 'word' && this.tok.v.toLowerCase() === v;
  }

  private expect(v: string): void {
    if (this.tok.t !== 'punct' || this.tok.v !== v) this.fail(`'${v}'`);
    this.i++;
  }

  private fail(expected: string): never {
    const t = this.tok;
    throw new ODataFilterError(t.t === 'eof' ? `Invalid $filter: the expression ends where ${expected} was expected.` : `Invalid $filter: unexpected '${t.v.slice(0, 40)}' (expected ${expected}).`);
  }

  parse(): Predicate<T> {
    const p = this.parseOr();
    if (this.tok.t !== 'eof') this.fail("'and', 'or' or the end");
    return p;
  }

  private parseOr(): Predicate<T> {
    let left = this.parseAnd();
    while (this.isWord('or')) {
      this.i++;
      const a = left;
      const b = this.parseAnd();
      left = (m) => a(m) || b(m);
    }
    return left;
  }

  private parseAnd(): Predicate<T> {
    let left = this.parseUnary();
    while (this.isWord('and')) {
      this.i++;
      const a = left;
      const b = this.parseUnary();
      left = (m) => a(m) && b(m);
    }
    return left;
  }

  private parseUnary(): Predicate<T> {
    if (this.isWord('not')) {
      this.i++;
      const p = this.parseUnary();
      return (m) => !p(m);
    }
    if (this.tok.t === 'punct' && this.tok.v === '(') {
      this.i++;
      const p = this.parseOr();
      this.expect(')');
      return p;
    }
    return this.parseTerm();
  }

  private property(name: string): { kind: Kind; read: (m: T) => unknown } {
    const p = this.properties[name.toLowerCase()];
    if (!p) {
      const hint = name.toLowerCase() === 'lastexternalipaddress' ? ' (it is not filterable: list the machines and compare client-side, or use advanced hunting)' : '';
      throw new ODataFilterError(`Invalid $filter: the property '${name}' cannot be used in a filter${hint}.`);
    }
    return p;
  }

  private literal(): Value {
    const t = this.tok;
    if (t.t !== 'str' && t.t !== 'lit') this.fail('a literal value');
    this.i++;
    return t.value as Value;
  }

  private parseTerm(): Predicate<T> {
    const t = this.tok;
    if (t.t !== 'word') this.fail('a property or a function');
    this.i++;
    const fn = t.v.toLowerCase();
    if (fn === 'startswith' || fn === 'endswith' || fn === 'contains') {
      this.expect('(');
      const prop = this.property(this.wordValue());
      this.expect(',');
      const value = this.literal();
      this.expect(')');
      if (prop.kind !== 'string' || typeof value !== 'string') throw new ODataFilterError(`Invalid $filter: ${fn}() needs a text property and a string literal.`);
      const needle = value.toLowerCase();
      return (m) => {
        const raw = prop.read(m);
        const v = typeof raw === 'string' ? raw.toLowerCase() : '';
        return fn === 'startswith' ? v.startsWith(needle) : fn === 'endswith' ? v.endsWith(needle) : v.includes(needle);
      };
    }
    const slash = t.v.indexOf('/');
    if (slash >= 0) {
      // machineTags/any(tag: tag eq 'x')
      const prop = this.property(t.v.slice(0, slash));
      if (t.v.slice(slash + 1).toLowerCase() !== 'any' || prop.kind !== 'tags') throw new ODataFilterError(`Invalid $filter: '${t.v}' is not supported.`);
      this.expect('(');
      const variable = this.wordValue();
      this.expect(':');
      if (this.wordValue() !== variable) this.fail(`'${variable}'`);
      if (!this.isWord('eq')) this.fail("'eq'");
      this.i++;
      const value = this.literal();
      this.expect(')');
      if (typeof value !== 'string') throw new ODataFilterError('Invalid $filter: tags compare with a string literal.');
      return (m) => (prop.read(m) as string[]).some((tag) => tag.toLowerCase() === value.toLowerCase());
    }
    const prop = this.property(t.v);
    const opToken = this.tok;
    if (opToken.t !== 'word' || !COMPARISONS.has(opToken.v.toLowerCase())) this.fail("a comparison ('eq', 'ne', 'gt', 'ge', 'lt', 'le')");
    this.i++;
    const op = opToken.v.toLowerCase();
    const value = this.literal();
    return comparison(t.v, prop, op, value);
  }

  private wordValue(): string {
    const t = this.tok;
    if (t.t !== 'word') this.fail('a name');
    this.i++;
    return t.v;
  }
}

function comparison<T>(name: string, prop: { kind: Kind; read: (m: T) => unknown }, op: string, value: Value): Predicate<T> {
  const ordered = (cmp: number): boolean =>
    op === 'eq' ? cmp === 0 : op === 'ne' ? cmp !== 0 : op === 'gt' ? cmp > 0 : op === 'ge' ? cmp >= 0 : op === 'lt' ? cmp < 0 : cmp <= 0;
  switch (prop.kind) {
    case 'string': {
      if (value !== null && typeof value !== 'string') throw new ODataFilterError(`Invalid $filter: '${name}' compares with a string literal in quotes.`);
      if (op !== 'eq' && op !== 'ne') throw new ODataFilterError(`Invalid $filter: '${op}' is not supported on '${name}'.`);
      const wanted = value === null ? null : value.toLowerCase();
      return (m) => {
        const v = prop.read(m);
        const same = wanted === null ? v === null || v === undefined : typeof v === 'string' && v.toLowerCase() === wanted;
        return op === 'eq' ? same : !same;
      };
    }
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
      if (Number.isNaN(n)) throw new ODataFilterError(`Invalid $filter: '${name}' compares with a number.`);
      return (m) => ordered((prop.read(m) as number) - n);
    }
    case 'datetime': {
      if (value === null || typeof value !== 'object') throw new ODataFilterError(`Invalid $filter: '${name}' compares with a date such as 2024-01-01T00:00:00Z.`);
      return (m) => ordered((prop.read(m) as number) - value.datetime);
    }
    case 'boolean': {
      if (typeof value !== 'boolean' || (op !== 'eq' && op !== 'ne')) throw new ODataFilterError(`Invalid $filter: '${name}' compares with true or false.`);
      return (m) => (prop.read(m) === value) === (op === 'eq');
    }
    case 'tags': {
      if (typeof value !== 'string' || (op !== 'eq' && op !== 'ne')) throw new ODataFilterError(`Invalid $filter: use ${name}/any(t: t eq 'value').`);
      return (m) => (prop.read(m) as string[]).some((tag) => tag.toLowerCase() === value.toLowerCase()) === (op === 'eq');
    }
  }
}

/** A predicate for `$filter` text; throws ODataFilterError with a message naming the problem. */
export function parseMachineFilter(text: string): Predicate {
  return parseODataFilter(text, PROPERTIES);
}

/** A predicate for `$filter` text over records described by `properties`. */
export function parseODataFilter<T>(text: string, properties: FilterProperties<T>): Predicate<T> {
  if (text.length > 4000) throw new ODataFilterError('Invalid $filter: the expression is too long.');
  return new FilterParser(tokenize(text), properties).parse();
}
