/**
 * A pure function of a text, remembering its results: the bot reads and renders the same texts over and over
 * (the questionnaire's wording, "yes", "skip"), and each costs regular expressions and allocations every time.
 * At most `max` texts and `chars` characters of them are kept (all forgotten at once when full), and texts longer
 * than `longest` are never kept, so a stream of different long answers cannot grow the memory. The results are
 * shared: callers must not change them (arrays and objects are frozen).
 */
export function remember<T>(
  fn: (text: string) => T,
  { max = 2_000, longest = 1_000, chars = 200_000 }: { max?: number; longest?: number; chars?: number } = {},
): (text: string) => T {
  const known = new Map<string, T>();
  let kept = 0;
  return (text) => {
    const hit = known.get(text);
    if (hit !== undefined) return hit;
    const result = fn(text);
    if (text.length <= longest) {
      if (known.size >= max || kept + text.length > chars) {
        known.clear();
        kept = 0;
      }
      known.set(text, deepFreeze(result));
      kept += text.length;
    }
    return result;
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
