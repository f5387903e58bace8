/**
 * A country's team in the session layer (the engine over a real embedded store, no channel): sections shared out by
 * the lead and walked first, the country's progress by section, two participants answering the same question, what
 * only the lead may do, and `link` for a respondent without invitations. Each step is what a person types and what
 * they read back.
 */
import pino from 'pino';
import { createInvitation } from '../../src/admin/invitations';
import { responseOf } from '../../src/session/participants';
import { createSessionService, type TurnResult } from '../../src/session/service';
import { createEmbeddedStore } from '../../src/store/embedded';
import type { Store } from '../../src/store/port';
import { i18n, interview } from '../fixtures/interview';

let store: Store;
let clock: Date;
beforeEach(async () => {
  store = createEmbeddedStore({ dir: null });
  await store.init();
  clock = new Date('2026-11-28T10:00:00Z');
});
afterEach(async () => {
  await store.close();
});

const logger = pino({ level: 'silent' });
const sessions = (requireInvitation: boolean) => createSessionService({ store, interview, i18n, logger, requireInvitation, now: () => clock });

/** A person in one channel: says something, reads the bot's replies as one text. */
function person(service: ReturnType<typeof sessions>, channel: string, userId: string, locale: 'en' | 'es' = 'en') {
  let last: TurnResult | null = null;
  return {
    key: `${channel}:${userId}`,
    async say(text: string): Promise<string> {
      last = await service.handle({ respondent: { key: `${channel}:${userId}`, channel, userId, locale }, input: { kind: 'message', text } });
      return 'replies' in last ? last.replies.map((r) => r.text).join('\n') : '';
    },
    /** The question they are at: the last prompt they were sent. */
    at(): string | undefined {
      const replies = last && 'replies' in last ? last.replies : [];
      const prompt = [...replies].reverse().find((r) => r.type === 'prompt');
      return prompt?.type === 'prompt' ? prompt.meta.questionId : undefined;
    },
  };
}

async function invite(country: string, email: string, extra: { lead?: boolean; sections?: string[] } = {}) {
  const made = await createInvitation(store, { country, email, ...extra });
  if (!made.ok) throw new Error('no invitation');
  return made.code;
}

describe('opened from an invitation link (the web chat: a greeting, then the link’s code as an event)', () => {
  test('without REQUIRE_INVITATION too: the link’s code joins the country’s response, and a participant who is not the lead cannot submit it', async () => {
    const service = sessions(false);
    await invite('PRY', 'ana@mitic.gov.py', { lead: true });
    const shown = await openLink(service, 'dl-marta', 'es', await invite('PRY', 'marta@mitic.gov.py', { sections: ['D'] }));
    expect(shown.some((text) => text.startsWith('Usted responde por Paraguay'))).toBe(true);
    for (const start of ['Le damos la bienvenida', 'El objetivo de este cuestionario', 'Puede escribir sus respuestas']) {
      expect([start, shown.filter((text) => text.startsWith(start)).length]).toEqual([start, 1]); // said once
    }
    const marta = person(service, 'directline', 'dl-marta', 'es');
    expect(await marta.say('enviar')).toContain('ana@mitic.gov.py');
    expect(await marta.say('sí')).not.toMatch(/ha sido enviada/);
  });

  /** What the page shows: the gate's greeting, then the replies to the link's code, one message per entry. */
  async function openLink(service: ReturnType<typeof sessions>, userId: string, locale: 'en' | 'es', code: string): Promise<string[]> {
    const respondent = { key: `directline:${userId}`, channel: 'directline', userId, locale };
    const conversationId = `directline:conv-${userId}`;
    const texts = (r: TurnResult) => ('replies' in r ? r.replies.map((reply) => reply.text) : []);
    const greeting = await service.handle({ respondent, input: { kind: 'greet' }, conversationId });
    const joined = await service.handle({ respondent, input: { kind: 'invitation', code }, conversationId, activityKey: `directline:${userId}:1` });
    expect(joined.status).toBe('ok');
    return [...texts(greeting), ...texts(joined)];
  }
  /** The index of the one message that starts so (and fails when there are none or several). */
  const only = (shown: string[], start: string): number => {
    expect(shown.filter((text) => text.startsWith(start))).toHaveLength(1);
    return shown.findIndex((text) => text.startsWith(start));
  };

  test.each([
    ['en', 'Welcome. I will guide you', 'You are answering for Paraguay', 'Section: Country and contact information', 'Contact information — Your name'],
    ['es', 'Le damos la bienvenida', 'Usted responde por Paraguay', 'Sección: País e información de contacto', 'Información de contacto — Su nombre'],
  ] as const)('the only invitation of a country (%s): one welcome, whom they answer for, the section, the first question', async (locale, welcome, answeringFor, section, question) => {
    const shown = await openLink(sessions(true), 'dl-ana', locale, await invite('PRY', 'ana@mitic.gov.py'));
    const order = [only(shown, welcome), only(shown, answeringFor), only(shown, section), only(shown, question)];
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order[3]).toBe(shown.length - 1);
  });

  test.each([
    ['en', 'Welcome. I will guide you', 'You are answering for Paraguay', 'Section: C. ', '9. '],
    ['es', 'Le damos la bienvenida', 'Usted responde por Paraguay', 'Sección: C. ', '9. '],
  ] as const)('a participant of a team with section C (%s): one welcome, whom they answer for, section C, its first question', async (locale, welcome, answeringFor, section, question) => {
    const service = sessions(true);
    await person(service, 'msteams', 'aad-ana').say(await invite('PRY', 'ana@mitic.gov.py', { lead: true }));
    const shown = await openLink(service, 'dl-luis', locale, await invite('PRY', 'luis@mitic.gov.py', { sections: ['C'] }));
    const order = [only(shown, welcome), only(shown, answeringFor), only(shown, section), only(shown, question)];
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order[3]).toBe(shown.length - 1);
  });
});

