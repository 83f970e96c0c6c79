// STIX 2.1 bundle of the triaged addresses that Defender saw with alerts: one `indicator` per address
// (deterministic UUIDv5 ids from the value, so re-exports update rather than duplicate) and the
// producing `identity`. The analyst's verdicts map to what STIX 2.1 defines for them: on an indicator derived from
// Defender's alerts, an `opinion` (the spec's own example: a SOC operator "strongly disagrees" with an indicator that is
// a false positive in their environment); on any other address, an `indicator` whose `indicator_types` carry the
// verdict (malicious-activity, anomalous-activity, benign, unknown); a note becomes a `note` referring to it.
import { createHash } from 'node:crypto';
import type { AnalystVerdict, Annotation } from '../../shared/annotation';
import type { TriageEntry, TriageReport } from '../../shared/triageModel';

/** Our namespace for UUIDv5 ids (random, fixed forever: changing it would change every exported id). */
export const STIX_NAMESPACE = '9b0f4f52-3c1e-5d7a-8a61-2f4c0e9d7b13';
export const PRODUCER_NAME = 'Defender IP Investigator';
/** The namespace STIX 2.1 fixes for deterministic SCO ids (§2.9). */
export const STIX_SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

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
  /** The analyst's verdicts and notes by address. */
  annotations?: ReadonlyMap<string, Annotation>;
}

/** STIX 2.1 `indicator-type-ov` for an analyst's verdict on an address Defender raised no alert for. */
const INDICATOR_TYPES: Record<AnalystVerdict, string> = {
  malicious: 'malicious-activity',
  suspicious: 'anomalous-activity',
  benign: 'benign',
  'false-positive': 'benign',
  unknown: 'unknown',
};

/** STIX 2.1 `opinion-enum`: how far the analyst agrees with an indicator derived from Defender's alerts. */
const OPINIONS: Record<AnalystVerdict, string> = {
  malicious: 'strongly-agree',
  suspicious: 'agree',
  unknown: 'neutral',
  benign: 'disagree',
  'false-positive': 'strongly-disagree',
};

function indicatorId(x: Pick<TriageEntry, 'ip' | 'version'>): string {
  return `indicator--${uuidV5(`indicator:${x.version === 6 ? 'ipv6-addr' : 'ipv4-addr'}:${x.ip}`)}`;
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
      const id = indicatorId(x);
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
  const fromAlerts = new Set(indicators.map((i) => i.id));
  for (const x of report.entries) {
    const mark = options.annotations?.get(x.ip);
    if (!mark) continue;
    const id = indicatorId(x);
    const when = stixTime(mark.verdictAt ?? mark.noteAt, now);
    if (mark.verdict && fromAlerts.has(id)) {
      objects.push({
        type: 'opinion',
        spec_version: '2.1',
        id: `opinion--${uuidV5(`opinion:${id}`)}`,
        created_by_ref: identityId,
        created: when,
        modified: when,
        opinion: OPINIONS[mark.verdict],
        explanation: `The analyst marked ${x.ip} ${mark.verdict.replace('-', ' ')}${mark.note ? `: ${mark.note}` : '.'}`,
        object_refs: [id],
        labels: [`analyst-verdict:${mark.verdict}`],
      });
    } else if (mark.verdict) {
      objects.push({
        type: 'indicator',
        spec_version: '2.1',
        id,
        created_by_ref: identityId,
        created: when,
        modified: when,
        name: `${x.ip} marked ${mark.verdict.replace('-', ' ')} by the analyst`,
        description: `The analyst's verdict on ${x.ip} after the triage (${report.lookback} look-back): ${mark.verdict.replace('-', ' ')}.`,
        indicator_types: [INDICATOR_TYPES[mark.verdict]],
        pattern: stixPattern(x),
        pattern_type: 'stix',
        pattern_version: '2.1',
        valid_from: when,
        labels: [`analyst-verdict:${mark.verdict}`],
      });
    }
    // A note refers to the address's indicator (from the alerts or the verdict), else to the address itself (an SCO).
    if (mark.note) {
      let ref = id;
      if (!fromAlerts.has(id) && !mark.verdict) {
        const type = x.version === 6 ? 'ipv6-addr' : 'ipv4-addr';
        // SCO ids are UUIDv5 of the canonical JSON of their id-contributing properties, in the STIX namespace (§2.9).
        ref = `${type}--${uuidV5(JSON.stringify({ value: x.ip }), STIX_SCO_NAMESPACE)}`;
        objects.push({ type, spec_version: '2.1', id: ref, value: x.ip });
      }
      const noteTime = stixTime(mark.noteAt, now);
      objects.push({
        type: 'note',
        spec_version: '2.1',
        id: `note--${uuidV5(`note:${id}`)}`,
        created_by_ref: identityId,
        created: noteTime,
        modified: noteTime,
        abstract: `Analyst note on ${x.ip}`,
        content: mark.note,
        object_refs: [ref],
      });
    }
  }
  return {
    type: 'bundle',
    id: `bundle--${uuidV5(`bundle:${report.lookback}:${objects.slice(1).map((o) => String(o.id)).join(',')}`)}`,
    objects,
  };
}

export function exportStixJson(report: TriageReport, options: StixExportOptions = {}): string {
  return `${JSON.stringify(exportStix(report, options), null, 2)}\n`;
}
