// Puts the files docs/agent-starter-react.md has users copy where the doc says to put them
// in the starter (app/api/token, app/api/end, lib/), so that the starter's own lint and
// `next build` see them exactly as a user's checkout would. The copies are not committed:
// the examples are the one source.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const copies = [
  ['../nextjs-token-route/app/api/token/route.ts', 'app/api/token/route.ts'],
  ['../nextjs-token-route/app/api/end/route.ts', 'app/api/end/route.ts'],
  ['../react-client/src/callwright-session.ts', 'lib/callwright-session.ts'],
];

for (const [from, to] of copies) {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}
