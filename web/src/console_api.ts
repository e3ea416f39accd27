// The console's routes on the page backend (src/callwright/console.py). The backend holds
// the API key; the browser sees its organization's sessions and nothing else.

export interface ErrorBody {
  type: string;
  code: string;
  message: string;
  param?: string;
}

export interface ConsoleAgent {
  id: string;
  name: string;
  architecture: string;
}

export interface SessionRow {
  id: string;
  kind: string;
  agent_id: string;
  status: string;
  end_reason: string | null;
  created_at: string;
  duration_seconds: number;
  credits_charged: number;
  user_turns: number;
  agent_turns: number;
  e2e_p50_ms: number | null;
}

export interface SessionPage {
  data: SessionRow[];
  has_more: boolean;
}

/** One turn's latency parts in milliseconds (callwright_shared.calls.records.TurnLatency). */
export interface TurnLatency {
  end_of_turn_ms: number | null;
  transcription_ms: number | null;
  llm_ttft_ms: number | null;
  tts_ttfb_ms: number | null;
  e2e_ms: number | null;
  realtime_ttft_ms: number | null;
}

export type LatencyPart = keyof TurnLatency;

export interface Percentiles {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export type LatencySummary = {
  turns: { user: number; agent: number; interrupted: number };
} & Partial<Record<LatencyPart, Percentiles | null>>;

export interface TimelineItem {
  role: 'user' | 'assistant' | 'event' | 'tool';
  content: string;
  at?: string | null;
  started_speaking_at?: string | null;
  interrupted?: boolean | null;
  latency?: Partial<TurnLatency> | null;
  detail?: string | null;
  tool?: { name: string; latency_ms: number | null; is_error: boolean } | null;
}

export interface TurnBar {
  turn: number;
  at: string | null;
  text: string;
  interrupted: boolean;
  latency: TurnLatency;
}

/** The post-call analysis (callwright_web.console.ConsoleAnalysis): `pending`,
 * `succeeded`, `failed` or `skipped`; the rest is filled once it ran. */
export interface SessionAnalysis {
  status: string;
  summary: string | null;
  success: boolean | null;
  data: Record<string, unknown> | null;
  model: string | null;
  completed_at: string | null;
  error: string | null;
}

export interface SessionView {
  id: string;
  kind: string;
  agent_id: string;
  user_id: string;
  status: string;
  end_reason: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  duration_seconds: number;
  credits_per_minute: number | null;
  credits_per_message: number | null;
  credits_held: number;
  credits_charged: number;
  usage: { models?: { type: string; provider: string; model: string }[] } | null;
  latency: LatencySummary;
  items: TimelineItem[];
  turns: TurnBar[];
  recording: { status: string; duration_seconds: number | null; started_at: string | null } | null;
  analysis: SessionAnalysis | null;
}

export interface SessionFilters {
  agent_id?: string;
  status?: string;
  end_reason?: string;
  from?: string;
  to?: string;
  starting_after?: string;
  limit?: string;
}

export class ConsoleError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
    this.name = 'ConsoleError';
  }
}

async function get<T>(path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { Accept: 'application/json' } });
  } catch {
    throw new ConsoleError('page_backend_unreachable', "This page's server is not answering.");
  }
  let payload: unknown;
  try {
    payload = await response.json();
  } catch {
    throw new ConsoleError('bad_response', 'Unexpected answer from the server.', response.status);
  }
  if (!response.ok) {
    const error = (payload as { error?: ErrorBody }).error;
    throw new ConsoleError(
      error?.code ?? 'internal_error',
      error?.message ?? 'Something went wrong. Try again.',
      response.status,
    );
  }
  return payload as T;
}

export const loadAgents = (): Promise<{ agents: ConsoleAgent[] }> => get('/api/console/agents');

export function loadSessions(filters: SessionFilters): Promise<SessionPage> {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) {
    if (value) query.set(name, value);
  }
  return get(`/api/console/sessions?${query}`);
}

export const loadSession = (id: string): Promise<SessionView> =>
  get(`/api/console/sessions/${encodeURIComponent(id)}`);

// The recording as one in-memory file: seeking to a turn then needs no range requests.
export async function loadRecording(id: string): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(`/api/console/sessions/${encodeURIComponent(id)}/recording`);
  } catch {
    throw new ConsoleError('page_backend_unreachable', "This page's server is not answering.");
  }
  if (!response.ok) {
    let error: ErrorBody | undefined;
    try {
      error = ((await response.json()) as { error?: ErrorBody }).error;
    } catch {
      error = undefined;
    }
    throw new ConsoleError(
      error?.code ?? 'internal_error',
      error?.message ?? 'The recording could not be loaded.',
      response.status,
    );
  }
  return response.blob();
}
