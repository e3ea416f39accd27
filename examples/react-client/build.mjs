// Bundles the example with esbuild (no framework): dist/index.html and dist/main.js.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';

await mkdir('dist', { recursive: true });
await build({
  entryPoints: ['src/main.tsx'],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  minify: true,
  define: { 'process.env.NODE_ENV': '"production"' },
  outfile: 'dist/main.js',
  logLevel: 'warning',
});
await copyFile('index.html', 'dist/index.html');
