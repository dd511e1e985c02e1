import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { PermanentDeliveryError } from './errors';

/*
 * Outbound requests (webhooks, http job runners) go to URLs an admin typed. Without a check they
 * reach whatever the server can: the database port on loopback, the cloud metadata service at
 * 169.254.169.254, internal services - and the delivery log (status, error) tells the admin key's
 * holder which ports answer. OutboundPolicy refuses such targets twice: when the URL is entered
 * (its literal form, after WHATWG URL parsing has normalized 2130706433, 0x7f.1 and 127.1 into
 * 127.0.0.1) and when a request connects (every address the host name resolves to, and the request
 * connects to exactly those checked addresses, so a second DNS answer cannot differ: no rebinding).
 */

type Address = ipaddr.IPv4 | ipaddr.IPv6;
export type OutboundResolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const NAMES: Record<string, string> = {
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'link-local',
  uniqueLocal: 'unique-local',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
  carrierGradeNat: 'carrier-grade NAT',
};

/** The rule, as users are told it whenever a URL is refused. */
export const OUTBOUND_RULE =
  'outbound URLs must be http or https, without a user name or password, and must not point at a loopback, private, link-local, unique-local, unspecified, multicast, broadcast, reserved or carrier-grade NAT address (IPv4-mapped and embedded forms included) unless OUTBOUND_ALLOW permits the target';

/** A delivery refused because its target is not allowed; permanent, and says nothing about the target. */
export class OutboundBlockedError extends PermanentDeliveryError {
  constructor() {
    super('Refused: the target address is not allowed for outbound requests (see OUTBOUND_ALLOW); nothing was sent');
  }
}

/** Why an OUTBOUND_ALLOW entry is not usable, or null: a CIDR, an address, a host name or *.domain. */
export function outboundAllowEntryProblem(entry: string): string | null {
  if (entry.includes('/')) {
    try {
      ipaddr.parseCIDR(entry);
      return null;
    } catch {
      return `"${entry}" is not a CIDR range such as 10.0.0.0/8 or fd00::/8`;
    }
  }
  if (ipaddr.isValid(entry)) return null;
  return /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(entry) ? null : `"${entry}" is neither a CIDR range, an address nor a host name`;
}

/**
 * The IPv4 address embedded in an IPv6 one, if any: IPv4-mapped (::ffff:0:0/96), IPv4-compatible
 * (::/96, deprecated but still a spelling), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
 */
function embeddedIPv4(a: ipaddr.IPv6): ipaddr.IPv4 | null {
  if (a.isIPv4MappedAddress()) return a.toIPv4Address();
  const b = a.toByteArray();
  const p = a.parts;
  if (p.slice(0, 6).every((x) => x === 0)) return new ipaddr.IPv4(b.slice(12, 16));
  if (p[0] === 0x64 && p[1] === 0xff9b && p.slice(2, 6).every((x) => x === 0)) return new ipaddr.IPv4(b.slice(12, 16));
  if (p[0] === 0x2002) return new ipaddr.IPv4(b.slice(2, 6));
  return null;
}

export class OutboundPolicy {
  private readonly cidrs: [Address, number][] = [];
  private readonly hosts = new Set<string>();
  private readonly domains: string[] = [];

  /** allow: OUTBOUND_ALLOW's entries (checked by outboundAllowEntryProblem at start). */
  constructor(
    allow: readonly string[],
    private readonly resolve: OutboundResolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true }),
  ) {
    for (const entry of allow) {
      if (entry.includes('/')) this.cidrs.push(ipaddr.parseCIDR(entry));
      else if (ipaddr.isValid(entry)) {
        const a = ipaddr.parse(entry);
        this.cidrs.push([a, a.kind() === 'ipv4' ? 32 : 128]);
      } else if (entry.startsWith('*.')) this.domains.push(entry.slice(1).toLowerCase());
      else this.hosts.add(entry.toLowerCase());
    }
  }

  /**
   * Input check of a URL: null when acceptable, else the message for a refusal on `field`. Host
   * names other than localhost pass here; their addresses are checked when a request connects.
   */
  check(raw: string, field = 'url'): string | null {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return `${field} is not a valid URL: ${OUTBOUND_RULE}`;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${field} must use http or https: ${OUTBOUND_RULE}`;
    if (url.username !== '' || url.password !== '') return `${field} must not contain a user name or password (user@host): ${OUTBOUND_RULE}`;
    const host = hostOf(url);
    if (this.hostAllowed(host)) return null;
    if (net.isIP(host)) {
      const why = this.blocked(host);
      return why === null ? null : `${field} points at a ${why} address (${host}): ${OUTBOUND_RULE}`;
    }
    if (host === 'localhost' || host.endsWith('.localhost')) return `${field} points at localhost, a loopback address: ${OUTBOUND_RULE}`;
    return null;
  }

  /**
   * For each request, right before it is sent: the URL is checked again (stored before this rule,
   * or OUTBOUND_ALLOW narrowed since); throws OutboundBlockedError.
   */
  assertAllowed(raw: string): void {
    if (this.check(raw) !== null) throw new OutboundBlockedError();
  }

  /**
   * The `lookup` for http(s).request: resolves the host once, refuses if any address is blocked,
   * and hands the checked addresses to the socket, which connects to them and nothing else.
   */
  readonly lookup = (
    hostname: string,
    options: dns.LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void,
  ): void => {
    const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
    this.resolve(host).then(
      (all) => {
        if (!this.hostAllowed(host) && all.some((a) => this.blocked(a.address) !== null)) return callback(new OutboundBlockedError(), '');
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const wanted = family === 4 || family === 6 ? all.filter((a) => a.family === family) : all;
        if (wanted.length === 0) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), '');
        if (options.all) callback(null, wanted);
        else callback(null, wanted[0].address, wanted[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };

  private hostAllowed(host: string): boolean {
    return this.hosts.has(host) || this.domains.some((d) => host.endsWith(d));
  }

  /** Null for an address outbound requests may reach, else the name of its range. */
  private blocked(text: string): string | null {
    let a: Address;
    try {
      a = ipaddr.process(text); // IPv4-mapped IPv6 becomes its IPv4 address
    } catch {
      return 'unparseable';
    }
    if (this.cidrs.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits))) return null;
    const range = a.range();
    if (range === 'loopback' || range === 'unspecified') return NAMES[range];
    if (a.kind() === 'ipv6') {
      const inner = embeddedIPv4(a as ipaddr.IPv6);
      if (inner) {
        if (this.cidrs.some(([net, bits]) => net.kind() === 'ipv4' && inner.match(net, bits))) return null;
        const innerRange = inner.range();
        return innerRange === 'unicast' ? null : `IPv4-embedded ${NAMES[innerRange] ?? 'reserved'}`;
      }
    }
    return range === 'unicast' ? null : (NAMES[range] ?? 'reserved');
  }
}

/** The URL's host, without IPv6 brackets or a trailing dot, lower case. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}
