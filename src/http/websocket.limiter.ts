import type { WebSocketLimitsConfig } from '../config/config';

/** Close code for a connection over a cap (4429 like HTTP 429: too many). */
export const TOO_MANY_CONNECTIONS = 4429;

/** Why an operation was refused: the message names the setting, `limit` its value. */
export interface CapRefusal {
  message: string;
  limit: number;
}

/**
 * Counts open WebSocket connections per client address and per user, and operations running at
 * once per connection and per user, against WS_MAX_* (README "Limits"). Without caps one key
 * could hold hundreds of sockets with many subscriptions each, every one costing memory and a
 * share of every event's dispatch. Counts live in this process: the caps hold per replica.
 */
export class WebSocketLimiter {
  private readonly byIp = new Map<string, number>();
  private readonly connectionsByUser = new Map<number, number>();
  private readonly operationsByUser = new Map<number, number>();

  constructor(private readonly limits: WebSocketLimitsConfig) {}

  /** A socket opened from `ip`: the reason to close it, or null (then call the returned release when it closes). */
  openFromIp(ip: string): { refused: string | null; release: () => void } {
    const n = bump(this.byIp, ip, 1);
    const release = once(() => bump(this.byIp, ip, -1));
    if (n > this.limits.maxConnectionsPerIp) {
      return { refused: `Too many connections: at most ${this.limits.maxConnectionsPerIp} per address (WS_MAX_CONNECTIONS_PER_IP)`, release };
    }
    return { refused: null, release };
  }

  /** A connection authenticated as `userId`; same contract as openFromIp. */
  openForUser(userId: number): { refused: string | null; release: () => void } {
    const n = bump(this.connectionsByUser, userId, 1);
    const release = once(() => bump(this.connectionsByUser, userId, -1));
    if (n > this.limits.maxConnectionsPerUser) {
      return { refused: `Too many connections: at most ${this.limits.maxConnectionsPerUser} per user (WS_MAX_CONNECTIONS_PER_USER)`, release };
    }
    return { refused: null, release };
  }

  /**
   * One more operation on a connection already running `running` of them: a refusal, or a
   * release to call when the operation ends (counted only when accepted).
   */
  startOperation(userId: number | null, running: number): CapRefusal | (() => void) {
    const perConnection = this.limits.maxSubscriptionsPerConnection;
    if (running >= perConnection) {
      return { message: `Too many operations on this connection: at most ${perConnection} at once (WS_MAX_SUBSCRIPTIONS_PER_CONNECTION); end one first`, limit: perConnection };
    }
    if (userId === null) return () => undefined;
    const perUser = this.limits.maxSubscriptionsPerUser;
    if ((this.operationsByUser.get(userId) ?? 0) >= perUser) {
      return { message: `Too many operations for this user: at most ${perUser} at once over all connections (WS_MAX_SUBSCRIPTIONS_PER_USER); end one first`, limit: perUser };
    }
    bump(this.operationsByUser, userId, 1);
    return once(() => bump(this.operationsByUser, userId, -1));
  }
}

function bump<K>(map: Map<K, number>, key: K, by: number): number {
  const n = (map.get(key) ?? 0) + by;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
  return n;
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
