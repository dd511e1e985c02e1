// Monaco (GraphiQL 5's editor) asks MonacoEnvironment for a worker per language. The workers are
// bundled by scripts/build-graphiql.ts into hashed files served by this server; the page passes
// their URLs in data attributes (no inline script, so the CSP can forbid inline scripts).
// This module is imported first so the environment exists before any editor is created.
const root = document.getElementById('graphiql');
const workers = {
  editor: root.dataset.editorWorker,
  json: root.dataset.jsonWorker,
  graphql: root.dataset.graphqlWorker,
};

globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const url = label === 'json' || label === 'graphql' ? workers[label] : workers.editor;
    return new Worker(url, { name: `monaco-${label}` });
  },
};
