// The case export: everything one workspace investigated in one tenant, for the ticket. The addresses with the
// analyst's verdicts and notes, what Defender said about each (machines, alerts), the hunting queries behind it, and
// the latest triage's summary; as a Markdown report and as a JSON document (`format` + `version`, so a consumer can
// check what it reads). Built from the history and the triage results only: no request. Pure (no vscode).
import { ANALYST_VERDICTS, VERDICT_LABELS, annotationDay, type AnalystVerdict, type Annotation } from '../../shared/annotation';
import { LOOKBACK_DAYS, type Investigation, type Lookback } from '../../shared/investigation';
import { escapeMarkdown, escapeMarkdownInline } from '../../shared/markdown';
import type { AuditEntry } from '../../shared/indicatorModel';
import { TRIAGE_VERDICTS, type ExecutedQuery, type TriageCounts, type TriageEntry, type TriageReport } from '../../shared/triageModel';
import { dailyPrevalenceQuery, observedMachinesQuery, timelineQuery } from '../hunting/huntingQueries';
import { markdownTable } from '../../shared/markdown';
import { renderAuditMarkdown } from '../indicators/auditTrail';
import { fenced } from '../triage/exportMarkdown';
import type { HistoryEntry, TenantInfo } from './historyModel';

export const CASE_JSON_FORMAT = 'ipinv-case';
export const CASE_JSON_VERSION = 1;

/** The indicator audit trail (the writes to the tenant's indicators and who confirmed them), as the case shows it. */
export interface CaseAuditTrail {
  /** The section's Markdown body, already escaped by its renderer. */
  markdown: string;
  /** The write events as plain JSON values. */
  events: readonly unknown[];
}

/**
 * The case's indicator audit trail: the writes this workspace made to the tenant's indicators (who, when, what, the
 * request ids), rendered by the audit trail's own renderer. Only the tenant's own: a demo case gets the demo writes, a
 * real tenant's case the writes recorded with its tenant id (a write recorded without one cannot be placed, so it is
 * left out rather than shown in the wrong ticket).
 */
export function caseAuditTrail(tenant: TenantInfo, entries: readonly AuditEntry[]): CaseAuditTrail | undefined {
  const demo = tenant.mode === 'demo';
  const mine = entries.filter((e) => (demo ? e.demo : !e.demo && e.tenant !== undefined && e.tenant === tenant.tenantId));
  if (mine.length === 0) return undefined;
  return { markdown: renderAuditMarkdown(mine, { heading: '', limit: 500 }), events: mine.map((e) => structuredClone(e)) };
}

export interface CaseInput {
  generatedAt: string;
  tenant: TenantInfo;
  /** How the tenant is named to the reader ("Demo tenant (simulated data)", "contoso.onmicrosoft.com, commercial cloud"). */
  tenantLabel: string;
  demo: boolean;
  /** The tenant's history, newest first. */
  entries: readonly HistoryEntry[];
  /** The latest triage of this tenant, with what it read. */
  triage?: { source: string; report: TriageReport };
  auditTrail?: CaseAuditTrail;
}

export interface CaseAlert {
  id: string;
  title: string;
  severity: string;
  status: string;
  created?: string;
  machineId?: string;
  machineName?: string;
}

export interface CaseMachine {
  id: string;
  name: string;
  /** How the machine relates to the address: it talked to it (observed), held it at the time asked, or per triage. */
  relation: 'observed' | 'heldAtTime' | 'triageHolder';
  lastSeen?: string;
  events?: number;
}

export interface CaseAddress {
  ip: string;
  version: 4 | 6;
  ipClass: string;
  internal: boolean;
  verdict?: AnalystVerdict;
  verdictAt?: string;
  note?: string;
  noteAt?: string;
  lookback?: Lookback;
  at?: string;
  firstInvestigatedAt?: string;
  lastInvestigatedAt?: string;
  /** When the data below was fetched from Defender. */
  dataFetchedAt?: string;
  prevalence?: number;
  firstSeen?: string;
  lastSeen?: string;
  alerts: CaseAlert[];
  machines: CaseMachine[];
  /** What the latest triage said about it, when it was in it. */
  triage?: { verdict: string; occurrences: number; files: string[]; alerts?: number; machines?: number };
}

export interface CaseQuery {
  /** `investigation` (the panel's and the tree's hunting queries for one address) or `triage` (batched). */
  from: 'investigation' | 'triage';
  purpose: string;
  address?: string;
  query: string;
}

