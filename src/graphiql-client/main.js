// GraphiQL for ticket-gateway, bundled by scripts/build-graphiql.ts (esbuild) and served by
// src/http/graphiql.route.ts: nothing is loaded from a CDN, so it works on machines without internet.
import './setup-workers.js';
import 'graphiql/style.css';
import '@graphiql/react/font/roboto.css';
import '@graphiql/react/font/fira-code.css';
import './page.css';
import { tryParseJSONC, useGraphiQL, useGraphiQLActions } from '@graphiql/react';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createElement, useEffect } from 'react';
import { createRoot } from 'react-dom/client';

// The page is served at the GraphQL endpoint itself, so the endpoint is wherever this page is
// (this also holds behind a reverse proxy that mounts the service under a prefix).
const endpoint = `${location.origin}${location.pathname}`;
const subscriptionUrl = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${location.pathname}`;

const fetcher = createGraphiQLFetcher({
  url: endpoint,
  // Subscriptions go over graphql-ws on the same path; the headers editor's values (Authorization)
  // become the connection_init payload.
  subscriptionUrl,
  // Apollo's CSRF prevention wants this on any request that is not plain JSON (GET, multipart).
  headers: { 'apollo-require-preflight': 'true' },
  // Apollo Server does not implement incremental delivery (@defer) with graphql 16: plain JSON.
  enableIncrementalDelivery: false,
});

// JSONC: comments are allowed, so the hint is not sent until the user fills it in. Headers (the
// API key) stay out of localStorage unless the user turns "persist headers" on in the settings.
const defaultHeaders = `{
  // Paste an API key and uncomment the next line:
  // "Authorization": "Bearer <your API key>"
}`;

const defaultQuery = `# ticket-gateway GraphiQL
#
# Sign in: set the Authorization header under "Headers" below.
# Schema docs: the book icon on the left. Run: Ctrl-Enter.

query RecentTickets {
  tickets(first: 5) {
    totalCount
    edges {
      node {
        number
        subject
        status
      }
    }
  }
}
`;

/** The headers as GraphiQL would send them (comments dropped), or null while they are not valid JSONC. */
function effectiveHeaders(text) {
  try {
    return JSON.stringify(tryParseJSONC(text) ?? {});
  } catch {
    return null;
  }
}

/**
 * GraphiQL introspects once, when the page loads. In production anonymous callers may not
 * introspect (INTROSPECTION_DISABLED), so the docs showed "Error fetching schema" until a manual
 * refetch even after the user had pasted a key. This introspects again whenever the headers change
 * (once they are valid JSON again and differ from what was last used, after a short pause in
 * typing), and, while the schema cannot be fetched, says on the page what to do.
 */
function SchemaFollowsHeaders() {
  const headerEditor = useGraphiQL((state) => state.headerEditor);
  const fetchError = useGraphiQL((state) => state.fetchError);
  const { introspect } = useGraphiQLActions();
  useEffect(() => {
    if (!headerEditor) return undefined;
    let used = effectiveHeaders(headerEditor.getValue());
    let timer;
    const subscription = headerEditor.onDidChangeModelContent(() => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const now = effectiveHeaders(headerEditor.getValue());
        if (now === null || now === used) return;
        used = now;
        introspect();
      }, 400);
    });
    return () => {
      clearTimeout(timer);
      subscription.dispose();
    };
  }, [headerEditor, introspect]);
  if (!fetchError) return null;
  return createElement(
    'div',
    { className: 'tg-schema-hint', role: 'status' },
    'The schema could not be loaded. If this server requires authentication for it (production), set "Authorization": "Bearer <your API key>" under Headers: the docs reload as soon as the headers change.',
  );
}

createRoot(document.getElementById('graphiql')).render(
  createElement(
    GraphiQL,
    {
      fetcher,
      defaultQuery,
      defaultHeaders,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: 'headers',
    },
    // The footer renders inside GraphiQL's provider, where its store is reachable.
    createElement(GraphiQL.Footer, null, createElement(SchemaFollowsHeaders)),
  ),
);