describe('a team of one country', () => {
  test('the lead shares out a section; its holder is walked through it first; progress shows every section and who holds it', async () => {
    const service = sessions(true);
    const ana = person(service, 'msteams', 'aad-ana');
    const luis = person(service, 'directline', 'dl-luis');
    await ana.say(await invite('PRY', 'ana@mitic.gov.py'));
    expect(await luis.say(await invite('PRY', 'luis@mitic.gov.py'))).toContain('This invitation is for Paraguay.');
    // Luis has no section yet: the first question nobody has answered.
    expect(luis.at()).toBe('respondent.name');

    expect(await luis.say('assign D to luis@mitic.gov.py')).toContain('Only the lead of your country\'s response (ana@mitic.gov.py) can share out sections.');
    expect(await ana.say('assign D to pedro@mitic.gov.py')).toContain('pedro@mitic.gov.py is not a participant of your country\'s response yet. Participants: ana@mitic.gov.py, luis@mitic.gov.py.');
    expect(await ana.say('assign D to LUIS@mitic.gov.py')).toContain('Section D is now with luis@mitic.gov.py, who will be taken through it first.');
    expect((await responseOf(store, luis.key))!.team!.participants.find((p) => p.email === 'luis@mitic.gov.py')!.sections).toEqual(['D']);

    // Luis answers the question he is at, then goes to section D.
    const next = await luis.say('Luis Benítez');
    expect(next).toContain('Saved.');
    expect(next).toMatch(/Section: D\./);
    expect(luis.at()).toBe('q19');

    const progress = await ana.say('progreso');
    expect(progress).toContain('Your country\'s progress by section');
    expect(progress).toMatch(/• Country and contact information: 2 of \d+ — not assigned/);
    expect(progress).toMatch(/• D\. [^\n]*: 0 of \d+ — luis@mitic\.gov\.py/);
  });

  test('two participants answer the same question: the last answer wins, its writer is told what the other had answered', async () => {
    const service = sessions(true);
    const ana = person(service, 'msteams', 'aad-ana');
    const luis = person(service, 'directline', 'dl-luis');
    await ana.say(await invite('PRY', 'ana@mitic.gov.py'));
    await luis.say(await invite('PRY', 'luis@mitic.gov.py'));
    expect(await ana.say('Ana Giménez')).toContain('Saved.');
    clock = new Date(clock.getTime() + 2 * 60_000);
    // Luis is still at the first question, which Ana answered two minutes ago.
    const told = await luis.say('Luis Benítez');
    expect(told).toContain('ana@mitic.gov.py changed this answer 2 minutes ago: Ana Giménez\nYour answer replaces it; both are kept in the response\'s history.');
    expect(told).toContain('Saved.');
    const doc = (await responseOf(store, ana.key))!;
    expect(doc.answers.find((a) => a.itemId === 'respondent.name')!.value).toBe('Luis Benítez');
    const history = (await store.listEvents(doc.id)).filter((e) => e.itemId === 'respondent.name');
    expect(history.map((e) => [e.who.userId, e.oldValue, e.newValue])).toEqual([
      ['aad-ana', null, 'Ana Giménez'],
      ['dl-luis', 'Ana Giménez', 'Luis Benítez'],
    ]);
    // Changing one's own answer tells nothing.
    expect(await luis.say('edit contact')).toContain('Your name');
    expect(await luis.say('Luis A. Benítez')).not.toContain('changed this answer');
  });

  test('only the lead restarts or deletes; the others are told who can, and nothing changes', async () => {
    const service = sessions(true);
    const ana = person(service, 'msteams', 'aad-ana', 'es');
    const luis = person(service, 'directline', 'dl-luis', 'es');
    await luis.say(await invite('PRY', 'luis@mitic.gov.py'));
    await ana.say(await invite('PRY', 'ana@mitic.gov.py', { lead: true }));
    await luis.say('Luis Benítez');
    const before = (await responseOf(store, luis.key))!;
    for (const command of ['reiniciar', 'borrar mis respuestas', 'enviar']) {
      expect(await luis.say(command)).toContain('Solo la persona que coordina la respuesta de su país (ana@mitic.gov.py) puede enviarla, reiniciarla o borrarla.');
    }
    expect((await responseOf(store, luis.key))!.version).toBe(before.version);

    // The lead named at invitation leads, although Luis joined first; she restarts the country's response.
    await ana.say('reiniciar');
    expect(await ana.say('sí')).toContain('Se han borrado todas las respuestas');
    const restarted = (await responseOf(store, luis.key))!;
    expect(restarted.answers).toEqual([{ itemId: 'country', value: 'PRY' }]);
  });
});