export interface CaseDocument {
  format: typeof CASE_JSON_FORMAT;
  version: typeof CASE_JSON_VERSION;
  generatedAt: string;
  tenant: TenantInfo & { label: string };
  demo: boolean;
  summary: { addresses: number; investigated: number; byVerdict: Partial<Record<AnalystVerdict, number>>; withNotes: number; machines: number; alerts: number };
  addresses: CaseAddress[];
  queries: CaseQuery[];
  triage: null | {
    source: string;
    lookback: Lookback;
    startedAt: string;
    finishedAt: string;
    cancelled: boolean;
    counts: TriageCounts;
    calls: TriageReport['calls'];
    sources: TriageReport['sources'];
  };
  /** The indicator writes of this tenant from this workspace; null when there were none. */
  auditTrail: null | { events: readonly unknown[] };
}

/** Malicious first, then suspicious, unknown, false positive, benign, unmarked; newest investigation within each. */
const RANK: Record<AnalystVerdict, number> = { malicious: 0, suspicious: 1, unknown: 2, 'false-positive': 3, benign: 4 };

function alertsOf(inv: Investigation | undefined): CaseAlert[] {
  return (inv?.alerts ?? []).map((a) => ({
    id: a.id,
    title: a.title,
    severity: a.severity,
    status: a.status,
    ...(a.alertCreationTime ? { created: a.alertCreationTime } : {}),
    ...(a.machineId ? { machineId: a.machineId } : {}),
    ...(a.computerDnsName ? { machineName: a.computerDnsName } : {}),
  }));
}

function machinesOf(inv: Investigation | undefined, triage: TriageEntry | undefined): CaseMachine[] {
  const out = new Map<string, CaseMachine>();
  for (const m of inv?.machines ?? []) out.set(m.id, { id: m.id, name: m.name, relation: 'observed', ...(m.lastSeen ? { lastSeen: m.lastSeen } : {}), events: m.events });
  for (const m of inv?.machinesAtTime?.machines ?? []) {
    if (!out.has(m.id)) out.set(m.id, { id: m.id, name: m.computerDnsName ?? m.id, relation: 'heldAtTime', ...(m.lastSeen ? { lastSeen: m.lastSeen } : {}) });
  }
  for (const h of triage?.holders ?? []) {
    if (!out.has(h.id)) out.set(h.id, { id: h.id, name: h.name, relation: 'triageHolder', ...(h.lastSeen ? { lastSeen: h.lastSeen } : {}) });
  }
  return [...out.values()];
}

function caseAddress(e: HistoryEntry | undefined, t: TriageEntry | undefined, ip: string): CaseAddress {
  const inv = e?.kept?.investigation;
  const a: Annotation | undefined = e?.annotation;
  const facts = inv?.address;
  return {
    ip,
    version: facts?.version ?? t?.version ?? (ip.includes(':') ? 6 : 4),
    ipClass: facts?.ipClass ?? t?.ipClass ?? 'unknown',
    internal: facts?.internal ?? t?.internal ?? false,
    ...(a?.verdict ? { verdict: a.verdict, ...(a.verdictAt ? { verdictAt: a.verdictAt } : {}) } : {}),
    ...(a?.note ? { note: a.note, ...(a.noteAt ? { noteAt: a.noteAt } : {}) } : {}),
    ...(e?.lookback ? { lookback: e.lookback } : {}),
    ...(e?.at ? { at: e.at } : {}),
    ...(e?.firstInvestigatedAt ? { firstInvestigatedAt: e.firstInvestigatedAt } : {}),
    ...(e?.lastInvestigatedAt ? { lastInvestigatedAt: e.lastInvestigatedAt } : {}),
    ...(e?.kept ? { dataFetchedAt: e.kept.fetchedAt } : {}),
    ...(inv?.stats ? { prevalence: inv.stats.prevalence, ...(inv.stats.firstSeen ? { firstSeen: inv.stats.firstSeen } : {}), ...(inv.stats.lastSeen ? { lastSeen: inv.stats.lastSeen } : {}) } : {}),
    alerts: alertsOf(inv),
    machines: machinesOf(inv, t),
    ...(t
      ? {
          triage: {
            verdict: t.verdict,
            occurrences: t.occurrenceCount,
            files: [...t.files],
            ...(t.alerts ? { alerts: t.alerts.count } : {}),
            ...(t.internal ? (t.holders ? { machines: t.holders.length } : {}) : t.sightings ? { machines: t.sightings.machines } : {}),
          },
        }
      : {}),
  };
}

/** The hunting queries behind each kept section (rebuilt from validated values, as the investigation sent them). */
function investigationQueries(e: HistoryEntry): CaseQuery[] {
  const inv = e.kept?.investigation;
  if (!inv) return [];
  const days = LOOKBACK_DAYS[inv.lookback];
  const out: CaseQuery[] = [];
  if (inv.machines) out.push({ from: 'investigation', purpose: 'observed machines', address: e.ip, query: observedMachinesQuery(e.ip, days) });
  if (inv.timeline) out.push({ from: 'investigation', purpose: 'timeline', address: e.ip, query: timelineQuery(e.ip, days) });
  if (inv.daily) out.push({ from: 'investigation', purpose: 'machines per day', address: e.ip, query: dailyPrevalenceQuery(e.ip, days) });
  return out;
}

