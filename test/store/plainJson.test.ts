import { isPlainJson, jsonObjectSchema } from '../../src/store/port';

/** What the stores accept as opaque JSON (engine states, conversation references): only what JSON keeps as it is. */
describe('plain JSON (the engine state and conversation references a store accepts)', () => {
  it('accepts nested objects, arrays, strings, finite numbers, booleans and null', () => {
    const shared = { id: 'q1' };
    expect(isPlainJson({ phase: 'asking', path: ['q1', 'q2'], nested: { a: [1, 2.5, -3, { b: null, c: true }] }, one: shared, two: shared })).toBe(true);
    expect(isPlainJson(Object.assign(Object.create(null) as object, { key: 'value' }))).toBe(true);
    expect(isPlainJson({ ['__proto__']: 'x', 'a.b': 'y' })).toBe(true);
    // A hole of a sparse array is written as null by JSON.stringify: accepted, as before.
    expect(isPlainJson({ list: [1, , 3] })).toBe(true);
  });

  it('refuses what JSON would change or lose: dates, undefined, NaN, Infinity, functions, class instances', () => {
    expect(isPlainJson({ at: new Date() })).toBe(false);
    expect(isPlainJson({ gone: undefined })).toBe(false);
    expect(isPlainJson({ list: [1, undefined] })).toBe(false);
    expect(isPlainJson({ n: Number.NaN })).toBe(false);
    expect(isPlainJson({ deep: [{ n: Infinity }] })).toBe(false);
    expect(isPlainJson({ f: () => 1 })).toBe(false);
    expect(isPlainJson({ m: new Map() })).toBe(false);
    expect(isPlainJson({ big: BigInt(1) })).toBe(false);
  });

  it('refuses a cycle, however deep, and keeps walking correctly after a refusal', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = { inner: [a] };
    expect(isPlainJson(a)).toBe(false);
    const list: unknown[] = [];
    list.push({ back: list });
    expect(isPlainJson({ list })).toBe(false);
    expect(isPlainJson({ first: { bad: new Date() }, second: 'fine' })).toBe(false);
  });

  it('is what the schema of an opaque object checks (and an array is not an object)', () => {
    expect(jsonObjectSchema.safeParse({ a: 1 }).success).toBe(true);
    expect(jsonObjectSchema.safeParse([1]).success).toBe(false);
    expect(jsonObjectSchema.safeParse({ at: new Date() }).success).toBe(false);
  });
});
