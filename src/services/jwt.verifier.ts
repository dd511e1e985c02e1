import { createRemoteJWKSet, errors, jwtVerify, type JWTHeaderParameters, type JWTPayload, type KeyLike, type FlattenedJWSInput } from 'jose';
import type { JwtConfig } from '../config/config';
import { unauthenticated } from '../common/errors';
import type { Logger } from '../common/logger';

/** Three base64url segments: how a JWT is told apart from an API key (tg_..., no dots). */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function looksLikeJwt(token: string): boolean {
  return JWT_SHAPE.test(token);
}

type KeyResolver = (header: JWTHeaderParameters, token: FlattenedJWSInput) => Promise<KeyLike | Uint8Array>;

/**
 * Verifies bearer JWTs: HS256 against JWT_SECRET, RS256/ES256 against the keys at JWKS_URL (fetched
 * and cached by jose, refetched when a token names an unknown kid). The algorithm list is fixed, so
 * `alg: none` and algorithm confusion (an HS256 token signed with a public key) are refused.
 */
export class JwtVerifier {
  private readonly algorithms: string[];
  private readonly key: KeyResolver;

  constructor(
    private readonly config: JwtConfig,
    private readonly log: Logger,
  ) {
    const secret = config.secret ? new TextEncoder().encode(config.secret) : null;
    const jwks = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 5_000 }) : null;
    this.algorithms = [...(secret ? ['HS256'] : []), ...(jwks ? ['RS256', 'ES256'] : [])];
    this.key = async (header, token) => {
      if (header.alg === 'HS256' && secret) return secret;
      if (jwks && (header.alg === 'RS256' || header.alg === 'ES256')) return jwks(header, token);
      throw unauthenticated(`JWT algorithm ${String(header.alg)} is not accepted`);
    };
  }

  /** The username a valid token names, or UNAUTHENTICATED saying which check failed (never the token). */
  async username(token: string): Promise<string> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: this.algorithms,
        issuer: this.config.issuer,
        audience: this.config.audience,
        clockTolerance: this.config.clockToleranceSec,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      const why = reason(err);
      // Claim and signature failures are the caller's; anything else (the JWKS endpoint down) is ours to see.
      if (why === UNKNOWN || why === KEYS_UNAVAILABLE) this.log.warn({ err }, 'JWT verification failed');
      throw unauthenticated(`Invalid JWT: ${why}`);
    }
    const claim = payload[this.config.usernameClaim];
    if (typeof claim !== 'string' || claim.trim() === '') throw unauthenticated(`Invalid JWT: claim ${this.config.usernameClaim} (the username) is missing`);
    return claim.trim().toLowerCase();
  }
}

const UNKNOWN = 'the token could not be verified';
const KEYS_UNAVAILABLE = 'the signing keys could not be fetched';

/** A short, safe explanation; jose's messages are fine for claims, but key-fetch errors may carry internals. */
function reason(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `claim ${err.claim} failed its check (${err.reason})`;
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'signature verification failed';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'algorithm not accepted';
  if (err instanceof errors.JWKSNoMatchingKey) return 'no key in the JWKS matches the token';
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JOSEError && err.code === 'ERR_JWKS_INVALID') return KEYS_UNAVAILABLE;
  if (err instanceof errors.JWTInvalid || err instanceof errors.JWSInvalid) return 'malformed token';
  if (err instanceof Error && err.name === 'AppError') return err.message.replace(/^JWT /, '');
  return UNKNOWN;
}
