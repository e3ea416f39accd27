// Bundles the page into dist/: app.js (livekit-client included, nothing from a CDN at run
// time), index.html and style.css; and the operator console into dist/console/ (served
// at /console/). `npm run build`; `make web-build` runs it after `npm ci`.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const outdir = new URL('./dist/', import.meta.url);
await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
await build({
  entryPoints: ['src/main.ts'],
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['es2022'],
  outfile: 'dist/app.js',
  logLevel: 'warning',
  legalComments: 'linked',
});
for (const file of ['index.html', 'style.css']) {
  await copyFile(new URL(`./${file}`, import.meta.url), new URL(file, outdir));
}
const consoleDir = new URL('./console/', outdir);
await mkdir(consoleDir, { recursive: true });
await build({
  entryPoints: ['src/console.ts'],
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['es2022'],
  outfile: 'dist/console/console.js',
  logLevel: 'warning',
  legalComments: 'linked',
});
await copyFile(new URL('./console.html', import.meta.url), new URL('index.html', consoleDir));
await copyFile(new URL('./console.css', import.meta.url), new URL('console.css', consoleDir));
console.log('built web/dist');