/** Addresses of the triage worth a line in the case even when nobody investigated them: alerts, seen, or marked. */
function notable(t: TriageEntry): boolean {
  return t.verdict === 'alerts' || t.verdict === 'seen' || (t.holders?.length ?? 0) > 0;
}

export function buildCase(input: CaseInput): CaseDocument {
  const triageByIp = new Map((input.triage?.report.entries ?? []).map((t) => [t.ip, t]));
  const ips = new Set<string>(input.entries.map((e) => e.ip));
  for (const t of input.triage?.report.entries ?? []) if (notable(t)) ips.add(t.ip);
  const byIp = new Map(input.entries.map((e) => [e.ip, e]));
  const addresses = [...ips].map((ip) => caseAddress(byIp.get(ip), triageByIp.get(ip), ip));
  const order = new Map([...ips].map((ip, i) => [ip, i]));
  addresses.sort((a, b) => (a.verdict ? RANK[a.verdict] : 9) - (b.verdict ? RANK[b.verdict] : 9) || (order.get(a.ip) ?? 0) - (order.get(b.ip) ?? 0));
  const byVerdict: Partial<Record<AnalystVerdict, number>> = {};
  for (const a of addresses) if (a.verdict) byVerdict[a.verdict] = (byVerdict[a.verdict] ?? 0) + 1;
  const queries = [
    ...input.entries.flatMap(investigationQueries),
    ...(input.triage?.report.queries ?? []).map((q: ExecutedQuery): CaseQuery => ({ from: 'triage', purpose: `${q.purpose} (${q.addresses} addresses)`, query: q.query })),
  ];
  const r = input.triage?.report;
  return {
    format: CASE_JSON_FORMAT,
    version: CASE_JSON_VERSION,
    generatedAt: input.generatedAt,
    tenant: { ...input.tenant, label: input.tenantLabel },
    demo: input.demo,
    summary: {
      addresses: addresses.length,
      investigated: input.entries.filter((e) => e.lastInvestigatedAt).length,
      byVerdict,
      withNotes: addresses.filter((a) => a.note).length,
      machines: new Set(addresses.flatMap((a) => a.machines.map((m) => m.id))).size,
      alerts: new Set(addresses.flatMap((a) => a.alerts.map((x) => x.id))).size,
    },
    addresses,
    queries,
    triage: r && input.triage ? { source: input.triage.source, lookback: r.lookback, startedAt: r.startedAt, finishedAt: r.finishedAt, cancelled: r.cancelled, counts: r.counts, calls: r.calls, sources: r.sources } : null,
    auditTrail: input.auditTrail ? { events: input.auditTrail.events } : null,
  };
}

export function caseJson(doc: CaseDocument): string {
  // JSON.stringify escapes every string; nothing else is needed for this format.
  return `${JSON.stringify(doc, null, 2)}\n`;
}

const day = (iso: string | undefined): string | undefined => (iso ? iso.replace(/\.\d+Z$/, 'Z') : undefined);

