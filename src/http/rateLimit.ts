/**
 * Token buckets in memory, one per key (a client address, a conversation): `burst` requests at once, refilled
 * at `perMinute`. A full bucket is indistinguishable from a new one, so idle keys are forgotten; the number
 * of keys is capped (keys can come from request bodies), dropping the oldest first.
 */
export interface RateLimitOptions {
  /** Sustained requests per minute per key; 0 turns the limit off. */
  perMinute: number;
  /** Requests accepted at once from a full bucket (at least 1). */
  burst: number;
  /** At most this many keys are remembered. */
  maxKeys?: number;
  now?: () => number;
}

/** The verdict on one request: allowed, or refused with the whole seconds until a request is allowed again. */
export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number; /** The first refusal since the key was last allowed (log once). */ first: boolean };

export interface RateLimiter {
  /** Takes one token from the key's bucket. */
  take(key: string): RateVerdict;
  /** How many keys are remembered (tests). */
  readonly size: number;
}

interface Bucket {
  tokens: number;
  at: number;
  refused: boolean;
}

const ALLOWED: RateVerdict = { allowed: true };
const SWEEP_EVERY_MS = 60_000;

export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const { perMinute } = options;
  const burst = Math.max(1, Math.floor(options.burst));
  const maxKeys = options.maxKeys ?? 100_000;
  const now = options.now ?? Date.now;
  const perMs = perMinute / 60_000;
  const buckets = new Map<string, Bucket>();
  let lastSweep = now();

  const level = (bucket: Bucket, t: number) => Math.min(burst, bucket.tokens + (t - bucket.at) * perMs);

  /** Forgets full buckets (at most once a minute, or when the map is full), then the oldest keys if still full. */
  function sweep(t: number, full: boolean) {
    if (full) {
      lastSweep = t;
      for (const [key, bucket] of buckets) if (level(bucket, t) >= burst) buckets.delete(key);
    }
    while (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value as string);
  }

  return {
    take(key) {
      if (perMinute <= 0) return ALLOWED;
      const t = now();
      if (t - lastSweep >= SWEEP_EVERY_MS) sweep(t, true);
      let bucket = buckets.get(key);
      if (bucket) {
        bucket.tokens = level(bucket, t);
        bucket.at = t;
      } else {
        if (buckets.size >= maxKeys) sweep(t, t - lastSweep >= 1000);
        bucket = { tokens: burst, at: t, refused: false };
        buckets.set(key, bucket);
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        bucket.refused = false;
        return ALLOWED;
      }
      const first = !bucket.refused;
      bucket.refused = true;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)), first };
    },
    get size() {
      return buckets.size;
    },
  };
}
