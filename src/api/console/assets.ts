import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * The console's files, built once per process: the TypeScript of src/console bundled by esbuild, its stylesheet,
 * and chart.js's own UMD build from node_modules (no CDN). Each asset is named by a hash of its content, so it can
 * be cached for good; the page that names them is not cached.
 */
export interface Asset {
  body: Buffer;
  contentType: string;
}

export interface ConsoleAssets {
  /** The page at /console, naming the assets by their hashed names. */
  page: Buffer;
  /** By hashed name, e.g. `app.1a2b3c4d5e.js`. */
  assets: ReadonlyMap<string, Asset>;
}

const CONSOLE_DIR = path.resolve(__dirname, '../../console');
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** chart.js exports no subpath for its UMD build: it sits beside the CommonJS entry point. */
function chartJsPath(): string {
  return path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js');
}

async function bundleApp(): Promise<Buffer> {
  const result = await build({
    entryPoints: [path.join(CONSOLE_DIR, 'main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  // esbuild's helper process stays (tsx, under npm start, shares it); it is unref'd and ends with the service.
  return Buffer.from(result.outputFiles[0].contents);
}

function hashedName(base: string, ext: string, body: Buffer): string {
  return `${base}.${createHash('sha256').update(body).digest('hex').slice(0, 12)}.${ext}`;
}

async function buildAssets(): Promise<ConsoleAssets> {
  const [app, css, chart, template] = await Promise.all([
    bundleApp(),
    readFile(path.join(CONSOLE_DIR, 'console.css')),
    readFile(chartJsPath()),
    readFile(path.join(CONSOLE_DIR, 'index.html'), 'utf8'),
  ]);
  const files = { 'app.js': [app, JS], 'app.css': [css, CSS], 'chart.js': [chart, JS] } as const;
  const assets = new Map<string, Asset>();
  let page = template;
  for (const [name, [body, contentType]] of Object.entries(files)) {
    const [base, ext] = name.split('.');
    const hashed = hashedName(base, ext, body);
    assets.set(hashed, { body, contentType });
    page = page.replace(`{{${name}}}`, `/console/assets/${hashed}`);
  }
  return { page: Buffer.from(page), assets };
}

let built: Promise<ConsoleAssets> | undefined;

/** The assets, built at the first call; a failed build is tried again at the next one. */
export function consoleAssets(): Promise<ConsoleAssets> {
  built ??= buildAssets().catch((err: unknown) => {
    built = undefined;
    throw err;
  });
  return built;
}
