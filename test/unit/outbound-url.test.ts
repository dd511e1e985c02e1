import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { postOutbound } from '../../src/common/outbound-post';
import { OutboundBlockedError, OutboundPolicy, type OutboundResolver } from '../../src/common/outbound-url';

// Names resolve through this table only: the tests never touch DNS or any address but loopback.
const table = (entries: Record<string, string[]>, calls: string[] = []): OutboundResolver => async (host) => {
  calls.push(host);
  const list = entries[host];
  if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

describe('check (input)', () => {
  const policy = new OutboundPolicy([]);
  test.each([
    ['http://127.0.0.1/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[::1]/', 'loopback'],
    ['http://localhost/', 'localhost'],
    ['http://a.b.localhost./', 'localhost'],
    ['http://169.254.169.254/', 'link-local'],
    ['http://[::ffff:169.254.169.254]/', 'link-local'],
    ['http://[fe80::1]/', 'link-local'],
    ['http://10.1.2.3/', 'private'],
    ['http://192.168.0.1/', 'private'],
    ['http://172.31.255.255/', 'private'],
    ['http://[fc00::1]/', 'unique-local'],
    ['http://0.0.0.0/', 'unspecified'],
    ['http://[::]/', 'unspecified'],
    ['http://224.0.0.251/', 'multicast'],
    ['http://[ff02::1]/', 'multicast'],
    ['http://255.255.255.255/', 'broadcast'],
    ['http://100.64.1.1/', 'carrier-grade NAT'],
    ['http://240.0.0.1/', 'reserved'],
    ['http://[64:ff9b::a00:1]/', 'IPv4-embedded private'],
    ['http://[2002:7f00:1::]/', 'IPv4-embedded loopback'],
    ['http://[::127.0.0.1]/', 'IPv4-embedded loopback'],
    ['http://[::a9fe:a9fe]/', 'IPv4-embedded link-local'],
    ['http://[64:ff9b:1::a00:1]/', 'reserved'],
    ['http://example.com@127.0.0.1:3306', 'user name or password'],
    ['http://u:p@hooks.example.com/', 'user name or password'],
    ['gopher://hooks.example.com/', 'http or https'],
    ['not a url', 'not a valid URL'],
  ])('refuses %s (%s), naming the field and the rule', (url, why) => {
    const message = policy.check(url, 'url');
    expect(message).toContain(why);
    expect(message).toMatch(/^url /);
    expect(message).toContain('OUTBOUND_ALLOW');
  });

  test.each(['https://hooks.example.com/x', 'http://93.184.215.14:8080/x', 'https://[2606:4700::1]/', 'http://[::ffff:8.8.8.8]/', 'http://[64:ff9b::808:808]/'])('accepts %s', (url) => {
    expect(policy.check(url)).toBeNull();
  });

  test('OUTBOUND_ALLOW entries permit on-premises targets, and only those', () => {
    const allowed = new OutboundPolicy(['10.0.0.0/8', '127.0.0.1', 'hooks.internal.example', '*.corp.example']);
    expect(allowed.check('http://10.20.30.40/')).toBeNull();
    expect(allowed.check('http://[::ffff:10.0.0.1]/')).toBeNull();
    expect(allowed.check('http://127.0.0.1:8080/')).toBeNull();
    expect(allowed.check('http://127.0.0.2/')).toContain('loopback');
    expect(allowed.check('http://192.168.1.1/')).toContain('private');
    expect(allowed.check('http://hooks.internal.example/')).toBeNull();
    expect(allowed.check('http://user@10.0.0.1/')).toContain('user name or password'); // never allowed
  });
});

describe('postOutbound (delivery)', () => {
  let receiver: http.Server;
  let port: number;
  let hits: string[] = [];
  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      hits.push(`${req.headers.host} ${req.url}`);
      req.resume();
      if (req.url === '/redirect') res.writeHead(302, { location: `http://127.0.0.1:${port}/elsewhere` }).end();
      else res.writeHead(204).end();
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    port = (receiver.address() as AddressInfo).port;
  });
  beforeEach(() => {
    hits = [];
  });
  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  test('a name that resolves to a blocked address is refused before any connection (DNS rebinding)', async () => {
    const policy = new OutboundPolicy([], table({ 'rebind.test': ['127.0.0.1'] }));
    await expect(postOutbound(policy, `http://rebind.test:${port}/hook`, {}, '{}', 5000)).rejects.toBeInstanceOf(OutboundBlockedError);
    expect(hits).toEqual([]);
  });

  test('one blocked address among the answers is enough to refuse', async () => {
    const policy = new OutboundPolicy([], table({ 'mixed.test': ['93.184.215.14', '::ffff:169.254.169.254'] }));
    await expect(postOutbound(policy, `http://mixed.test:${port}/hook`, {}, '{}', 5000)).rejects.toThrow(/not allowed for outbound requests/);
  });

  test('the request connects to the address that was checked, resolving once', async () => {
    // rebind.test exists only in this table: reaching the receiver proves the socket used it.
    const calls: string[] = [];
    const policy = new OutboundPolicy(['127.0.0.1/32'], table({ 'rebind.test': ['127.0.0.1'] }, calls));
    expect(await postOutbound(policy, `http://rebind.test:${port}/hook`, { 'content-type': 'application/json' }, '{}', 5000)).toBe(204);
    expect(hits).toEqual([`rebind.test:${port} /hook`]);
    expect(calls).toEqual(['rebind.test']);
  });

  test('an allowed host name skips the address check', async () => {
    const policy = new OutboundPolicy(['hooks.internal.example'], table({ 'hooks.internal.example': ['127.0.0.1'] }));
    expect(await postOutbound(policy, `http://hooks.internal.example:${port}/hook`, {}, '{}', 5000)).toBe(204);
  });

  test('a literal blocked address is refused at delivery too (URLs stored before the rule)', async () => {
    await expect(postOutbound(new OutboundPolicy([]), `http://127.0.0.1:${port}/hook`, {}, '{}', 5000)).rejects.toBeInstanceOf(OutboundBlockedError);
    await expect(postOutbound(new OutboundPolicy([]), `http://0x7f.1:${port}/hook`, {}, '{}', 5000)).rejects.toBeInstanceOf(OutboundBlockedError);
    expect(hits).toEqual([]);
  });

  test('redirects are not followed', async () => {
    expect(await postOutbound(new OutboundPolicy(['127.0.0.1/32']), `http://127.0.0.1:${port}/redirect`, {}, '{}', 5000)).toBe(302);
    expect(hits).toEqual([`127.0.0.1:${port} /redirect`]);
  });
});