export function caseMarkdown(doc: CaseDocument, auditTrail?: CaseAuditTrail): string {
  const out: string[] = [];
  const s = doc.summary;
  out.push(`# Case: ${escapeMarkdownInline(doc.tenant.label)}`, '');
  if (doc.demo) out.push('> Demo tenant: simulated data', '');
  const verdicts = ANALYST_VERDICTS.filter((x) => s.byVerdict[x]).map((x) => `${VERDICT_LABELS[x]} ${s.byVerdict[x]}`);
  out.push(
    `- **Generated:** ${escapeMarkdownInline(doc.generatedAt)}`,
    `- **Tenant:** ${escapeMarkdownInline(doc.tenant.label)}`,
    `- **Addresses:** ${s.addresses} (${s.investigated} investigated)`,
    `- **Your verdicts:** ${verdicts.length > 0 ? verdicts.join(', ') : 'none yet'}${s.withNotes > 0 ? `; ${s.withNotes} with notes` : ''}`,
    `- **Machines:** ${s.machines} · **Alerts:** ${s.alerts}`,
    '',
  );

  out.push('## Addresses', '');
  if (doc.addresses.length === 0) out.push('_Nothing was investigated in this tenant from this workspace._', '');
  else {
    out.push(
      markdownTable(
        ['Address', 'Your verdict', 'Note', 'Class', 'Investigated', 'Look-back', 'Prevalence', 'Alerts', 'Machines', 'Triage'],
        doc.addresses.map((a) => [
          a.ip,
          a.verdict ? `${VERDICT_LABELS[a.verdict]}${a.verdictAt ? `, ${annotationDay(a.verdictAt)}` : ''}` : undefined,
          a.note,
          a.ipClass,
          day(a.lastInvestigatedAt),
          a.lookback,
          a.prevalence,
          a.alerts.length,
          a.machines.length,
          a.triage?.verdict,
        ]),
        500,
      ),
      '',
    );
  }

  for (const a of doc.addresses) {
    out.push(`### ${escapeMarkdownInline(a.ip)}`, '');
    if (a.verdict) out.push(`- **Your verdict:** ${VERDICT_LABELS[a.verdict]}${a.verdictAt ? `, set ${annotationDay(a.verdictAt)}` : ''}`);
    if (a.note) out.push(`- **Your note${a.noteAt ? `, ${annotationDay(a.noteAt)}` : ''}:** ${escapeMarkdown(a.note, 2000)}`);
    out.push(`- **Class:** ${escapeMarkdownInline(a.ipClass)}${a.internal ? ' (internal)' : ''}`);
    if (a.lastInvestigatedAt) {
      out.push(`- **Investigated:** ${escapeMarkdownInline(day(a.lastInvestigatedAt))}${a.firstInvestigatedAt && a.firstInvestigatedAt !== a.lastInvestigatedAt ? ` (first ${escapeMarkdownInline(day(a.firstInvestigatedAt))})` : ''}, look-back ${a.lookback ?? '–'}${a.at ? `, at ${escapeMarkdownInline(day(a.at))}` : ''}`);
    }
    if (a.dataFetchedAt) out.push(`- **Data fetched:** ${escapeMarkdownInline(day(a.dataFetchedAt))}`);
    if (a.prevalence !== undefined) out.push(`- **Prevalence:** ${a.prevalence} machines${a.firstSeen ? `, first seen ${escapeMarkdownInline(day(a.firstSeen))}` : ''}${a.lastSeen ? `, last seen ${escapeMarkdownInline(day(a.lastSeen))}` : ''}`);
    if (a.triage) out.push(`- **Triage:** ${escapeMarkdownInline(a.triage.verdict)}, ${a.triage.occurrences} occurrences in ${escapeMarkdown(a.triage.files.join(', ') || '–', 500)}`);
    out.push('');
    if (a.alerts.length > 0) {
      out.push(markdownTable(['Severity', 'Status', 'Title', 'Machine', 'Created', 'Alert id'], a.alerts.map((x) => [x.severity, x.status, x.title, x.machineName ?? x.machineId, day(x.created), x.id])), '');
    }
    if (a.machines.length > 0) {
      const relation = { observed: 'communicated with it', heldAtTime: 'held it at the time asked', triageHolder: 'held it (triage)' } as const;
      out.push(markdownTable(['Machine', 'Machine id', 'Relation', 'Last seen', 'Events'], a.machines.map((m) => [m.name, m.id, relation[m.relation], day(m.lastSeen), m.events])), '');
    }
  }

  if (doc.triage) {
    const t = doc.triage;
    const c = t.counts;
    out.push(
      '## Triage',
      '',
      `- **Source:** ${escapeMarkdown(t.source, 500)}`,
      `- **Run:** ${escapeMarkdownInline(t.startedAt)} to ${escapeMarkdownInline(t.finishedAt)}${t.cancelled ? ' (cancelled: partial results)' : ''}, look-back ${t.lookback}`,
      `- **Read:** ${c.files} files, ${(c.bytes / 1048576).toFixed(1)} MB, ${c.occurrences} occurrences of ${c.addresses} addresses`,
      `- **Verdicts:** ${TRIAGE_VERDICTS.filter((x) => c.byVerdict[x] > 0).map((x) => `${x} ${c.byVerdict[x]}`).join(', ') || 'none'}`,
      `- **Requests:** ${t.calls.hunting} hunting queries, ${t.calls.findbyip} findbyip calls, ${t.calls.cacheHits} addresses from the cache`,
      '',
    );
  }

  // The indicator writes, rendered by the audit trail's own renderer (see caseAuditTrail).
  if (auditTrail) out.push('## Indicator audit trail', '', auditTrail.markdown.trim(), '');

  if (doc.queries.length > 0) {
    out.push('## Hunting queries used', '', 'Re-run them in the Defender portal (Hunting > Advanced hunting).', '');
    doc.queries.forEach((q, i) => out.push(`### ${i + 1}. ${escapeMarkdown(q.purpose)}${q.address ? `: ${escapeMarkdownInline(q.address)}` : ''} (${q.from})`, '', fenced(q.query, 'kql'), ''));
  }
  return out.join('\n');
}
