import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * Transpiles TypeScript sources to CommonJS in another folder, file by file, without type
 * checking: what `ts-node --transpile-only` does in memory, written to disk instead, so a child
 * process can run plain `node` on the output and its memory holds the app and not the TypeScript
 * compiler (loading `typescript` and ts-node's source maps costs a process tens of MB of RSS).
 *
 * `sources` are files or folders relative to `root`; the output keeps their layout under `outDir`.
 * Imports of packages resolve from `root`'s node_modules when the child runs with
 * NODE_PATH=<root>/node_modules. Returns the number of files written.
 */
export function transpileTree(root: string, sources: string[], outDir: string): number {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error(`Could not read ${root}/tsconfig.json`);
  const compilerOptions: ts.CompilerOptions = {
    ...parsed.options,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    sourceMap: false,
    inlineSourceMap: false,
    declaration: false,
    noEmit: false,
  };
  let written = 0;
  const visit = (rel: string) => {
    const abs = path.join(root, rel);
    if (fs.statSync(abs).isDirectory()) {
      for (const name of fs.readdirSync(abs)) visit(path.join(rel, name));
      return;
    }
    if (!/\.ts$/.test(rel) || /\.d\.ts$/.test(rel)) return;
    const { outputText } = ts.transpileModule(fs.readFileSync(abs, 'utf8'), { compilerOptions, fileName: abs, reportDiagnostics: false });
    const out = path.join(outDir, rel.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, outputText);
    written++;
  };
  for (const source of sources) visit(source);
  return written;
}
