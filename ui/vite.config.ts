/**
 * Builds the schema browser into dist/ui (served by src/ui/ui-plugin.ts). Relative asset URLs
 * (`base: './'`) let the gateway mount it under any path. After the bundle is written, a gzip
 * copy of each text file is written beside it (the gateway serves those as they are) and the
 * total gzip size is printed: the README states it.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';

const root = import.meta.dirname;
const outDir = process.env.PRISM_UI_OUT_DIR ? resolve(process.env.PRISM_UI_OUT_DIR) : resolve(root, '../dist/ui');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Writes `<file>.gz` for each HTML, JS, CSS and SVG file and reports the gzip total. */
function precompress(): Plugin {
  return {
    name: 'prism-precompress',
    apply: 'build',
    closeBundle() {
      let total = 0;
      for (const file of filesUnder(outDir)) {
        if (!/\.(html|js|css|svg|json)$/.test(file)) continue;
        const gz = gzipSync(readFileSync(file), { level: 9 });
        total += gz.length;
        writeFileSync(`${file}.gz`, gz);
      }
      console.log(`prism ui: ${(total / 1024).toFixed(1)} KiB gzipped in all`);
    },
  };
}

export default defineConfig({
  root,
  base: './',
  // prerendering is the preset's option; the page is rendered in the browser.
  plugins: [preact({ prerender: { enabled: false } }), precompress()],
  logLevel: 'warn',
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    // One small file: no preload helper, no chunks to wait for.
    modulePreload: false,
    reportCompressedSize: false,
    sourcemap: false,
  },
});
