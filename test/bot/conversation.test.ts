import { TestAdapter, type Activity } from 'botbuilder';
import pino from 'pino';
import { loadDefinition } from '../../dialogs';
import { MsqBot } from '../../src/bot/msqBot';
import { createI18n } from '../../src/i18n';
import { createInterview } from '../../src/interview/engine';
import { createSessionService } from '../../src/session/service';
import { createEmbeddedStore } from '../../src/store/embedded';
import type { Store } from '../../src/store/port';

/**
 * Conversations with the bot through botbuilder's TestAdapter: each step is what the respondent says and
 * what they must read back. The channel decides the rendering: `test` is plain text with numbered options,
 * `msteams` gets Adaptive Cards.
 */

const i18n = createI18n();
const interview = createInterview(loadDefinition(), i18n);
const logger = pino({ level: 'silent' });

type Step = [says: string | Partial<Activity>, reads: Array<string | RegExp>];

function conversation(store: Store, template: Partial<Activity>) {
  const sessions = createSessionService({ store, interview, i18n, logger });
  const bot = new MsqBot({ sessions, conversations: store, i18n, logger, defaultLocale: 'en' });
  const adapter = new TestAdapter(async (context) => bot.run(context), template);
  /** Sends one message and returns everything the bot sent back (text and card contents). */
  async function say(input: string | Partial<Activity>): Promise<{ text: string; activities: Partial<Activity>[] }> {
    adapter.activeQueue.splice(0);
    await adapter.receiveActivity(input);
    const activities = adapter.activeQueue.splice(0);
    const text = activities.map((a) => [a.text ?? '', ...(a.attachments ?? []).map((x) => JSON.stringify(x.content))].join('\n')).join('\n');
    return { text, activities };
  }
  async function run(steps: Step[]) {
    for (const [says, reads] of steps) {
      const { text } = await say(says);
      for (const expected of reads) {
        if (typeof expected === 'string') expect(text).toContain(expected);
        else expect(text).toMatch(expected);
      }
    }
  }
  return { say, run, adapter };
}

describe('a conversation in English on a plain-text channel', () => {
  test('greets, re-prompts on a country it does not know, saves a known one, and says where the respondent is', async () => {
    const store = createEmbeddedStore({ dir: null });
    const { run } = conversation(store, { channelId: 'test', locale: 'en-US', from: { id: 'official-en', name: 'Ana' } });
    await run([
      ['hello', ['Member States Questionnaire', 'idioma es', 'COUNTRY NAME']],
      ['Atlantis', [/country/i]],
      ['Paraguay', ['Saved.', 'Your name']],
      ['progress', ['Country and contact information · before the 44 questions', '0 of 44 questions answered.']],
    ]);
    const response = (await store.findResponseByRespondent('test:official-en'))!;
    expect(response.country).toEqual({ code: 'PRY', name: 'Paraguay' });
    expect(response.answers.map((a) => a.itemId)).toEqual(['country']);
  });

  test('a returning respondent in a new conversation is welcomed back at the item where they stopped', async () => {
    const store = createEmbeddedStore({ dir: null });
    const first = conversation(store, { channelId: 'test', locale: 'en-US', from: { id: 'returning', name: 'Ana' }, conversation: { id: 'conv-1' } as Activity['conversation'] });
    await first.run([
      ['hi', ['COUNTRY NAME']],
      ['PRY', ['Saved: Paraguay.']],
    ]);
    // Leave the contact block for later, then answer questions 1 and 2.
    for (let i = 0; i < 10; i++) {
      const { activities } = await first.say('skip');
      if (activities.at(-1)?.channelData?.msq?.questionId === 'q1') break;
    }
    await first.run([
      ['yes — https://www.paraguay.gov.py', ['Saved.']],
    ]);
    const { activities } = await first.say('no');
    const at = activities.at(-1)?.channelData?.msq?.questionId as string;

    const later = conversation(store, { channelId: 'test', locale: 'en-US', from: { id: 'returning', name: 'Ana' }, conversation: { id: 'conv-2' } as Activity['conversation'] });
    const { text, activities: resumed } = await later.say({ type: 'conversationUpdate', membersAdded: [{ id: 'returning', name: '' }], recipient: { id: 'bot', name: 'bot' } });
    expect(text).toContain('Welcome back');
    expect(text).toMatch(/Question [1-5] of 44 · section A/);
    expect(resumed.at(-1)?.channelData?.msq?.questionId).toBe(at);
  });
});

describe('una conversación en español', () => {
  test('saluda en español cuando el cliente dice es-ES, reconoce «República del Paraguay» y da la ayuda en español', async () => {
    const store = createEmbeddedStore({ dir: null });
    const { run } = conversation(store, { channelId: 'test', locale: 'es-ES', from: { id: 'funcionaria-es', name: 'Ana' } });
    await run([
      ['hola', ['Cuestionario para los Estados Miembros', 'language en', 'NOMBRE DEL PAÍS']],
      ['República del Paraguay', ['Guardado: Paraguay.']],
      ['ayuda', [/omitir/]],
    ]);
    const response = (await store.findResponseByRespondent('test:funcionaria-es'))!;
    expect(response.locale).toBe('es');
    expect(response.country?.code).toBe('PRY');
  });
});

