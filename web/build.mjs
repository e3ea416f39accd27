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
await copyFile(new URL('./index.html', import.meta.url), new URL('index.html', outdir));
// Each page gets one stylesheet: esbuild inlines the shared base.css it @imports.
const stylesheet = (entry, outfile) =>
  build({ entryPoints: [entry], bundle: true, minify: true, outfile, logLevel: 'warning' });
await stylesheet('style.css', 'dist/style.css');
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
await stylesheet('console.css', 'dist/console/console.css');
console.log('built web/dist');