describe('before the lead has joined', () => {
  test.each([
    ['en', 'submit', "Only the lead of your country's response (ana@mitic.gov.py, who has not joined yet) can submit, restart or delete it."],
    ['es', 'enviar', 'Solo la persona que coordina la respuesta de su país (ana@mitic.gov.py, que aún no se ha incorporado) puede enviarla, reiniciarla o borrarla.'],
  ] as const)('a participant who asks to submit is told the invited lead’s e-mail (%s)', async (locale, submit, told) => {
    const service = sessions(true);
    await invite('PRY', 'ana@mitic.gov.py', { lead: true });
    const luis = person(service, 'directline', 'dl-luis', locale);
    await luis.say(await invite('PRY', 'luis@mitic.gov.py'));
    expect(await luis.say(submit)).toContain(told);
    expect(await luis.say('assign C to luis@mitic.gov.py')).toContain('ana@mitic.gov.py');
  });

  test('an invited lead without an e-mail is "the lead"', async () => {
    const service = sessions(true);
    const made = await createInvitation(store, { country: 'PRY', lead: true });
    if (!made.ok) throw new Error('no invitation');
    const luis = person(service, 'directline', 'dl-luis');
    await luis.say(await invite('PRY', 'luis@mitic.gov.py'));
    expect(await luis.say('submit')).toContain("Only the lead of your country's response (the lead) can submit");
  });
});

