/**
 * A ticket's reading chart: the device's readings in the hour before the ticket opened (from
 * /api/readings), the line it was judged against where the ticket carries one, and the readings
 * the detector kept (chart-plan.ts says what). Where the device has no stored readings in reach
 * (or the ticket is a person's), the detector's own readings alone, or no chart.
 */
import type { Chart as ChartInstance, ChartDataset } from 'chart.js';
import type { Ticket } from '@campus/contract/browser';
import type { Device, SeriesAnswer } from '../api-types.ts';
import { api, byId } from '../common.ts';
import { locale, t } from '../i18n.ts';
import { chartPlan, type ChartPlan } from './chart-plan.ts';

type Point = { x: number; y: number };
let chart: ChartInstance | null = null;
/** the ticket being drawn: a slower answer for an earlier selection is dropped */
let drawing = 0;

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2).replace(/\.?0+$/, ''));

async function readingsOf(deviceId: string, plan: ChartPlan): Promise<Point[]> {
  const q = new URLSearchParams({ device: deviceId, field: plan.field, from: String(plan.from), to: String(plan.to), points: '240' });
  try {
    const answer = await api<SeriesAnswer>(`/api/readings?${q}`);
    return answer.points.map((p) => ({ x: p.t, y: p.avg }));
  } catch {
    return []; // the reading database away: the detector's own readings still stand
  }
}

function datasets(plan: ChartPlan | undefined, readings: Point[], x: Ticket): ChartDataset<'line', Point[]>[] {
  const unit = plan?.unit ?? x.evidence[0]?.unit ?? '';
  const kept = plan ? plan.evidence : x.evidence.map((e) => ({ ts: e.ts, value: e.value }));
  const sets: ChartDataset<'line', Point[]>[] = [];
  if (readings.length)
    sets.push({ label: t('tickets.readings', { unit }), data: readings, borderColor: '#1565c0', backgroundColor: '#1565c0', pointRadius: 0, borderWidth: 2 });
  if (kept?.length)
    sets.push({
      label: readings.length ? t('tickets.readings-at-alarm') : t('tickets.readings', { unit }),
      data: kept.map((e) => ({ x: e.ts, y: e.value })),
      borderColor: '#c62828',
      backgroundColor: '#c62828',
      pointRadius: 4,
      showLine: !readings.length,
    });
  const xs = [...readings, ...(kept ?? []).map((e) => ({ x: e.ts, y: e.value }))].map((p) => p.x);
  const span = xs.length ? [Math.min(...xs, plan?.from ?? Infinity), Math.max(...xs)] : [];
  for (const line of xs.length ? (plan?.lines ?? []) : [])
    sets.push({
      label: t(`tickets.line.${line.kind}`, { v: fmt(line.value), unit }),
      data: span.map((at) => ({ x: at, y: line.value })),
      borderColor: line.kind === 'min' ? '#1a8a4a' : '#ef6c00',
      backgroundColor: line.kind === 'min' ? '#1a8a4a' : '#ef6c00',
      borderDash: [6, 4],
      pointRadius: 0,
      borderWidth: 2,
    });
  return sets;
}

/** Draws the chart of ticket `x` into #d-chart (its figure hidden when there is nothing to draw). */
export async function drawReadings(x: Ticket, device: Device | undefined): Promise<void> {
  const mine = ++drawing;
  const canvas = byId<HTMLCanvasElement>('d-chart');
  const plan = chartPlan(x, device, Date.now());
  const readings = plan ? await readingsOf(x.deviceId, plan) : [];
  if (mine !== drawing) return;
  const sets = datasets(plan, readings, x);
  const figure = canvas.parentElement!;
  figure.hidden = sets.length === 0; // e.g. a person's request, a meter's own alarm flag without readings
  figure.dataset.readings = String(readings.length);
  figure.dataset.lines = String(sets.filter((s) => s.borderDash).length);
  chart?.destroy();
  chart = null;
  if (!sets.length) return;
  chart = new Chart(canvas, {
    type: 'line',
    data: { datasets: sets },
    options: {
      animation: false,
      parsing: false,
      maintainAspectRatio: false,
      plugins: { legend: { labels: { boxWidth: 14 } } },
      scales: { x: { type: 'linear', ticks: { callback: (v) => new Date(Number(v)).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' }) } } },
    },
  }) as unknown as ChartInstance;
}
