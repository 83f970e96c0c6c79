// STIX 2.1 bundle of the triaged addresses that Defender saw with alerts: one `indicator` per address
// (deterministic UUIDv5 ids from the value, so re-exports update rather than duplicate) and the
// producing `identity`.
import { createHash } from 'node:crypto';
import type { TriageEntry, TriageReport } from '../../shared/triageModel';

/** Our namespace for UUIDv5 ids (random, fixed forever: changing it would change every exported id). */
export const STIX_NAMESPACE = '9b0f4f52-3c1e-5d7a-8a61-2f4c0e9d7b13';
export const PRODUCER_NAME = 'Defender IP Investigator';

/** RFC 4122 version 5 UUID (SHA-1 of namespace + name). */
export function uuidV5(name: string, namespace = STIX_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new RangeError('Namespace must be a UUID.');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A STIX pattern string literal: backslash and quote escaped (STIX 2.1 patterning §4). */
export function stixString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function stixPattern(entry: Pick<TriageEntry, 'ip' | 'version'>): string {
  return `[${entry.version === 6 ? 'ipv6-addr' : 'ipv4-addr'}:value = ${stixString(entry.ip)}]`;
}

/** STIX timestamps: RFC 3339 UTC with millisecond precision. */
function stixTime(iso: string | undefined, fallback: string): string {
  const t = iso ? Date.parse(iso) : NaN;
  return new Date(Number.isNaN(t) ? Date.parse(fallback) : t).toISOString();
}

export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: Record<string, unknown>[];
}

export interface StixExportOptions {
  /** Producer name on the identity object. */
  producer?: string;
}

export function exportStix(report: TriageReport, options: StixExportOptions = {}): StixBundle {
  const producer = options.producer ?? PRODUCER_NAME;
  const now = stixTime(report.finishedAt, new Date().toISOString());
  const identityId = `identity--${uuidV5(`identity:${producer}`)}`;
  const identity = {
    type: 'identity',
    spec_version: '2.1',
    id: identityId,
    created: now,
    modified: now,
    name: producer,
    identity_class: 'system',
  };
  const indicators = report.entries
    .filter((x) => x.verdict === 'alerts' && x.alerts && x.alerts.count > 0)
    .map((x) => {
      const a = x.alerts!;
      const id = `indicator--${uuidV5(`indicator:${x.version === 6 ? 'ipv6-addr' : 'ipv4-addr'}:${x.ip}`)}`;
      const seen = x.sightings;
      const description = [
        `Microsoft Defender for Endpoint reports ${a.count} alert${a.count === 1 ? '' : 's'} whose evidence names ${x.ip}` +
          (a.highestSeverity ? ` (highest severity: ${a.highestSeverity})` : '') +
          (seen ? `; ${seen.machines} machine${seen.machines === 1 ? '' : 's'} of the organisation communicated with it` : '') +
          ` in the ${report.lookback} look-back.`,
        a.titles.length ? `Alert titles: ${a.titles.join('; ')}` : '',
      ]
        .filter(Boolean)
        .join('\n');
      return {
        type: 'indicator',
        spec_version: '2.1',
        id,
        created_by_ref: identityId,
        created: now,
        modified: now,
        name: `${x.ip} seen with Defender alerts`,
        description,
        indicator_types: ['malicious-activity'],
        pattern: stixPattern(x),
        pattern_type: 'stix',
        pattern_version: '2.1',
        valid_from: stixTime(seen?.firstSeen ?? a.lastAlert, now),
        labels: a.severities.map((s) => `severity:${s.toLowerCase()}`),
      };
    });
  const objects: Record<string, unknown>[] = [identity, ...indicators];
  return {
    type: 'bundle',
    id: `bundle--${uuidV5(`bundle:${report.lookback}:${indicators.map((i) => i.id).join(',')}`)}`,
    objects,
  };
}

export function exportStixJson(report: TriageReport, options: StixExportOptions = {}): string {
  return `${JSON.stringify(exportStix(report, options), null, 2)}\n`;
}
