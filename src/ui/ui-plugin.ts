/**
 * The schema browser on the public listener: the built page (ui/, compiled by `npm run build`
 * into dist/ui) served as static files under the configured path, plus `config.json`, which
 * tells the page which registry API it opens by default. The files need no credentials: they
 * hold nothing but code; every API call the page makes carries the user's own.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import type { UiConfig } from '../config/gateway-config.js';

export const DEFAULT_UI_PATH = '/ui/';
export const DEFAULT_UI_API_URL = '/';

export interface UiPluginOptions {
  readonly config: UiConfig;
  /** Where relative `assets` paths resolve (the config file's folder). */
  readonly baseDir?: string;
  /** The packaged build's folder (default: this package's dist/ui); tests point it elsewhere. */
  readonly packagedAssets?: string;
}

/**
 * Content-Security-Policy of the page: its own scripts and styles only (nothing is loaded from
 * elsewhere), while API calls may go to another registry the user names (its CORS decides).
 */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src *; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The built assets: `assets` from the config, else this package's dist/ui (the same folder
 * whether the gateway runs compiled from dist/src or from sources under tsx). Undefined when
 * the packaged UI was not built (the gateway run from sources without `npm run build`).
 * @throws Error when the configured `assets` folder holds no built page.
 */
export function uiAssetsDir(config: UiConfig, baseDir = process.cwd(), packaged = join(packageRoot(), 'dist', 'ui')): string | undefined {
  if (config.assets !== undefined) {
    const dir = resolve(baseDir, config.assets);
    if (!existsSync(join(dir, 'index.html'))) throw new Error(`ui.assets: no index.html in ${dir} (a folder of built UI assets is expected)`);
    return dir;
  }
  return existsSync(join(packaged, 'index.html')) ? packaged : undefined;
}

/** What the page's path answers when the UI was not built: it says what to run. */
const NOT_BUILT = 'The schema browser is not built: run `npm run build` (it writes dist/ui), then restart the gateway.\n';

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  // The first package.json above src/ui or dist/src/ui is the package's own.
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the package root');
    dir = up;
  }
  return dir;
}

/** Serves the UI under `config.path`; `{path}config.json` is generated from the config. */
export const uiPlugin: FastifyPluginAsync<UiPluginOptions> = async (app, options) => {
  const path = options.config.path ?? DEFAULT_UI_PATH;
  const root = uiAssetsDir(options.config, options.baseDir, options.packagedAssets);
  if (root === undefined) {
    // The API is served all the same: a missing page must not stop the registry.
    app.log.warn({ path }, 'the schema browser is not built (npm run build); its path answers 503');
    app.get(`${path}*`, (_request, reply) => void reply.code(503).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(NOT_BUILT));
    app.get(path.slice(0, -1), (_request, reply) => void reply.redirect(path, 308));
    return;
  }
  const pageConfig = JSON.stringify({ apiUrl: options.config.apiUrl ?? DEFAULT_UI_API_URL });

  // Registered before the static wildcard: find-my-way prefers the static path.
  app.get(`${path}config.json`, (_request, reply) => {
    void reply.header('cache-control', 'no-cache').type('application/json').send(pageConfig);
  });
  // The mount without its slash: relative asset URLs only resolve under the slash.
  app.get(path.slice(0, -1), (_request, reply) => {
    void reply.redirect(path, 308);
  });
  await app.register(fastifyStatic, {
    root,
    prefix: path,
    decorateReply: false,
    dotfiles: 'ignore',
    // The build writes a .gz beside each asset; clients that accept gzip get it as it is.
    preCompressed: true,
    index: ['index.html'],
    cacheControl: false,
    setHeaders(reply, file) {
      // With preCompressed the file sent may be the .gz beside the one asked for.
      const logical = file.replace(/\.(gz|br)$/, '');
      // Hashed file names under assets/ never change their content; the page itself may.
      void reply.header('cache-control', logical.startsWith(join(root, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache');
      void reply.header('x-content-type-options', 'nosniff');
      if (logical.endsWith('.html')) {
        void reply.header('content-security-policy', CSP);
        void reply.header('referrer-policy', 'no-referrer');
      }
    },
  });
};
