/**
 * Bundles GraphiQL (src/graphiql-client, with React and the Monaco editor workers) into static
 * files under dist/graphiql, served by src/http/graphiql.route.ts. Runs as part of `npm run build`
 * (`npm run build:graphiql` alone); the browser test calls buildGraphiql() when the bundle is
 * missing or older than its sources.
 *
 * Output: dist/graphiql/assets/ (content-hashed names, so they can be cached forever, each script
 * and stylesheet also as .gz) and dist/graphiql/manifest.json (which file is the entry script, its
 * CSS and each worker).
 */
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { build, type Metafile, type Plugin } from 'esbuild';

export const GRAPHIQL_DIST_DIR = path.resolve(__dirname, '..', 'dist', 'graphiql');
export const GRAPHIQL_CLIENT_DIR = path.resolve(__dirname, '..', 'src', 'graphiql-client');

/** Written last, so a manifest means a complete bundle. Paths are relative to assets/. */
export interface GraphiqlManifest {
  script: string;
  css: string;
  workers: { editor: string; json: string; graphql: string };
}

const WORKERS = {
  editor: 'monaco-editor/esm/vs/editor/editor.worker.js',
  json: 'monaco-editor/esm/vs/language/json/json.worker.js',
  graphql: 'monaco-graphql/esm/graphql.worker.js',
} as const;

/**
 * graphiql/style.css already contains Monaco's styles; Monaco's ESM modules also import their own
 * CSS files one by one. Dropping those imports keeps one copy of each rule.
 */
const skipMonacoCss: Plugin = {
  name: 'skip-monaco-css',
  setup(b) {
    b.onResolve({ filter: /\.css$/ }, (args) =>
      args.kind === 'import-statement' && /[\\/]node_modules[\\/]monaco-editor[\\/]/.test(args.importer)
        ? { path: args.path, namespace: 'skip-monaco-css' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'skip-monaco-css' }, () => ({ contents: '', loader: 'css' }));
  },
};

const ROOT = path.resolve(__dirname, '..');

/** The output file (relative to outDir, URL style) that esbuild produced for an entry point. */
function outputFor(metafile: Metafile, outDir: string, entry: string, kind: 'js' | 'css'): string {
  const wanted = fs.realpathSync(entry);
  for (const [file, out] of Object.entries(metafile.outputs)) {
    if (out.entryPoint && fs.realpathSync(path.resolve(ROOT, out.entryPoint)) === wanted && file.endsWith('.js')) {
      const chosen = kind === 'js' ? file : out.cssBundle;
      if (chosen) return path.relative(outDir, path.resolve(ROOT, chosen)).split(path.sep).join('/');
    }
  }
  throw new Error(`esbuild produced no ${kind} output for ${entry}`);
}

/** Builds into a temporary folder, then swaps it in, so a running server never sees half a bundle. */
export async function buildGraphiql(distDir: string = GRAPHIQL_DIST_DIR): Promise<GraphiqlManifest> {
  const staging = `${distDir}.tmp-${process.pid}-${Date.now()}`;
  const assets = path.join(staging, 'assets');
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    const common = {
      absWorkingDir: ROOT,
      bundle: true,
      minify: true,
      outdir: assets,
      metafile: true as const,
      logLevel: 'warning' as const,
      legalComments: 'none' as const,
      target: ['chrome111', 'firefox111', 'safari16.4'],
      define: { 'process.env.NODE_ENV': '"production"' },
      entryNames: '[name]-[hash]',
      assetNames: '[name]-[hash]',
    };
    // Classic (non-module) workers work in every browser Monaco supports.
    const workerEntries = Object.fromEntries(Object.entries(WORKERS).map(([name, mod]) => [`${name}.worker`, require.resolve(mod)]));
    const workersBuild = build({ ...common, entryPoints: workerEntries, format: 'iife' });
    const mainEntry = path.join(GRAPHIQL_CLIENT_DIR, 'main.js');
    // ES modules with code splitting: prettier, the JSON language and other parts GraphiQL loads
    // with import() become chunks fetched on first use.
    const mainBuild = build({
      ...common,
      entryPoints: [mainEntry],
      format: 'esm',
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file', '.png': 'file' },
      plugins: [skipMonacoCss],
      // @graphiql/react's Prettify imports the parsers from prettier 3's legacy paths
      // (prettier/parser-graphql, prettier/parser-babel), which prettier maps to UMD builds. Bundled,
      // those hand back no `parsers` export, so standalone prettier failed with 'Couldn't resolve
      // parser "graphql"' (and "jsonc" for the headers and variables) and Prettify did nothing. The
      // ES module builds of the same plugins export `parsers` as GraphiQL expects.
      alias: { 'prettier/parser-graphql': 'prettier/plugins/graphql', 'prettier/parser-babel': 'prettier/plugins/babel' },
    });
    const [workers, main] = await Promise.all([workersBuild, mainBuild]);

    // Precompressed copies (Monaco makes the bundle a few MB): the route sends them to browsers that
    // accept gzip, so nothing is compressed per request.
    const gzip = promisify(zlib.gzip);
    const files = [...Object.keys(workers.metafile.outputs), ...Object.keys(main.metafile.outputs)].filter((f) => /\.(js|css)$/.test(f));
    await Promise.all(files.map(async (f) => {
      const file = path.resolve(ROOT, f);
      fs.writeFileSync(`${file}.gz`, await gzip(fs.readFileSync(file), { level: 6 }));
    }));

    const manifest: GraphiqlManifest = {
      script: outputFor(main.metafile, assets, mainEntry, 'js'),
      css: outputFor(main.metafile, assets, mainEntry, 'css'),
      workers: {
        editor: outputFor(workers.metafile, assets, workerEntries['editor.worker'], 'js'),
        json: outputFor(workers.metafile, assets, workerEntries['json.worker'], 'js'),
        graphql: outputFor(workers.metafile, assets, workerEntries['graphql.worker'], 'js'),
      },
    };
    fs.writeFileSync(path.join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

    fs.rmSync(distDir, { recursive: true, force: true });
    try {
      fs.renameSync(staging, distDir);
    } catch (err) {
      // Another build (a parallel test run) swapped its copy in first: both are built from the same sources.
      if (!fs.existsSync(path.join(distDir, 'manifest.json'))) throw err;
      return JSON.parse(fs.readFileSync(path.join(distDir, 'manifest.json'), 'utf8')) as GraphiqlManifest;
    }
    return manifest;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const started = Date.now();
  buildGraphiql().then(
    (manifest) => console.log(`GraphiQL bundled into ${path.relative(process.cwd(), GRAPHIQL_DIST_DIR)} (${manifest.script}) in ${Date.now() - started} ms`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