describe('el primer «Hola» y un país escrito en parte', () => {
  test('«Hola» en la primera pregunta es un saludo, no los Países Bajos; «Parag» se confirma antes de guardarse', async () => {
    const store = createEmbeddedStore({ dir: null });
    const { run } = conversation(store, { channelId: 'test', locale: 'es-PY', from: { id: 'hola-es', name: 'Ana' } });
    await run([
      ['hola', ['NOMBRE DEL PAÍS']],
      ['Hola', ['¡Hola! Responda la pregunta que figura a continuación', 'NOMBRE DEL PAÍS']],
      ['Parag', ['Paraguay: ¿es correcto?', 'Responda sí para guardarla, o no para escribirla de nuevo.']],
    ]);
    expect((await store.findResponseByRespondent('test:hola-es'))!.answers).toEqual([]);
    await run([['sí', ['Guardado: Paraguay.', 'Información de contacto — Su nombre']]]);
    expect((await store.findResponseByRespondent('test:hola-es'))!.country).toEqual({ code: 'PRY', name: 'Paraguay' });
  });

  test('in Teams the reading comes as a yes/no card; its Yes stores the country', async () => {
    const store = createEmbeddedStore({ dir: null });
    const { say } = conversation(store, { channelId: 'msteams', locale: 'en-US', from: { id: '29:y', aadObjectId: 'aad-confirm', name: 'Ana' } as Activity['from'] });
    await say('hello');
    const { activities } = await say('Parag');
    const card = activities.at(-1)!;
    expect(card.channelData.msq).toMatchObject({ questionId: 'country', kind: 'yesno' });
    expect(JSON.stringify(card.attachments![0].content)).toContain('Paraguay — is that right?');
    const { text } = await say({ type: 'message', value: { msq: { questionId: 'country', answer: 'yes' } }, replyToId: card.id });
    expect(text).toContain('Saved: Paraguay.');
    expect((await store.findResponseByRespondent('msteams:aad-confirm'))!.country?.code).toBe('PRY');
  });
});

describe('Microsoft Teams', () => {
  test('a yes/no question comes as an Adaptive Card; its submission is handled like a typed answer and the card is updated', async () => {
    const store = createEmbeddedStore({ dir: null });
    const teams = { channelId: 'msteams', locale: 'en-US', from: { id: '29:x', aadObjectId: 'aad-card', name: 'Ana' } as Activity['from'] };
    const { say, adapter } = conversation(store, teams);
    await say('hello');
    // Walk to the first yes/no question by typing, skipping what is not yes/no.
    let last: Partial<Activity> | undefined;
    for (let i = 0; i < 20; i++) {
      const { activities } = await say(i === 0 ? 'Paraguay' : 'skip');
      last = activities.at(-1);
      if (last?.channelData?.msq?.kind === 'yesno') break;
    }
    expect(last?.channelData?.msq?.kind).toBe('yesno');
    const card = last!.attachments![0];
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(Number((card.content as { version: string }).version)).toBeLessThanOrEqual(1.5);
    const questionId = last!.channelData.msq.questionId as string;

    const updates: Partial<Activity>[] = [];
    const update = adapter.updateActivity.bind(adapter);
    adapter.updateActivity = async (context, activity) => {
      updates.push(activity);
      return update(context, activity);
    };
    const { text } = await say({ type: 'message', value: { msq: { questionId, answer: 'no' } }, replyToId: last!.id });
    expect(text).toContain('Saved.');
    expect(updates).toHaveLength(1);
    expect(JSON.stringify(updates[0].attachments![0].content)).not.toContain('Action.Submit');
    const response = (await store.findResponseByRespondent('msteams:aad-card'))!;
    expect(response.answers.find((a) => a.itemId === questionId)?.value).toBe('no');

    // An old card clicked again changes nothing.
    const before = (await store.findResponseByRespondent('msteams:aad-card'))!.version;
    const again = await say({ type: 'message', value: { msq: { questionId, answer: 'yes' } }, replyToId: last!.id });
    expect(again.text).toContain('earlier question');
    expect((await store.findResponseByRespondent('msteams:aad-card'))!.version).toBe(before);
  });
});

describe('the conversation reference', () => {
  test('is stored on the first turn and written again only when it or the last card changes', async () => {
    const store = createEmbeddedStore({ dir: null });
    let writes = 0;
    const save = store.saveConversation.bind(store);
    store.saveConversation = async (doc) => {
      writes++;
      return save(doc);
    };
    const { say } = conversation(store, { channelId: 'test', locale: 'en-US', from: { id: 'ref-user', name: 'Ana' }, conversation: { id: 'conv-ref' } as Activity['conversation'] });
    await say('hello');
    expect(writes).toBe(1);
    const stored = (await store.getConversation('test:conv-ref'))!;
    expect(stored.respondentKey).toBe('test:ref-user');
    expect(stored.reference).toMatchObject({ channelId: 'test', conversation: { id: 'conv-ref' } });
    expect(stored.reference).not.toHaveProperty('activityId');
    await say('Paraguay');
    await say('progress');
    expect(writes).toBe(1);
  });
});
