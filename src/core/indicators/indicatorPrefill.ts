// The title and description a new indicator's form starts with, from what the investigation or the triage found
// ("Seen on 4 machines in the past 7 d; 2 alerts: High 2"): the analyst edits them, nothing is sent unread. Pure.
import { LOOKBACK_DAYS, type Investigation } from '../../shared/investigation';
import { severityRank, type TriageEntry } from '../../shared/triageModel';

const clip = (s: string, n: number): string => {
  // One line, no control characters: the form's own rules would refuse them.
  // eslint-disable-next-line no-control-regex
  const one = s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

const day = (iso: string | undefined): string | undefined => (iso && !Number.isNaN(Date.parse(iso)) ? new Date(iso).toISOString().slice(0, 10) : undefined);

function severityText(counts: Map<string, number>): string {
  return [...counts]
    .sort(([a], [b]) => severityRank(b) - severityRank(a))
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
}

export interface Prefill {
  title: string;
  description: string;
}

export function prefillFromInvestigation(inv: Investigation): Prefill {
  const ip = inv.address.ip;
  const parts: string[] = [];
  if (inv.stats) {
    const days = LOOKBACK_DAYS[inv.lookback];
    const seen = [day(inv.stats.firstSeen) && `first seen ${day(inv.stats.firstSeen)}`, day(inv.stats.lastSeen) && `last seen ${day(inv.stats.lastSeen)}`].filter(Boolean).join(', ');
    parts.push(inv.stats.prevalence > 0 ? `Seen on ${inv.stats.prevalence} machine${inv.stats.prevalence === 1 ? '' : 's'} in the past ${days} d${seen ? ` (${seen})` : ''}` : `Not seen in the organisation in the past ${days} d`);
  }
  const alerts = inv.alerts ?? [];
  let top: (typeof alerts)[number] | undefined;
  if (alerts.length > 0) {
    const counts = new Map<string, number>();
    for (const a of alerts) counts.set(a.severity, (counts.get(a.severity) ?? 0) + 1);
    parts.push(`${alerts.length} alert${alerts.length === 1 ? '' : 's'}: ${severityText(counts)}`);
    top = [...alerts].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (b.alertCreationTime ?? '').localeCompare(a.alertCreationTime ?? ''))[0];
  }
  const description = `${parts.length > 0 ? `${parts.join('; ')}.` : `Investigated ${ip}.`} Added from Defender IP Investigator.`;
  const title = top && top.title.trim() !== '' ? clip(`${ip}: ${top.title}`, 200) : `Investigated address ${ip}`;
  return { title, description: clip(description, 1_900) };
}

/** What triage found about one address, for its own description in a bulk run. */
export function prefillFromTriage(e: TriageEntry, source: string): string {
  const parts: string[] = [];
  if (e.sightings) parts.push(`seen on ${e.sightings.machines} machine${e.sightings.machines === 1 ? '' : 's'}${day(e.sightings.lastSeen) ? ` (last ${day(e.sightings.lastSeen)})` : ''}`);
  if (e.alerts && e.alerts.count > 0) parts.push(`${e.alerts.count} alert${e.alerts.count === 1 ? '' : 's'}${e.alerts.highestSeverity ? ` (highest ${e.alerts.highestSeverity})` : ''}`);
  if (parts.length === 0) parts.push(e.verdict === 'not-seen' ? 'not seen in the organisation' : e.verdict);
  return clip(`Triage of ${source}: ${parts.join(', ')}; ${e.occurrenceCount} occurrence${e.occurrenceCount === 1 ? '' : 's'}.`, 1_900);
}
