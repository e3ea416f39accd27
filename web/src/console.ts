// The operator console (/console/): the organization's sessions, filtered and paged, and
// one session's transcript, tool calls, per-turn latency chart, cost and end reason.
// State for tests and debugging is on `window.callwrightConsole`.
import { chartLegend, latencyChart } from './latency_chart';
import {
  ConsoleError,
  loadAgents,
  loadRecording,
  loadSession,
  loadSessions,
  type ConsoleAgent,
  type LatencyPart,
  type SessionAnalysis,
  type SessionFilters,
  type SessionRow,
  type SessionView,
  type TimelineItem,
} from './console_api';

const PAGE_SIZE = '25';
const STATUSES = ['created', 'active', 'ended', 'failed'];
// The API's end reasons (EndReason).
const END_REASONS = [
  'user_left',
  'agent_ended',
  'api_ended',
  'max_duration_reached',
  'insufficient_credits',
  'user_not_joined',
  'worker_unavailable',
  'provider_error',
  'livekit_unavailable',
  'internal_error',
];
const SUMMARY_PARTS: { part: LatencyPart; label: string }[] = [
  { part: 'e2e_ms', label: 'End to end' },
  { part: 'end_of_turn_ms', label: 'End of turn' },
  { part: 'transcription_ms', label: 'Transcription' },
  { part: 'llm_ttft_ms', label: 'LLM first token' },
  { part: 'tts_ttfb_ms', label: 'TTS first byte' },
  { part: 'realtime_ttft_ms', label: 'Realtime first audio' },
];

interface ConsoleState {
  ready: boolean;
  loading: boolean;
  rows: number;
  hasMore: boolean;
  sessionId: string | null;
  error: string | null;
  // The open session's recording: null (none), 'loading', 'ready' or 'failed'.
  recording: string | null;
  // The open session's analysis status: null (none asked for), or the API's status.
  analysis: string | null;
}

const state: ConsoleState = {
  ready: false,
  loading: false,
  rows: 0,
  hasMore: false,
  sessionId: null,
  error: null,
  recording: null,
  analysis: null,
};
(window as unknown as { callwrightConsole: ConsoleState }).callwrightConsole = state;

const agentNames = new Map<string, string>();
let filters: SessionFilters = {};
let lastRow: string | undefined;

function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`#${id} is missing from console.html`);
  return node as T;
}