describe('a participant whose invitation the survey team revoked', () => {
  test.each([
    ['en', 'Director', 'Your access to your country\'s response has been withdrawn by the UN DESA survey team', 'please contact Madeleine Losch'],
    ['es', 'Director', 'El equipo de la Encuesta del DAES ha retirado su acceso a la respuesta de su país', 'póngase en contacto con Madeleine Losch'],
  ] as const)('is refused on their next message, nothing is stored, their earlier answers stay (%s)', async (locale, answer, withdrawn, contact) => {
    const service = sessions(true);
    const ana = person(service, 'msteams', 'aad-ana', locale);
    const luis = person(service, 'directline', 'dl-luis', locale);
    await ana.say(await invite('PRY', 'ana@mitic.gov.py', { lead: true }));
    const made = await createInvitation(store, { country: 'PRY', email: 'luis@mitic.gov.py' });
    if (!made.ok) throw new Error('no invitation');
    await luis.say(made.code);
    await luis.say('Luis Benítez');
    await store.revokeInvitation(made.invitation.id, clock);
    const before = (await responseOf(store, ana.key))!;
    const events = (await store.listEvents(before.id)).length;

    const told = await luis.say(answer);
    expect(told).toContain(withdrawn);
    expect(told).toContain(contact);
    expect(told).not.toMatch(/Saved|Guardad/);
    for (const more of ['help', 'link', 'progress']) expect(await luis.say(more)).toContain(withdrawn);
    const greeted = await service.handle({ respondent: { key: luis.key, channel: 'directline', userId: 'dl-luis', locale }, input: { kind: 'greet' } });
    expect(greeted).toMatchObject({ status: 'gated', replies: [{ text: expect.stringContaining(withdrawn) }] });
    const after = (await responseOf(store, ana.key))!;
    expect(after.version).toBe(before.version);
    expect(after.answers).toContainEqual({ itemId: 'respondent.name', value: 'Luis Benítez' });
    expect(await store.listEvents(before.id)).toHaveLength(events);
    // The others go on.
    expect(await ana.say(answer)).toMatch(/Saved|Guardad/);
  });

  test('a link code they got before cannot bind another channel', async () => {
    const service = sessions(true);
    const luis = person(service, 'msteams', 'aad-luis');
    const made = await createInvitation(store, { country: 'PRY', email: 'luis@mitic.gov.py' });
    if (!made.ok) throw new Error('no invitation');
    await luis.say(made.code);
    const code = /LINK-[A-Z0-9]{4}-[A-Z0-9]{4}/.exec(await luis.say('link'))![0];
    await store.revokeInvitation(made.invitation.id, clock);
    const web = person(service, 'directline', 'dl-luis');
    expect(await web.say(code)).toContain('Your access to your country\'s response has been withdrawn');
    expect(await store.findIdentity(web.key)).toBeNull();
  });

  test('a new invitation code joins them again', async () => {
    const service = sessions(true);
    const luis = person(service, 'directline', 'dl-luis');
    const made = await createInvitation(store, { country: 'PRY', email: 'luis@mitic.gov.py' });
    if (!made.ok) throw new Error('no invitation');
    await luis.say(made.code);
    await store.revokeInvitation(made.invitation.id, clock);
    // The web chat page reopened from the old link: the greeting said it all.
    const respondent = { key: luis.key, channel: 'directline', userId: 'dl-luis', locale: 'en' as const };
    expect(await service.handle({ respondent, input: { kind: 'invitation', code: made.code } })).toEqual({ status: 'gated', locale: 'en', replies: [] });
    expect(await luis.say(made.code)).toContain('This invitation code is no longer valid');
    expect(await luis.say(await invite('PRY', 'luis.b@mitic.gov.py'))).toContain('You are answering for Paraguay');
    expect(await luis.say('Luis Benítez')).toContain('Saved.');
  });

  test('the check costs no store read for a respondent of their own', async () => {
    const solo = person(sessions(false), 'msteams', 'aad-solo');
    const reads = jest.spyOn(store, 'getInvitation');
    await solo.say('hello');
    await solo.say('Paraguay');
    await solo.say('Ana Giménez');
    expect(reads).not.toHaveBeenCalled();
  });
});

test('a participant who joins after the lead submitted reads the response as submitted, and by whom', async () => {
  const service = sessions(true);
  const ana = person(service, 'msteams', 'aad-ana');
  await ana.say(await invite('PRY', 'ana@mitic.gov.py'));
  await ana.say('Ana Giménez');
  expect(await ana.say('submit')).toContain('Who answered what:\n• ana@mitic.gov.py: 2 answers (sections —)');
  expect(await ana.say('yes')).toContain('Your response has been submitted');
  const submitted = (await responseOf(store, ana.key))!;
  expect(submitted.status).toBe('submitted');

  const luis = person(service, 'directline', 'dl-luis');
  await luis.say(await invite('PRY', 'luis@mitic.gov.py'));
  expect((await responseOf(store, luis.key))!).toMatchObject({ id: submitted.id, status: 'submitted', submittedAt: submitted.submittedAt });
  expect(await luis.say('Luis')).toMatch(/Your country's response was submitted by ana@mitic\.gov\.py on \d{4}-\d{2}-\d{2}\./);
  expect((await responseOf(store, luis.key))!.answers).toEqual(submitted.answers);
});

describe('link without invitations (a respondent of their own)', () => {
  test('continues the same response in the other channel at the same question; the code works once', async () => {
    const service = sessions(false);
    const teams = person(service, 'msteams', 'aad-solo');
    const web = person(service, 'directline', 'dl-solo');
    await teams.say('hello');
    expect(await teams.say('link')).toContain('There is nothing to continue yet');
    await teams.say('Paraguay');
    await teams.say('Ana Giménez');
    const at = teams.at();
    const code = /LINK-[A-Z0-9]{4}-[A-Z0-9]{4}/.exec(await teams.say('vincular'))![0];
    expect(await web.say(` ${code.replace(/-/g, ' ')} `)).toContain('Linked: you continue the same response here.');
    expect(web.at()).toBe(at);
    expect(await web.say('Director General')).toContain('Saved.');
    expect((await responseOf(store, web.key))!.id).toBe((await store.findResponseByRespondent(teams.key))!.id);
    expect(await person(service, 'directline', 'dl-other').say(code)).toContain('This code is not valid or has expired');

    // A code runs out after ten minutes.
    const late = /LINK-[A-Z0-9]{4}-[A-Z0-9]{4}/.exec(await teams.say('link'))![0];
    clock = new Date(clock.getTime() + 10 * 60_000);
    expect(await person(service, 'directline', 'dl-late').say(late)).toContain('This code is not valid or has expired');
  });
});
