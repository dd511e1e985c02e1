import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/*
 * The layering the README's design notes describe, checked on the import graph of src/ (type-only
 * imports included: a type import is still a dependency a reader must follow).
 */

const SRC = path.resolve(__dirname, '../../src');

function importGraph(): Map<string, string[]> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk(SRC);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const deps = importedFiles
      .filter((i) => i.fileName.startsWith('.'))
      .map((i) => path.resolve(path.dirname(file), i.fileName))
      .map((p) => (fs.existsSync(`${p}.ts`) ? `${p}.ts` : path.join(p, 'index.ts')))
      .filter((p) => fs.existsSync(p));
    graph.set(path.relative(SRC, file), deps.map((d) => path.relative(SRC, d)));
  }
  return graph;
}

/** Strongly connected components of more than one file (Tarjan), or a file importing itself. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

function reachable(graph: Map<string, string[]>, from: string): Set<string> {
  const seen = new Set<string>();
  const todo = [from];
  for (let v = todo.pop(); v !== undefined; v = todo.pop()) {
    for (const w of graph.get(v) ?? []) if (!seen.has(w)) todo.push(seen.add(w) && w);
  }
  return seen;
}

const graph = importGraph();

test('the graph is read: the composition root imports the services it builds', () => {
  expect(graph.get('services/services.ts')).toEqual(expect.arrayContaining(['services/ticket.service.ts', 'services/history-writer.ts']));
  expect(graph.size).toBeGreaterThan(100);
});

test('no import cycle anywhere in src, type-only imports included', () => {
  expect(cycles(graph)).toEqual([]);
});

test('the request context carries the request, not services: nothing it depends on is a service', () => {
  for (const file of ['graphql/context.ts', 'graphql/request-context.ts']) {
    expect([...reachable(graph, file)].filter((f) => f.startsWith('services/'))).toEqual([]);
  }
});

test('services do not reach into resolvers or the HTTP edge', () => {
  const offenders = [...graph].filter(([f]) => f.startsWith('services/')).flatMap(([f, deps]) => deps.filter((d) => d.startsWith('resolvers/') || d.startsWith('http/')).map((d) => `${f} -> ${d}`));
  expect(offenders).toEqual([]);
});
