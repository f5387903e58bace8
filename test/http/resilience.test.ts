import { createEmbeddedStore } from '../../src/store/embedded';
import type { Store } from '../../src/store/port';
import { directLineActivity, post, startBot } from '../fixtures/http';

/**
 * Store-level promises over HTTP: a redelivered activity counts once, a failed write is never acknowledged,
 * the bot recovers by itself when the store comes back, and a respondent can erase their answers.
 */

/** The embedded store behind a switch: while `down`, every call a turn makes fails as an unreachable database would. */
function faultyStore(): { store: Store; setDown(down: boolean): void; writesOnly(on: boolean): void } {
  const inner = createEmbeddedStore({ dir: null });
  let down = false;
  let onlyWrites = false;
  const writes = new Set(['insertResponse', 'replaceResponse', 'appendEvents', 'eraseResponse', 'saveConversation']);
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'init' || prop === 'close') return value;
      return (...args: unknown[]) => {
        if (down && (!onlyWrites || writes.has(String(prop)))) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:27017'));
        return value.apply(target, args);
      };
    },
  });
  return { store, setDown: (d) => (down = d), writesOnly: (on) => (onlyWrites = on) };
}

const texts = (body: any): string => (body?.activities ?? []).map((a: any) => a.text ?? '').join('\n');
const lastQuestion = (body: any): string | undefined => body?.activities?.at(-1)?.channelData?.msq?.questionId;

function respondent(botUrl: string, userId: string, locale = 'en-US') {
  let n = 0;
  return (text: string, fields: Record<string, unknown> = {}) =>
    post(botUrl, directLineActivity('http://127.0.0.1:9/', userId, { text, locale, deliveryMode: 'expectReplies', id: `${userId}-${++n}`, channelData: { clientActivityID: `${userId}-c${n}` }, ...fields }));
}

describe('the same activity delivered twice', () => {
  let bot: Awaited<ReturnType<typeof startBot>>;
  beforeAll(async () => (bot = await startBot()));
  afterAll(() => bot.close());

  test('one after the other: one answer, one event, and the retry is not answered again', async () => {
    const say = respondent(bot.url, 'dup-seq');
    await say('hello');
    const activity = directLineActivity('http://127.0.0.1:9/', 'dup-seq', { text: 'Paraguay', deliveryMode: 'expectReplies', id: 'same-id', channelData: { clientActivityID: 'same-client-id' } });
    const first = await post(bot.url, activity);
    const second = await post(bot.url, activity);
    expect(texts(first.body)).toContain('Saved.');
    expect(second.status).toBe(200);
    expect(texts(second.body)).not.toContain('Saved.');
    const response = (await bot.store.findResponseByRespondent('directline:dup-seq'))!;
    const events = await bot.store.listEvents(response.id);
    expect(events.filter((e) => e.itemId === 'country')).toHaveLength(1);
    expect(lastQuestion(first.body)).toBe('respondent.name');
  });

  test('concurrently: one answer, one event', async () => {
    const say = respondent(bot.url, 'dup-conc');
    await say('hello');
    await say('Paraguay');
    const activity = directLineActivity('http://127.0.0.1:9/', 'dup-conc', { text: 'Ana Giménez', deliveryMode: 'expectReplies', id: 'twice', channelData: { clientActivityID: 'twice-client' } });
    const results = await Promise.all([post(bot.url, activity), post(bot.url, activity), post(bot.url, activity)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results.filter((r) => texts(r.body).includes('Saved.'))).toHaveLength(1);
    const response = (await bot.store.findResponseByRespondent('directline:dup-conc'))!;
    const events = await bot.store.listEvents(response.id);
    expect(events.filter((e) => e.itemId === 'respondent.name')).toHaveLength(1);
    expect(response.answers.filter((a) => a.itemId === 'respondent.name')).toEqual([{ itemId: 'respondent.name', value: 'Ana Giménez' }]);
  });
});

describe('when the database fails', () => {
  test('the answer is not acknowledged, /healthz says 503, and the same answer is accepted once it is back', async () => {
    const faulty = faultyStore();
    const bot = await startBot({}, faulty.store);
    try {
      const say = respondent(bot.url, 'fault-en');
      await say('hello');
      faulty.setDown(true);
      const failed = await say('Paraguay');
      expect(failed.status).toBe(200);
      expect(texts(failed.body)).toContain('NOT saved');
      expect(texts(failed.body)).not.toContain('Saved.');
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(503);

      faulty.setDown(false);
      expect((await bot.store.findResponseByRespondent('directline:fault-en'))!.answers.find((a) => a.itemId === 'country')).toBeUndefined();
      const health = await fetch(`${bot.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', store: 'embedded' });

      const again = await say('Paraguay');
      expect(texts(again.body)).toContain('Saved.');
      expect(lastQuestion(again.body)).toBe('respondent.name');
      const stored = (await bot.store.findResponseByRespondent('directline:fault-en'))!;
      expect(stored.answers.find((a) => a.itemId === 'country')?.value).toBe('PRY');
      expect(stored.country).toEqual({ code: 'PRY', name: 'Paraguay' });
    } finally {
      await bot.close();
    }
  });

  test('a failed write is retried by the channel with the same activity and then processed (the claim was released)', async () => {
    const faulty = faultyStore();
    faulty.writesOnly(true);
    const bot = await startBot({}, faulty.store);
    try {
      await respondent(bot.url, 'fault-es', 'es-ES')('hola');
      const activity = directLineActivity('http://127.0.0.1:9/', 'fault-es', { text: 'Paraguay', locale: 'es-ES', deliveryMode: 'expectReplies', id: 'retry-me', channelData: { clientActivityID: 'retry-me' } });
      faulty.setDown(true);
      const failed = await post(bot.url, activity);
      expect(texts(failed.body)).toContain('NO se guardó');
      faulty.setDown(false);
      const retried = await post(bot.url, activity);
      expect(texts(retried.body)).toContain('Guardado.');
    } finally {
      await bot.close();
    }
  });
});

describe('a respondent erases their answers', () => {
  let bot: Awaited<ReturnType<typeof startBot>>;
  beforeAll(async () => (bot = await startBot()));
  afterAll(() => bot.close());

  test('in Spanish, with confirmation: the answers are gone, an audit event without content remains, and the interview starts afresh', async () => {
    const say = respondent(bot.url, 'erase-es', 'es-ES');
    await say('hola');
    await say('Paraguay');
    await say('Ana Giménez');
    const before = (await bot.store.findResponseByRespondent('directline:erase-es'))!;

    const asked = await say('borrar mis respuestas');
    expect(texts(asked.body)).toMatch(/¿Realmente desea borrar todas sus respuestas/);
    const kept = await say('no');
    expect((await bot.store.findResponseByRespondent('directline:erase-es'))!.answers).toHaveLength(2);
    expect(texts(kept.body)).toContain('No se ha borrado nada');

    await say('borrar mis respuestas');
    const erased = await say('sí');
    expect(texts(erased.body)).toContain('Sus respuestas han sido borradas');
    expect(lastQuestion(erased.body)).toBe('country');
    expect(await bot.store.getResponse(before.id)).toBeNull();
    const fresh = (await bot.store.findResponseByRespondent('directline:erase-es'))!;
    expect(fresh.id).not.toBe(before.id);
    expect(fresh.answers).toEqual([]);

    const events = await bot.store.listEvents(before.id);
    expect(events.at(-1)).toMatchObject({ type: 'erasure', itemId: '*', oldValue: null, newValue: null, who: { channel: 'directline', userId: 'erase-es' } });
    expect(JSON.stringify(events)).not.toContain('Ana Giménez');
  });
});
