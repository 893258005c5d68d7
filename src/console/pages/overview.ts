import type { Chart as ChartClass, ChartConfiguration } from 'chart.js';
import { errorNotice, filterForm, publisherInput } from '../components';
import type { PageContext } from '../context';
import { field, formValue, h, show } from '../dom';
import { link } from '../router';
import type { Overview } from '../types';

/** chart.js's UMD build, served by the API beside the app (see src/api/console/assets.ts), defines this global. */
declare const Chart: typeof ChartClass;

const COLORS = { sent: '#2e7d32', retrying: '#f9a825', failed: '#c62828' };
const CAUSE_COLORS = ['#c62828', '#6a1b9a', '#1565c0', '#ef6c00', '#00838f', '#5d4037', '#546e7a'];
const PERIODS = [
  ['24', 'Last 24 hours'],
  ['72', 'Last 3 days'],
  ['168', 'Last 7 days'],
] as const;

/** "14:00" for an hour of today, "Nov 29 14:00" otherwise (UTC, like every time in the console). */
function hourLabel(iso: string, multiDay: boolean): string {
  const text = new Date(iso).toISOString();
  return multiDay ? `${text.slice(5, 10)} ${text.slice(11, 16)}` : text.slice(11, 16);
}

/**
 * Overview: callbacks failed in the last 24 hours (a link to them in the Conversion Callback tab), delivery outcomes
 * per hour and failure causes per publisher, as charts.
 */
export async function overviewPage(context: PageContext): Promise<void> {
  const { api, route, main, signal } = context;
  const hours = PERIODS.some(([value]) => value === route.query.get('hours')) ? (route.query.get('hours') as string) : '24';
  const publisherId = route.query.get('publisherId') ?? undefined;
  const publisher = publisherInput(context, publisherId ?? null);
  const filters = filterForm(
    context,
    [
      field('Period', h('select', { name: 'hours' }, ...PERIODS.map(([value, label]) => h('option', { value, selected: value === hours }, label)))),
      publisher && field('Publisher', publisher),
    ],
    (form) => ({ hours: formValue(form, 'hours'), publisherId: formValue(form, 'publisherId') || undefined }),
  );
  const results = h('div', { class: 'results' }, h('p', { class: 'loading' }, 'Loading…'));
  show(main, h('h1', {}, 'Overview'), filters, results);

  let overview: Overview;
  try {
    overview = await api.get<Overview>('/v1/overview', { hours, publisherId });
  } catch (err) {
    show(results, errorNotice(err));
    return;
  }

  const hourlyCanvas = h('canvas', { id: 'hourly-chart', role: 'img', 'aria-label': 'Callbacks sent, retrying and failed per hour' });
  const causesCanvas = h('canvas', { id: 'causes-chart', role: 'img', 'aria-label': 'Failure causes per publisher' });
  show(
    results,
    h(
      'a',
      { class: 'stat', href: link(['callbacks'], { status: 'failed', publisherId }), 'data-stat': 'failed-24h' },
      h('span', { class: 'stat-value' }, String(overview.failedLast24h)),
      h('span', { class: 'stat-label' }, 'callbacks failed in the last 24 hours'),
    ),
    h('section', { class: 'chart-box' }, h('h2', {}, 'Delivery outcomes per hour (UTC)'), h('div', { class: 'chart' }, hourlyCanvas)),
    h(
      'section',
      { class: 'chart-box' },
      h('h2', {}, 'Failure causes per publisher'),
      overview.causesByPublisher.length > 0 ? h('div', { class: 'chart' }, causesCanvas) : h('p', { class: 'notice info' }, 'No failed attempt in this period.'),
    ),
  );

  const multiDay = Number(hours) > 24;
  const charts: ChartClass[] = [
    new Chart(hourlyCanvas, {
      type: 'bar',
      data: {
        labels: overview.hourly.map((row) => hourLabel(row.hour, multiDay)),
        datasets: (['sent', 'retrying', 'failed'] as const).map((key) => ({
          label: key[0].toUpperCase() + key.slice(1),
          data: overview.hourly.map((row) => row[key]),
          backgroundColor: COLORS[key],
        })),
      },
      options: stackedOptions(),
    } satisfies ChartConfiguration<'bar'>),
  ];
  if (overview.causesByPublisher.length > 0) {
    // One bar per publisher: the chart grows with them instead of stretching a few bars (CSSOM, allowed by the CSP).
    const publishers = [...new Set(overview.causesByPublisher.map((row) => row.publisherId))];
    if (causesCanvas.parentElement) causesCanvas.parentElement.style.height = `${6 + publishers.length * 2.5}rem`;
    charts.push(new Chart(causesCanvas, causesChart(overview, publishers)));
  }
  signal.addEventListener('abort', () => charts.forEach((chart) => chart.destroy()), { once: true });
}

function stackedOptions(horizontal = false): ChartConfiguration<'bar'>['options'] {
  return {
    indexAxis: horizontal ? 'y' : 'x',
    responsive: true,
    maintainAspectRatio: false,
    // Charts drawn at once: a test (and a screenshot) sees them finished.
    animation: false,
    // Counts: whole numbers on the value axis.
    scales: {
      x: { stacked: true, ...(horizontal ? { beginAtZero: true, ticks: { precision: 0 } } : {}) },
      y: { stacked: true, ...(horizontal ? {} : { beginAtZero: true, ticks: { precision: 0 } }) },
    },
    datasets: { bar: { maxBarThickness: 48 } },
    plugins: { legend: { position: 'bottom' } },
  };
}

/** One bar per publisher, stacked by cause. */
function causesChart(overview: Overview, publishers: string[]): ChartConfiguration<'bar'> {
  const causes = new Map<string, string>();
  for (const row of overview.causesByPublisher) causes.set(row.cause, row.label);
  return {
    type: 'bar',
    data: {
      labels: publishers,
      datasets: [...causes].map(([cause, label], index) => ({
        label,
        data: publishers.map((publisherId) => overview.causesByPublisher.find((row) => row.publisherId === publisherId && row.cause === cause)?.count ?? 0),
        backgroundColor: CAUSE_COLORS[index % CAUSE_COLORS.length],
      })),
    },
    options: stackedOptions(true),
  };
}
