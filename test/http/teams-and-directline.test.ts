import { englishScript, spanishScript } from '../fixtures/answers';
import { storesUnderTest, type StoragePlace } from '../fixtures/stores';
import { directLineActivity, post, prompts, readable, startBot, startChannel, teamsActivity, type Recorded } from '../fixtures/http';

type Bot = Awaited<ReturnType<typeof startBot>>;
type Channel = Awaited<ReturnType<typeof startChannel>>;

jest.setTimeout(120_000);

/** The whole HTTP run, and the rest of this file, on each store: the embedded one and MongoDB (the test run's live server). */
describe.each(storesUnderTest)('on the %s', (_label, storage) => {
  let bot: Bot;
  let channel: Channel;
  let place: StoragePlace;
  beforeAll(async () => {
    channel = await startChannel();
    place = storage.place('http');
    bot = await startBot({}, place.open());
  });
  afterAll(async () => {
    await bot?.close();
    await channel?.close();
    await place?.remove();
  });

  const lastPrompt = (calls: Recorded[]) => prompts(calls).at(-1)!;

  /** Answers every prompt from the script (skipping what it lacks), the way a respondent clicks or types in that channel. */
  async function answerAll(send: (prompt: Recorded, answer: string) => Promise<void>, script: Record<string, string>, skip: string) {
    const seen: string[] = [];
    for (let i = 0; i < 200; i++) {
      const prompt = lastPrompt(channel.calls);
      const msq = prompt.activity.channelData.msq;
      expect(msq).toEqual(expect.objectContaining({ questionId: expect.any(String), section: expect.any(String), kind: expect.any(String), required: expect.any(Boolean) }));
      expect(msq.progress).toEqual(expect.objectContaining({ questions: 44, answered: expect.any(Number) }));
      seen.push(msq.questionId);
      if (msq.questionId === 'submit') return seen;
      await send(prompt, script[msq.questionId] ?? skip);
    }
    throw new Error('the questionnaire did not end');
  }

  describe('a Teams respondent, over HTTP', () => {
    test('is greeted, answers by cards and typing, and submits; the answered card is updated', async () => {
      const user = { aadObjectId: 'aad-teams-en' };
      const start = channel.calls.length;
      const greet = await post(bot.url, teamsActivity(channel.url, user, { type: 'conversationUpdate', membersAdded: [{ id: '29:aad-teams-en-teams' }, { id: '28:msq-bot' }] }));
      expect(greet.status).toBe(200);
      const greeting = channel.calls.slice(start).map((c) => readable(c.activity)).join('\n');
      expect(greeting).toContain('Member States Questionnaire (MSQ) for the United Nations E-Government Survey 2022');
      expect(greeting).toContain('idioma es');
      expect(lastPrompt(channel.calls).activity.channelData.msq.questionId).toBe('country');

      await answerAll(async (prompt, answer) => {
        const msq = prompt.activity.channelData.msq;
        const card = prompt.activity.attachments?.[0];
        let activity;
        if (card && msq.kind === 'yesno' && /^(yes|no)$/.test(answer)) {
          activity = teamsActivity(channel.url, user, { text: undefined, replyToId: prompt.id, value: { msq: { questionId: msq.questionId, answer } } });
        } else if (card && (msq.kind === 'multi' || msq.kind === 'choice') && answer !== 'skip') {
          const ids = msq.kind === 'multi' && englishScript[msq.questionId] === 'AI and IoT' ? 'ai,iot' : msq.questionId === 'respondent.capacity' ? 'authorized,collective' : answer;
          activity = teamsActivity(channel.url, user, { text: undefined, replyToId: prompt.id, value: { msq: { questionId: msq.questionId }, answer: ids } });
        } else {
          activity = teamsActivity(channel.url, user, { text: answer });
        }
        const res = await post(bot.url, activity);
        expect(res.status).toBe(200);
      }, englishScript, 'skip');

      // The card of a clicked question was replaced by one showing the answer, without buttons.
      const updates = channel.calls.filter((c) => c.method === 'PUT');
      expect(updates.length).toBeGreaterThan(10);
      const consentCard = JSON.stringify(updates.at(-1)!.activity.attachments[0].content);
      expect(consentCard).toContain('I/We authorize UN DESA');
      expect(consentCard).not.toContain('Action.Submit');

      // A click on an old card is answered politely and changes nothing.
      const before = (await bot.store.findResponseByRespondent('msteams:aad-teams-en'))!;
      const q4 = prompts(channel.calls).find((c) => c.activity.channelData.msq.questionId === 'q4')!;
      await post(bot.url, teamsActivity(channel.url, user, { text: undefined, replyToId: q4.id, value: { msq: { questionId: 'q4', answer: 'no' } } }));
      expect(readable(channel.calls.at(-2)!.activity) + readable(channel.calls.at(-1)!.activity)).toContain('earlier question');
      expect((await bot.store.findResponseByRespondent('msteams:aad-teams-en'))!.version).toBe(before.version);

      const submit = lastPrompt(channel.calls);
      await post(bot.url, teamsActivity(channel.url, user, { text: undefined, replyToId: submit.id, value: { msq: { questionId: 'submit', answer: 'yes' } } }));
      const stored = (await bot.store.findResponseByRespondent('msteams:aad-teams-en'))!;
      expect(stored.status).toBe('submitted');
      expect(stored.country).toEqual({ code: 'PRY', name: 'Paraguay' });
      const answer = (id: string) => stored.answers.find((a) => a.itemId === id)?.value;
      expect(answer('respondent.capacity')).toEqual(['authorized', 'collective']);
      expect(answer('q29')).toEqual(['ai', 'iot']);
      expect(answer('q9.detail')).toBe(englishScript.q9.replace(/^Yes — /, ''));
      expect(answer('consent')).toBe('yes');
      expect(readable(channel.calls.at(-1)!.activity)).toContain('Thank you for taking time to complete this important questionnaire.');
    });

    test('an answer that is not understood gets one text message, not a second card; the first card still answers', async () => {
      const user = { aadObjectId: 'aad-teams-retry' };
      const say = (fields: Record<string, unknown>) => post(bot.url, teamsActivity(channel.url, user, fields));
      await say({ text: 'hello' });
      await say({ text: 'edit respondent.capacity' });
      const card = lastPrompt(channel.calls);
      expect(card.activity.channelData.msq.questionId).toBe('respondent.capacity');
      // The options are numbered, as the hint says ("their numbers (for example 1, 3)").
      const choices = card.activity.attachments[0].content.body.find((e: any) => e.type === 'Input.ChoiceSet').choices;
      expect(choices[0].title).toMatch(/^1 — I am authorized/);
      expect(readable(card.activity)).toContain('their numbers (for example 1, 3)');

      const start = channel.calls.length;
      await say({ text: '9' });
      const retry = channel.calls.slice(start);
      expect(retry.map((c) => [c.method, c.activity.attachments, c.activity.channelData?.msq?.questionId])).toEqual([['POST', undefined, 'respondent.capacity']]);
      expect(retry[0].activity.text).toContain('numbers from 1 to');

      // The card shown first still answers, and is the one updated.
      await say({ text: undefined, replyToId: card.id, value: { msq: { questionId: 'respondent.capacity' }, answer: 'authorized' } });
      const update = channel.calls.filter((c) => c.method === 'PUT').at(-1)!;
      expect(update.id).toBe(card.id);
      expect(readable(update.activity)).toContain('I am authorized');
    });

    test('a Teams client in Spanish (clientInfo es-ES) is interviewed in Spanish', async () => {
      const user = { aadObjectId: 'aad-teams-es' };
      const start = channel.calls.length;
      await post(bot.url, teamsActivity(channel.url, user, { text: 'hola', entities: [{ type: 'clientInfo', locale: 'es-ES' }] }));
      const text = channel.calls.slice(start).map((c) => readable(c.activity)).join('\n');
      expect(text).toContain('Cuestionario para los Estados Miembros');
      expect(text).toContain('language en');
    });

    test('with deliveryMode expectReplies the replies come back in the HTTP response', async () => {
      const user = { aadObjectId: 'aad-expect' };
      const res = await post(bot.url, teamsActivity(channel.url, user, { text: 'hello', deliveryMode: 'expectReplies' }));
      expect(res.status).toBe(200);
      const replies = res.body.activities as Array<Record<string, any>>;
      expect(replies.at(-1)!.channelData.msq.questionId).toBe('country');
      const next = await post(bot.url, teamsActivity(channel.url, user, { text: 'Paraguay', deliveryMode: 'expectReplies' }));
      expect(next.body.activities.map((a: any) => a.text).join('\n')).toContain('Saved.');
      expect(next.body.activities.at(-1).channelData.msq).toMatchObject({ questionId: 'respondent.name', progress: { question: null, questions: 44, section: 'respondent' } });
    });
  });

  describe('a Direct Line (Web Chat) respondent, over HTTP', () => {
    test('answers in Spanish by suggested actions and typing, to submission', async () => {
      const userId = 'dl-user-es';
      const send = (fields: Record<string, unknown>) => post(bot.url, directLineActivity(channel.url, userId, { locale: 'es-PY', ...fields }));
      await send({ type: 'conversationUpdate', membersAdded: [{ id: userId }] });
      expect(lastPrompt(channel.calls).activity.channelData.msq.questionId).toBe('country');
      await answerAll(async (prompt, answer) => {
        const msq = prompt.activity.channelData.msq;
        // Suggested actions send the button's label as text.
        const plain = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
        const action = prompt.activity.suggestedActions?.actions?.find((a: any) => plain(a.title) === plain(answer));
        if (msq.kind === 'yesno' && ['si', 'no'].includes(plain(answer))) expect(action).toBeDefined();
        const res = await send({ text: action ? action.value : answer });
        expect(res.status).toBe(200);
      }, spanishScript, 'omitir');
      await send({ text: 'Sí' });
      const stored = (await bot.store.findResponseByRespondent(`directline:${userId}`))!;
      expect(stored.status).toBe('submitted');
      expect(stored.locale).toBe('es');
      expect(stored.answers.find((a) => a.itemId === 'q9.detail')?.value).toContain('Ley N.º 5282/2014');
      expect(readable(channel.calls.at(-1)!.activity)).toContain('Gracias');
    });

    test('a returning respondent in a new conversation is welcomed back where they stopped', async () => {
      const userId = 'dl-returning';
      const a = (text: string) => post(bot.url, directLineActivity(channel.url, userId, { text }));
      await a('hi');
      for (const text of ['Paraguay', 'Ana', 'Directora', 'MITIC']) await a(text);
      const start = channel.calls.length;
      await post(bot.url, directLineActivity(channel.url, userId, { type: 'conversationUpdate', conversation: { id: 'a-new-conversation' }, membersAdded: [{ id: userId }] }));
      const text = channel.calls.slice(start).map((c) => readable(c.activity)).join('\n');
      expect(text).toContain('Welcome back');
      expect(lastPrompt(channel.calls).activity.channelData.msq.questionId).toBe('respondent.email');
    });
  });

  describe('the HTTP edge', () => {
    test('healthz says the version and the store', async () => {
      const res = await fetch(`${bot.url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', version: expect.any(String), store: storage.kind });
    });

    test('a body that is not an activity gets 400 and nothing breaks', async () => {
      expect((await post(bot.url, { hello: 'world' })).status).toBe(400);
      const raw = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
      expect(raw.status).toBe(400);
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    });
  });
});
