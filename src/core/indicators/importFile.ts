// Files a bulk add can start from: the portal's indicator CSV (indicatorType, indicatorValue, action, title,
// description, expirationTime, severity, recommendedActions, rbacGroups, GenerateAlert...), or this product's triage
// export (`ipinv triage --csv` or `--json`), whose addresses take the action and text given on the command line.
// Every row becomes a draft that the same rules check; a row that cannot be read is reported, never guessed. Pure.
import type { AddressResult, IndicatorChoice } from '../../shared/indicatorModel';
import type { TriageVerdict } from '../../shared/triageModel';
import { TRIAGE_VERDICTS } from '../../shared/triageModel';
import { choiceOf, parseGroups, parseSeverity, type IndicatorDraft } from './indicatorRules';

export type ImportFormat = 'portal-csv' | 'triage-csv' | 'triage-json';

/** What the command line gives: defaults for the portal's empty cells, everything for triage files. */
export interface ImportDefaults {
  choice?: IndicatorChoice;
  title?: string;
  description?: string;
  expires?: string;
  severity?: IndicatorDraft['severity'];
  generateAlert?: boolean;
  groups?: string[];
  /** Triage files: only entries with these verdicts. */
  verdicts?: readonly TriageVerdict[];
}

export interface ImportRead {
  format: ImportFormat;
  drafts: IndicatorDraft[];
  /** Rows that could not become a draft (another indicator type, no value, an unknown action...). */
  skipped: AddressResult[];
  /** Short notes (ignored columns, filtered verdicts). */
  notes: string[];
}

const MAX_ROWS = 100_000;

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF; a BOM is ignored. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
      if (rows.length > MAX_ROWS) throw new RangeError(`The file has more than ${MAX_ROWS.toLocaleString('en-US')} rows.`);
    } else field += c;
  }
  if (quoted) throw new RangeError('The CSV ends inside a quoted field.');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Our CSV export guards formula-like cells with a leading apostrophe; read them back without it. */
function unguard(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

function truthy(cell: string | undefined): boolean | undefined {
  if (cell === undefined || cell.trim() === '') return undefined;
  if (/^(true|yes|1)$/i.test(cell.trim())) return true;
  if (/^(false|no|0)$/i.test(cell.trim())) return false;
  return undefined;
}

/** Reads a file's text as one of the three shapes; a RangeError says why it is none of them. */
export function readImportFile(text: string, name: string, defaults: ImportDefaults): ImportRead {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return readTriageJson(trimmed, name, defaults);
  const rows = parseCsv(text);
  if (rows.length === 0) throw new RangeError(`${name} is empty.`);
  const header = rows[0].map((h) => h.trim().toLowerCase());
  if (header.includes('indicatorvalue')) return readPortalCsv(header, rows.slice(1), defaults);
  if (header[0] === 'ip' && header.includes('verdict')) return readTriage('triage-csv', rows.slice(1).map((r) => triageCsvRow(header, r)), name, defaults);
  throw new RangeError(`${name} is neither the portal's indicator CSV (an indicatorValue column) nor an ipinv triage export (CSV or JSON).`);
}

function readPortalCsv(header: string[], rows: string[][], d: ImportDefaults): ImportRead {
  const col = (r: string[], name: string): string | undefined => {
    const i = header.indexOf(name.toLowerCase());
    const v = i >= 0 ? r[i] : undefined;
    return v === undefined ? undefined : unguard(v).trim();
  };
  const drafts: IndicatorDraft[] = [];
  const skipped: AddressResult[] = [];
  const notes: string[] = [];
  if (header.includes('category') || header.includes('mitretechniques')) notes.push('The category and mitretechniques columns are not part of the API body and were not sent.');
  rows.forEach((r, k) => {
    const line = k + 2;
    const value = col(r, 'indicatorValue') ?? '';
    const where = `row ${line}`;
    if (value === '') return skipped.push({ ip: where, outcome: 'refused', reason: `${where}: no indicatorValue.` });
    const type = col(r, 'indicatorType') ?? '';
    if (type.toLowerCase() !== 'ipaddress') return skipped.push({ ip: value.slice(0, 64), outcome: 'refused', reason: `${where}: indicatorType '${type.slice(0, 30)}' is not IpAddress; only IP indicators are imported here.` });
    const actionText = col(r, 'action') ?? '';
    const choice = actionText ? choiceOf(pascal(actionText)) : d.choice;
    if (!choice || pascal(actionText) === 'BlockAndRemediate') {
      return skipped.push({ ip: value.slice(0, 64), outcome: 'refused', reason: `${where}: '${actionText.slice(0, 30)}' is not an action for an IP indicator (Allowed, Audit, Warn or Block).` });
    }
    const severityText = col(r, 'severity');
    const severity = severityText ? parseSeverity(severityText) : d.severity;
    if (severityText && !severity) return skipped.push({ ip: value.slice(0, 64), outcome: 'refused', reason: `${where}: '${severityText.slice(0, 30)}' is not a severity.` });
    const groups = parseGroups(col(r, 'rbacGroups') ?? '');
    if (!groups.ok) return skipped.push({ ip: value.slice(0, 64), outcome: 'refused', reason: `${where}: ${groups.error}` });
    const generateAlert = truthy(col(r, 'GenerateAlert')) ?? d.generateAlert;
    drafts.push({
      ip: value,
      choice,
      title: col(r, 'title') || d.title || '',
      description: col(r, 'description') || d.description || '',
      expires: col(r, 'expirationTime') || d.expires || 'never',
      ...(severity ? { severity } : {}),
      ...(generateAlert !== undefined ? { generateAlert } : {}),
      ...(col(r, 'recommendedActions') ? { recommendedActions: col(r, 'recommendedActions') } : {}),
      groups: groups.groups.length > 0 ? groups.groups : (d.groups ?? []),
    });
    return undefined;
  });
  return { format: 'portal-csv', drafts, skipped, notes };
}

/** `allowed` → `Allowed`: the portal's file is written in Pascal case, users often are not. */
function pascal(s: string): string {
  const t = s.trim().toLowerCase();
  const known: Record<string, string> = { allowed: 'Allowed', allow: 'Allowed', audit: 'Audit', warn: 'Warn', block: 'Block', blockandremediate: 'BlockAndRemediate', alert: 'Alert' };
  return known[t] ?? s.trim();
}

interface TriageRowLike {
  ip: string;
  verdict?: string;
  machines?: number;
  alerts?: number;
  highest?: string;
  file?: string;
}

function triageCsvRow(header: string[], r: string[]): TriageRowLike {
  const get = (name: string): string | undefined => {
    const i = header.indexOf(name);
    return i >= 0 && r[i] !== undefined ? unguard(r[i]).trim() : undefined;
  };
  const num = (name: string): number | undefined => {
    const v = get(name);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  return { ip: get('ip') ?? '', verdict: get('verdict'), machines: num('prevalence'), alerts: num('alerts'), highest: get('highest_severity'), file: get('files')?.split('; ')[0] };
}

function readTriageJson(text: string, name: string, d: ImportDefaults): ImportRead {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new RangeError(`${name} is not valid JSON.`);
  }
  const entries = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as Record<string, unknown>).entries : undefined;
  if ((doc as Record<string, unknown> | null)?.format !== 'ipinv-triage' || !Array.isArray(entries)) {
    throw new RangeError(`${name} is not an ipinv triage export (format ipinv-triage with entries).`);
  }
  const rows: TriageRowLike[] = entries.map((e: unknown) => {
    const o = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
    const sightings = o.sightings as { machines?: unknown } | undefined;
    const alerts = o.alerts as { count?: unknown; highestSeverity?: unknown } | undefined;
    const files = Array.isArray(o.files) ? o.files : [];
    return {
      ip: typeof o.ip === 'string' ? o.ip : '',
      ...(typeof o.verdict === 'string' ? { verdict: o.verdict } : {}),
      ...(typeof sightings?.machines === 'number' ? { machines: sightings.machines } : {}),
      ...(typeof alerts?.count === 'number' ? { alerts: alerts.count } : {}),
      ...(typeof alerts?.highestSeverity === 'string' ? { highest: alerts.highestSeverity } : {}),
      ...(typeof files[0] === 'string' ? { file: files[0] } : {}),
    };
  });
  return readTriage('triage-json', rows, name, d);
}