function html<K extends keyof HTMLElementTagNameMap>(
  name: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(name);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function showError(error: unknown): void {
  const message = error instanceof ConsoleError ? error.message : 'Something went wrong.';
  state.error = message;
  const alert = byId('alert');
  alert.textContent = message;
  alert.hidden = false;
}

function clearError(): void {
  state.error = null;
  byId('alert').hidden = true;
}

const when = (iso: string | null): string =>
  iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '—';

const ms = (value: number | null | undefined): string =>
  value === null || value === undefined ? '—' : `${Math.round(value)} ms`;

function duration(seconds: number): string {
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

function fillSelect(select: HTMLSelectElement, values: [string, string][]): void {
  for (const [value, label] of values) select.append(new Option(label, value));
}

// -- the list ----------------------------------------------------------------------------

function readFilters(): SessionFilters {
  const value = (id: string): string | undefined =>
    byId<HTMLInputElement | HTMLSelectElement>(id).value || undefined;
  const from = value('filter-from');
  const to = value('filter-to');
  // Dates are UTC days: `to` includes its whole day.
  const dayAfter = (day: string): string =>
    new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();
  return {
    agent_id: value('filter-agent'),
    status: value('filter-status'),
    end_reason: value('filter-end-reason'),
    from: from ? `${from}T00:00:00Z` : undefined,
    to: to ? dayAfter(to) : undefined,
  };
}

function rowOf(session: SessionRow): HTMLTableRowElement {
  const row = html('tr');
  row.dataset.sessionId = session.id;
  row.tabIndex = 0;
  const link = html('a', session.id, 'session-link');
  link.href = `#/sessions/${session.id}`;
  const cells: (string | HTMLElement)[] = [
    when(session.created_at),
    agentNames.get(session.agent_id) ?? session.agent_id,
    session.kind,
    html('span', session.status, `badge status-${session.status}`),
    session.end_reason ?? '—',
    duration(session.duration_seconds),
    String(session.user_turns + session.agent_turns),
    ms(session.e2e_p50_ms),
    String(session.credits_charged),
    link,
  ];
  for (const cell of cells) {
    const td = html('td');
    td.append(cell);
    row.append(td);
  }
  row.addEventListener('click', (event) => {
    if (!(event.target instanceof HTMLAnchorElement)) location.hash = `#/sessions/${session.id}`;
  });
  return row;
}

async function listSessions(append: boolean): Promise<void> {
  const body = byId<HTMLTableSectionElement>('sessions-body');
  state.loading = true;
  clearError();
  try {
    const page = await loadSessions({
      ...filters,
      limit: PAGE_SIZE,
      starting_after: append ? lastRow : undefined,
    });
    if (!append) body.replaceChildren();
    for (const session of page.data) body.append(rowOf(session));
    lastRow = page.data.at(-1)?.id ?? lastRow;
    state.rows = body.rows.length;
    state.hasMore = page.has_more;
    byId('more').hidden = !page.has_more;
    byId('empty').hidden = state.rows > 0;
  } catch (error) {
    showError(error);
  } finally {
    state.loading = false;
  }
}

// -- one session -------------------------------------------------------------------------

function fact(label: string, value: string | HTMLElement): HTMLElement[] {
  const dd = html('dd');
  dd.append(value);
  return [html('dt', label), dd];
}

function cost(view: SessionView): string {
  const price =
    view.credits_per_minute !== null
      ? ` at ${view.credits_per_minute}/min`
      : view.credits_per_message !== null
        ? ` at ${view.credits_per_message}/message`
        : '';
  const unit = view.credits_charged === 1 ? 'credit' : 'credits';
  return `${view.credits_charged} ${unit}${price}`;
}

// Where a turn is heard in the recording: seconds from the file's first sample.
type Seek = (at: string) => void;

function timelineEntry(item: TimelineItem, seek: Seek | null): HTMLLIElement {
  const entry = html('li', undefined, `item role-${item.role}`);
  entry.dataset.role = item.role;
  const at = item.started_speaking_at ?? item.at ?? null;
  if (at) entry.dataset.startedAt = at;
  const meta = html('div', at ? when(at).slice(11, 19) : '', 'meta');
  if (seek && at && (item.role === 'user' || item.role === 'assistant')) {
    const play = html('button', '▶', 'play-turn');
    play.type = 'button';
    play.title = 'Hear this turn';
    play.addEventListener('click', () => seek(at));
    meta.append(' ', play);
  }
  if (item.role === 'tool') {
    const tool = item.tool;
    entry.append(
      meta,
      html('span', 'tool', 'who'),
      html(
        'span',
        `${tool?.name ?? item.content}${tool?.latency_ms != null ? ` · ${ms(tool.latency_ms)}` : ''}` +
          (tool?.is_error ? ' · failed' : ''),
        'text',
      ),
    );
  } else if (item.role === 'event') {
    entry.append(
      meta,
      html('span', 'event', 'who'),
      html('span', item.detail ? `${item.content} (${item.detail})` : item.content, 'text'),
    );
  } else {
    const parts = Object.entries(item.latency ?? {})
      .filter(([, value]) => value !== null && value !== undefined)
      .map(([part, value]) => `${part.replace(/_ms$/, '')} ${ms(value)}`);
    if (item.interrupted) parts.push('interrupted');
    entry.append(
      meta,
      html('span', item.role === 'user' ? 'user' : 'agent', 'who'),
      html('span', item.content, 'text'),
    );
    if (parts.length) entry.append(html('div', parts.join(' · '), 'latency'));
  }
  return entry;
}

function summaryTable(view: SessionView): HTMLTableElement {
  const table = html('table', undefined, 'summary');
  const head = html('tr');
  for (const label of ['', 'turns', 'p50', 'p90', 'p99', 'max']) head.append(html('th', label));
  table.append(head);
  for (const { part, label } of SUMMARY_PARTS) {
    const values = view.latency[part];
    if (!values) continue;
    const row = html('tr');
    row.dataset.part = part;
    row.append(html('th', label), html('td', String(values.n)));
    for (const p of [values.p50, values.p90, values.p99, values.max]) row.append(html('td', ms(p)));
    table.append(row);
  }
  return table;
}

function showSession(view: SessionView): void {
  byId('session-title').textContent =
    `${agentNames.get(view.agent_id) ?? view.agent_id} · ${view.id}`;
  const turns = view.latency.turns;
  byId('facts').replaceChildren(
    ...fact('Status', html('span', view.status, `badge status-${view.status}`)),
    ...fact('End reason', view.end_reason ?? '—'),
    ...fact('Cost', cost(view)),
    ...fact('Duration', duration(view.duration_seconds)),
    ...fact('Created', when(view.created_at)),
    ...fact('Ended', when(view.ended_at)),
    ...fact(
      'Turns',
      `${turns.user} user · ${turns.agent} agent · ${turns.interrupted} interrupted`,
    ),
    ...fact(
      'Models',
      (view.usage?.models ?? []).map((m) => `${m.provider} ${m.model}`.trim()).join(', ') || '—',
    ),
  );
  byId('facts').dataset.endReason = view.end_reason ?? '';
  const chart = byId('chart');
  const measured = view.turns.filter((bar) => Object.values(bar.latency).some((v) => v !== null));
  if (measured.length) {
    chart.replaceChildren(latencyChart(measured), chartLegend(), summaryTable(view));
  } else {
    chart.replaceChildren(html('p', 'No latency was recorded for this session.', 'muted'));
  }
  analysisCard(view.analysis);
  const seek = recordingPlayer(view);
  byId('timeline').replaceChildren(...view.items.map((item) => timelineEntry(item, seek)));
}

// A value of the extracted data as one line: text as it is, the rest as JSON.
function dataValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return JSON.stringify(value);
}

// The post-call analysis, when the session's agent asks for one: its status, the
// summary, whether the call met its goal, the data extracted, or why it failed.
function analysisCard(analysis: SessionAnalysis | null): void {
  const box = byId('analysis');
  state.analysis = analysis?.status ?? null;
  if (!analysis) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const heading = html('h3', 'Analysis ');
  heading.append(html('span', analysis.status, `badge analysis-${analysis.status}`));
  const facts = html('dl', undefined, 'facts analysis-facts');
  if (analysis.summary !== null) facts.append(...fact('Summary', analysis.summary));
  if (analysis.success !== null) facts.append(...fact('Success', analysis.success ? 'yes' : 'no'));
  if (analysis.model !== null) facts.append(...fact('Model', analysis.model));
  if (analysis.completed_at !== null)
    facts.append(...fact('Completed', when(analysis.completed_at)));
  if (analysis.error !== null) facts.append(...fact('Error', analysis.error));
  const parts: HTMLElement[] = [heading];
  if (facts.childElementCount) parts.push(facts);
  if (analysis.status === 'pending') {
    parts.push(html('p', 'The analysis runs shortly after the session ends.', 'muted'));
  }
  const entries = Object.entries(analysis.data ?? {});
  if (entries.length) {
    const table = html('table', undefined, 'analysis-data');
    const head = html('tr');
    head.append(html('th', 'Field'), html('th', 'Value'));
    table.append(head);
    for (const [name, value] of entries) {
      const row = html('tr');
      row.dataset.field = name;
      row.append(html('th', name), html('td', dataValue(value)));
      table.append(row);
    }
    parts.push(table);
  }
  box.replaceChildren(...parts);
  box.hidden = false;
}

// The recording's player above the transcript, when the call was recorded and kept; a
// turn's button plays the file from where that turn starts.
let recordingUrl: string | null = null;

function recordingPlayer(view: SessionView): Seek | null {
  const box = byId('recording');
  if (recordingUrl !== null) URL.revokeObjectURL(recordingUrl);
  recordingUrl = null;
  const recording = view.recording;
  if (!recording || recording.status !== 'ready') {
    state.recording = null;
    box.hidden = true;
    box.replaceChildren();
    return null;
  }
  const audio = html('audio');
  audio.controls = true;
  audio.id = 'recording-player';
  const note = html('p', 'Loading the recording…', 'muted');
  box.replaceChildren(
    html('h3', 'Recording'),
    audio,
    html('p', 'Left: the caller as received. Right: the agent as played.', 'muted'),
    note,
  );
  box.hidden = false;
  state.recording = 'loading';
  const origin = Date.parse(recording.started_at ?? view.started_at ?? view.created_at);
  const sessionId = view.id;
  void loadRecording(sessionId).then(
    (file) => {
      if (state.sessionId !== sessionId) return;
      recordingUrl = URL.createObjectURL(file);
      audio.src = recordingUrl;
      note.remove();
      state.recording = 'ready';
    },
    (error: unknown) => {
      if (state.sessionId !== sessionId) return;
      note.textContent =
        error instanceof ConsoleError ? error.message : 'The recording could not be loaded.';
      state.recording = 'failed';
    },
  );
  return (at: string) => {
    audio.currentTime = Math.max(0, (Date.parse(at) - origin) / 1000);
    void audio.play();
  };
}

async function openSession(id: string): Promise<void> {
  byId('list-view').hidden = true;
  byId('session-view').hidden = false;
  state.sessionId = null;
  state.loading = true;
  clearError();
  try {
    const view = await loadSession(id);
    state.sessionId = view.id;
    showSession(view);
  } catch (error) {
    showError(error);
  } finally {
    state.loading = false;
  }
}

function route(): void {
  const match = /^#\/sessions\/(ses_[A-Za-z0-9]+)$/.exec(location.hash);
  if (match) {
    void openSession(match[1]);
  } else {
    state.sessionId = null;
    byId('session-view').hidden = true;
    byId('list-view').hidden = false;
  }
}

async function start(): Promise<void> {
  fillSelect(
    byId('filter-status'),
    STATUSES.map((s) => [s, s]),
  );
  fillSelect(
    byId('filter-end-reason'),
    END_REASONS.map((r) => [r, r.replaceAll('_', ' ')]),
  );
  byId('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    filters = readFilters();
    void listSessions(false);
  });
  byId('filters').addEventListener('reset', () => {
    filters = {};
    void listSessions(false);
  });
  byId('more').addEventListener('click', () => void listSessions(true));
  window.addEventListener('hashchange', route);
  try {
    const { agents } = await loadAgents();
    agents.forEach((agent: ConsoleAgent) => agentNames.set(agent.id, agent.name));
    fillSelect(
      byId('filter-agent'),
      agents.map((a) => [a.id, a.name]),
    );
  } catch (error) {
    showError(error);
  }
  await listSessions(false);
  route();
  state.ready = true;
}

document.addEventListener('DOMContentLoaded', () => void start());
