/**
 * One fetch() from a separate Node process: reads {url, method, headers, body (base64)} as JSON on
 * stdin, prints {status, contentType, text} or {error, cause} as JSON. A client in the test's own
 * process shares the server's event loop, which hides what a real client sees when the server
 * answers before reading the body (Node's fetch then failed with EPIPE; in-process it did not).
 */
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', async () => {
  const { url, method, headers, body } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  let out;
  try {
    // As a Blob, as FormData sends files: fetch streams it in chunks instead of one write.
    const res = await fetch(url, { method, headers, body: body === undefined ? undefined : new Blob([Buffer.from(body, 'base64')]) });
    out = { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
  } catch (err) {
    out = { error: err.message, cause: String(err.cause ?? '') };
  }
  process.stdout.write(JSON.stringify(out));
});