function readTriage(format: ImportFormat, rows: TriageRowLike[], name: string, d: ImportDefaults): ImportRead {
  if (!d.choice) throw new RangeError(`${name} is a triage export: say what to do with its addresses with --action block|warn|audit|alert|allowed.`);
  const choice = d.choice;
  const drafts: IndicatorDraft[] = [];
  const skipped: AddressResult[] = [];
  const notes: string[] = [];
  const wanted = d.verdicts && d.verdicts.length > 0 ? new Set(d.verdicts) : undefined;
  let filtered = 0;
  for (const r of rows) {
    if (r.ip === '') {
      skipped.push({ ip: '(empty)', outcome: 'refused', reason: 'A row without an address.' });
      continue;
    }
    if (wanted && !(r.verdict && wanted.has(r.verdict as TriageVerdict) && (TRIAGE_VERDICTS as readonly string[]).includes(r.verdict))) {
      filtered++;
      continue;
    }
    drafts.push({
      ip: r.ip,
      choice,
      title: d.title || `From triage of ${name}`.slice(0, 250),
      description: d.description || triageDescription(r),
      expires: d.expires || 'never',
      ...(d.severity ? { severity: d.severity } : {}),
      ...(d.generateAlert !== undefined ? { generateAlert: d.generateAlert } : {}),
      groups: d.groups ?? [],
    });
  }
  if (filtered > 0) notes.push(`${filtered} addresses with other verdicts were left out (--only ${[...(wanted ?? [])].join(',')}).`);
  return { format, drafts, skipped, notes };
}

/** "Triage: seen on 2 machines, 1 alert (highest Medium), in firewall.log". */
export function triageDescription(r: { verdict?: string; machines?: number; alerts?: number; highest?: string; file?: string }): string {
  const parts: string[] = [];
  if (r.machines !== undefined) parts.push(`seen on ${r.machines} machine${r.machines === 1 ? '' : 's'}`);
  if (r.alerts !== undefined && r.alerts > 0) parts.push(`${r.alerts} alert${r.alerts === 1 ? '' : 's'}${r.highest ? ` (highest ${r.highest})` : ''}`);
  if (r.file) parts.push(`in ${r.file}`);
  return `Triage: ${parts.length > 0 ? parts.join(', ') : (r.verdict ?? 'no sightings')}`.slice(0, 2_000);
}
