import { clientAddress } from '../../src/http/limits';
import { createRateLimiter } from '../../src/http/rateLimit';

describe('the token bucket', () => {
  test('a burst at once, then one request per refill interval, with the seconds to wait', () => {
    let t = 0;
    const limiter = createRateLimiter({ perMinute: 6, burst: 3, now: () => t });
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10, first: true });
    t = 4_000;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 6, first: false });
    t = 10_000;
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a')).toMatchObject({ allowed: false, first: true });
    // Other keys have their own buckets.
    expect(limiter.take('b').allowed).toBe(true);
  });

  test('0 per minute turns the limit off', () => {
    const limiter = createRateLimiter({ perMinute: 0, burst: 1 });
    for (let i = 0; i < 1000; i++) expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.size).toBe(0);
  });

  test('idle keys are forgotten and the number of keys is capped', () => {
    let t = 0;
    const limiter = createRateLimiter({ perMinute: 60, burst: 2, maxKeys: 100, now: () => t });
    for (let i = 0; i < 1000; i++) limiter.take(`key-${i}`);
    expect(limiter.size).toBeLessThanOrEqual(100);
    t = 120_000;
    limiter.take('later');
    expect(limiter.size).toBe(1);
  });
});

describe('the client address', () => {
  const req = (remoteAddress: string, forwarded?: string) => ({ socket: { remoteAddress }, headers: forwarded ? { 'x-forwarded-for': forwarded } : {} }) as never;

  test('the socket, unless a trusted proxy says otherwise (its own, last entry)', () => {
    expect(clientAddress(req('::ffff:10.0.0.5', '1.2.3.4'), false)).toBe('10.0.0.5');
    expect(clientAddress(req('10.0.0.5', 'spoofed, 198.51.100.7'), true)).toBe('198.51.100.7');
    expect(clientAddress(req('10.0.0.5'), true)).toBe('10.0.0.5');
  });

  test('IPv6 clients by their /64', () => {
    expect(clientAddress(req('2001:db8:85a3:1:aaaa:bbbb:cccc:dddd'), false)).toBe('2001:db8:85a3:1::/64');
    expect(clientAddress(req('2001:db8:85a3:1::1'), false)).toBe('2001:db8:85a3:1::/64');
    expect(clientAddress(req('2001:db8::1'), false)).toBe('2001:db8:0:0::/64');
    expect(clientAddress(req('::1'), false)).toBe('0:0:0:0::/64');
  });
});
