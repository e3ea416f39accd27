// "Test connection": livekit-client's own ConnectionCheck against this deployment's
// LiveKit, in a room of its own with no agent (no provider key needed, nothing charged).
// Each check is one row of #connection-checks with `data-status` (running, success,
// failed, skipped); the list's `data-result` is running, passed or failed when done.

import { type CheckInfo, CheckStatus, ConnectionCheck } from 'livekit-client';
import { PageError, openConnectionTest } from './api';

const STATUS_NAMES: Record<CheckStatus, string> = {
  [CheckStatus.IDLE]: 'idle',
  [CheckStatus.RUNNING]: 'running',
  [CheckStatus.SKIPPED]: 'skipped',
  [CheckStatus.SUCCESS]: 'success',
  [CheckStatus.FAILED]: 'failed',
};

const MARKS: Record<string, string> = {
  idle: '·',
  running: '…',
  skipped: '–',
  success: '✓',
  failed: '✗',
};

// The checks in the order they run (ConnectionCheck numbers them from 0): livekit-client
// names them by class name, which bundling may shorten.
const CHECK_NAMES = ['signal', 'webrtc', 'turn', 'publish-audio'];

function row(id: number, info: CheckInfo): HTMLLIElement {
  const status = STATUS_NAMES[info.status];
  const item = document.createElement('li');
  item.className = `check check-${status}`;
  item.dataset.status = status;
  item.dataset.name = CHECK_NAMES[id] ?? info.name;
  const title = document.createElement('div');
  title.className = 'check-title';
  title.textContent = `${MARKS[status]} ${info.description}`;
  item.append(title);
  // What the check said: errors and warnings always (a skipped TURN check says why).
  for (const log of info.logs.filter((l) => l.level !== 'info' || status === 'failed')) {
    const line = document.createElement('div');
    line.className = `check-log check-log-${log.level}`;
    line.textContent = log.message;
    item.append(line);
  }
  return item;
}

/** Run the checks one after another, re-rendering `list` on every update. */
async function run(list: HTMLElement): Promise<boolean> {
  const results = new Map<number, CheckInfo>();
  const render = (): void => {
    list.replaceChildren(
      ...[...results.keys()].sort((a, b) => a - b).map((id) => row(id, results.get(id)!)),
    );
  };
  list.dataset.result = 'running';
  list.replaceChildren();
  let opened;
  try {
    opened = await openConnectionTest();
  } catch (error) {
    const message = error instanceof PageError ? error.message : String(error);
    const item = document.createElement('li');
    item.className = 'check check-failed';
    item.dataset.status = 'failed';
    item.textContent = `✗ Could not start the test: ${message}`;
    list.replaceChildren(item);
    list.dataset.result = 'failed';
    return false;
  }
  const check = new ConnectionCheck(opened.livekit_url, opened.token);
  check.on('checkUpdate', (id, info) => {
    results.set(id, info);
    render();
  });
  // Signal (WebSocket), WebRTC (ICE over UDP or TCP), TURN (relay only; skipped when the
  // server offers none), publishing the microphone.
  await check.checkWebsocket();
  await check.checkWebRTC();
  await check.checkTURN();
  await check.checkPublishAudio();
  const passed = check.isSuccess();
  list.dataset.result = passed ? 'passed' : 'failed';
  return passed;
}

/** Wire the button to the list: one test at a time. */
export function wireConnectionTest(button: HTMLButtonElement, list: HTMLElement): void {
  button.addEventListener('click', () => {
    button.disabled = true;
    void run(list).finally(() => {
      button.disabled = false;
    });
  });
}
