// Pure maths of the "machines per day" chart: a continuous series of days (missing days are zero),
// a rounded scale and the bar geometry, so the SVG code only draws what this computes.
import type { DailyPoint } from '../../src/shared/investigation';
import { formatDayMs } from './format';

const DAY_MS = 86_400_000;

export interface DayValue {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  machines: number;
  events: number;
}

function dayKey(iso: string): string | undefined {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return undefined;
  return formatDayMs(t);
}

/**
 * One value per UTC day from the start of the look-back window to today, missing days as zero.
 * Points outside the window are kept only if they are within it by day (a clock skew must not drop data).
 */
export function dailySeries(points: readonly DailyPoint[], lookbackDays: number, nowMs: number): DayValue[] {
  const startDay = Math.floor((nowMs - lookbackDays * DAY_MS) / DAY_MS) * DAY_MS;
  const endDay = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const byDay = new Map<string, DailyPoint>();
  for (const p of points) {
    const k = dayKey(p.day);
    if (k === undefined) continue;
    const prev = byDay.get(k);
    byDay.set(k, prev ? { day: k, machines: Math.max(prev.machines, p.machines), events: prev.events + p.events } : { ...p, day: k });
  }
  const out: DayValue[] = [];
  for (let t = startDay; t <= endDay; t += DAY_MS) {
    const k = formatDayMs(t);
    const p = byDay.get(k);
    out.push({ day: k, machines: p ? Math.max(0, p.machines) : 0, events: p ? Math.max(0, p.events) : 0 });
  }
  return out;
}

/** The smallest of 1, 2, 5 × 10^k that is at least `max` (at least 1). */
export function niceCeiling(max: number): number {
  if (!(max > 1)) return 1;
  const exp = Math.floor(Math.log10(max));
  const base = 10 ** exp;
  for (const m of [1, 2, 5, 10]) if (m * base >= max) return m * base;
  return 10 * base;
}

export interface ChartBox {
  width: number;
  height: number;
  padLeft: number;
  padRight: number;
  padTop: number;
  padBottom: number;
  /** Fraction of a slot left empty between bars (0..0.9). */
  gap: number;
}

export interface Bar extends DayValue {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ChartLayout {
  bars: Bar[];
  yMax: number;
  /** Values and y positions of the horizontal grid lines. */
  ticks: { value: number; y: number }[];
  /** Indexes of the bars whose day is labelled under the axis (at most ~6, evenly spaced). */
  labelled: number[];
  baseline: number;
}

export function layoutChart(series: readonly DayValue[], box: ChartBox): ChartLayout {
  const plotW = Math.max(1, box.width - box.padLeft - box.padRight);
  const plotH = Math.max(1, box.height - box.padTop - box.padBottom);
  const baseline = box.padTop + plotH;
  const yMax = niceCeiling(Math.max(0, ...series.map((s) => s.machines)));
  const slot = series.length > 0 ? plotW / series.length : plotW;
  const gap = Math.min(0.9, Math.max(0, box.gap));
  const bars = series.map((s, i) => {
    const h = (s.machines / yMax) * plotH;
    return { ...s, x: box.padLeft + i * slot + (slot * gap) / 2, y: baseline - h, width: slot * (1 - gap), height: h };
  });
  const tickValues = yMax >= 2 ? [0, yMax / 2, yMax] : [0, yMax];
  const ticks = tickValues.map((value) => ({ value, y: baseline - (value / yMax) * plotH }));
  const step = Math.max(1, Math.ceil(series.length / 6));
  const labelled: number[] = [];
  for (let i = series.length - 1; i >= 0; i -= step) labelled.unshift(i);
  return { bars, yMax, ticks, labelled, baseline };
}
