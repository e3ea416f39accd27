// The page's own backend (src/callwright/web.py). It holds the API key and calls the
// issuer; the browser only ever sees agent names, its participant token and the outcome.

/** A declared, non-secret variable of an agent: one input of the call form. */
export interface VariableField {
  name: string;
  type: 'string' | 'number' | 'boolean';
  required: boolean;
  default: string | number | boolean | null;
  description: string | null;
}

export type VariableValues = Record<string, string | number | boolean>;

export interface AgentChoice {
  id: string;
  name: string;
  architecture: string;
  missing_keys: string[];
  variables: VariableField[];
}

export interface MissingKey {
  name: string;
  needed_for: string;
}

export interface ErrorBody {
  type: string;
  code: string;
  message: string;
  param?: string;
}

export interface PageConfig {
  agents: AgentChoice[];
  missing_keys: MissingKey[];
  error: ErrorBody | null;
}

export interface CallCreated {
  session_id: string;
  room_name: string;
  token: string;
  livekit_url: string;
  agent_name: string;
  expires_at: string;
}

export interface SaidBefore {
  speaker: 'user' | 'agent';
  text: string;
}

/** The call this tab was in before a reload: a fresh token and what was said so far. */
export interface CallRejoined extends CallCreated {
  transcript: SaidBefore[];
}

export interface CallEnded {
  session_id: string;
  status: string;
  end_reason: string | null;
  duration_seconds: number;
  credits_charged: number;
}

/** An error to show as it is: `message` is written for the person using the page. */
export class PageError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
    this.name = 'PageError';
  }
}

const BACKEND_UNREACHABLE = new PageError(
  'page_backend_unreachable',
  "This page's server is not answering. Is `make run` still running?",
);

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw BACKEND_UNREACHABLE;
  }
  let payload: unknown;
  try {
    payload = await response.json();
  } catch {
    throw new PageError('bad_response', 'Unexpected answer from the server.', response.status);
  }
  if (!response.ok) {
    const error = (payload as { error?: ErrorBody }).error;
    throw new PageError(
      error?.code ?? 'internal_error',
      error?.message ?? 'Something went wrong. Try again.',
      response.status,
    );
  }
  return payload as T;
}

export const loadConfig = (): Promise<PageConfig> => request('GET', '/api/config');

export const startCall = (agentId: string, variables: VariableValues): Promise<CallCreated> =>
  request('POST', '/api/call', { agent_id: agentId, variables });

export const endCall = (sessionId: string): Promise<CallEnded> =>
  request('POST', `/api/calls/${encodeURIComponent(sessionId)}/end`, {});

/** End Session from a tab that is closing: a keepalive request outlives the page, and
 * nobody is left to read its answer. */
export function endCallAsPageCloses(sessionId: string): void {
  void fetch(`/api/calls/${encodeURIComponent(sessionId)}/end`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
    keepalive: true,
  }).catch(() => undefined);
}

export const rejoinCall = (sessionId: string): Promise<CallRejoined> =>
  request('POST', `/api/calls/${encodeURIComponent(sessionId)}/rejoin`, {});

/** A room with no agent and a short-lived token for it: what `ConnectionCheck` needs. */
export interface ConnectionTestOpened {
  livekit_url: string;
  token: string;
}

export const openConnectionTest = (): Promise<ConnectionTestOpened> =>
  request('POST', '/api/connection-test', {});
