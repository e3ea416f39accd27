// The per-turn latency chart: an inline SVG, one stacked bar per agent turn (end of
// turn, LLM first token, TTS first byte; a realtime model's own first audio), and the
// turn's end-to-end latency as a marker. No chart library.
import type { LatencyPart, TurnBar } from './console_api';

const SVG = 'http://www.w3.org/2000/svg';

/** The stacked parts, bottom up: roughly the path from the user's last word to audio. */
export const STACKED: { part: LatencyPart; label: string; colour: string }[] = [
  { part: 'end_of_turn_ms', label: 'End of turn', colour: '#94a3b8' },
  { part: 'llm_ttft_ms', label: 'LLM first token', colour: '#6366f1' },
  { part: 'tts_ttfb_ms', label: 'TTS first byte', colour: '#22c55e' },
  { part: 'realtime_ttft_ms', label: 'Realtime first audio', colour: '#f59e0b' },
];

const WIDTH = 720;
const HEIGHT = 240;
const LEFT = 56;
const BOTTOM = 28;
const TOP = 12;

function element<K extends keyof SVGElementTagNameMap>(
  name: K,
  attributes: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function stackHeight(bar: TurnBar): number {
  return STACKED.reduce((sum, { part }) => sum + (bar.latency[part] ?? 0), 0);
}

/** A round axis maximum (ms) at or above every bar and marker. */
function scaleMax(bars: TurnBar[]): number {
  const highest = Math.max(1, ...bars.map((b) => Math.max(stackHeight(b), b.latency.e2e_ms ?? 0)));
  const step = 10 ** Math.floor(Math.log10(highest));
  return Math.ceil(highest / step) * step;
}

export function latencyChart(bars: TurnBar[]): SVGSVGElement {
  const svg = element('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: 'latency-chart',
    role: 'img',
    'aria-label': `Latency of ${bars.length} agent turns`,
  });
  const max = scaleMax(bars);
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const y = (ms: number): number => TOP + plotHeight - (ms / max) * plotHeight;
  for (const tick of [0, max / 2, max]) {
    svg.append(
      element('line', { x1: LEFT, x2: WIDTH, y1: y(tick), y2: y(tick), class: 'grid' }),
      element(
        'text',
        { x: LEFT - 6, y: y(tick) + 4, 'text-anchor': 'end', class: 'axis' },
        tick >= 1000 ? `${tick / 1000} s` : `${tick} ms`,
      ),
    );
  }
  const slot = (WIDTH - LEFT) / Math.max(bars.length, 1);
  const barWidth = Math.min(40, slot * 0.6);
  bars.forEach((bar, index) => {
    const x = LEFT + slot * index + (slot - barWidth) / 2;
    const group = element('g', { class: 'turn', 'data-turn': bar.turn });
    group.append(element('title', {}, tooltip(bar)));
    let base = 0;
    for (const { part, colour } of STACKED) {
      const value = bar.latency[part];
      if (!value) continue;
      group.append(
        element('rect', {
          x,
          y: y(base + value),
          width: barWidth,
          height: y(base) - y(base + value),
          fill: colour,
          'data-part': part,
        }),
      );
      base += value;
    }
    const e2e = bar.latency.e2e_ms;
    if (e2e) {
      group.append(
        element('line', {
          x1: x - 4,
          x2: x + barWidth + 4,
          y1: y(e2e),
          y2: y(e2e),
          class: 'e2e',
          'data-part': 'e2e_ms',
        }),
      );
    }
    group.append(
      element(
        'text',
        { x: x + barWidth / 2, y: HEIGHT - 10, 'text-anchor': 'middle', class: 'axis' },
        bar.interrupted ? `${bar.turn}✂` : String(bar.turn),
      ),
    );
    svg.append(group);
  });
  return svg;
}

function tooltip(bar: TurnBar): string {
  const parts = [...STACKED, { part: 'e2e_ms' as const, label: 'End to end' }]
    .filter(({ part }) => bar.latency[part] !== null)
    .map(({ part, label }) => `${label}: ${Math.round(bar.latency[part] ?? 0)} ms`);
  return [`Turn ${bar.turn}${bar.interrupted ? ' (interrupted)' : ''}`, ...parts].join('\n');
}

export function chartLegend(): HTMLElement {
  const legend = document.createElement('ul');
  legend.className = 'legend';
  for (const { label, colour } of [...STACKED, { label: 'End to end', colour: '#dc2626' }]) {
    const item = document.createElement('li');
    const swatch = document.createElement('i');
    swatch.style.background = colour;
    item.append(swatch, label);
    legend.append(item);
  }
  return legend;
}
