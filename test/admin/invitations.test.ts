/**
 * REQUIRE_INVITATION=true over HTTP: a respondent must give a valid code before any question; the code binds the
 * response to its country. Plus the `npm run invite` command line, beside a running bot on the same DATA_DIR.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createInvitation, findCode, hashCode } from '../../src/admin/invitations';
import { responseOf } from '../../src/session/participants';
import { createEmbeddedStore } from '../../src/store/embedded';
import { directLineActivity, post, prompts, readable, startBot, startChannel, teamsActivity, type Recorded } from '../fixtures/http';

type Bot = Awaited<ReturnType<typeof startBot>>;
type Channel = Awaited<ReturnType<typeof startChannel>>;

jest.setTimeout(60_000);

let bot: Bot;
let channel: Channel;
beforeAll(async () => {
  channel = await startChannel();
  bot = await startBot({ REQUIRE_INVITATION: 'true' });
});
afterAll(async () => {
  await bot?.close();
  await channel?.close();
});

/** What the bot sent since `start`, as one text. */
const since = (start: number) => channel.calls.slice(start).map((c) => readable(c.activity)).join('\n');
const lastPrompt = (calls: Recorded[]) => prompts(calls).at(-1);

/** A Teams user who types messages. */
function teams(aadObjectId: string) {
  const user = { aadObjectId };
  return {
    key: `msteams:${aadObjectId}`,
    async greet() {
      const start = channel.calls.length;
      const res = await post(bot.url, teamsActivity(channel.url, user, { type: 'conversationUpdate', text: undefined, membersAdded: [{ id: `29:${aadObjectId}-teams` }] }));
      expect(res.status).toBe(200);
      return since(start);
    },
    async say(text: string) {
      const start = channel.calls.length;
      const res = await post(bot.url, teamsActivity(channel.url, user, { text }));
      expect(res.status).toBe(200);
      return since(start);
    },
  };
}

const storedCount = async () => (await bot.store.listResponses()).length;

describe('with REQUIRE_INVITATION=true', () => {
  test('without a code the respondent is asked for one, and nothing is stored', async () => {
    const ana = teams('aad-no-code');
    const before = await storedCount();
    const greeting = await ana.greet();
    expect(greeting).toContain('please type the invitation code');
    expect(greeting).not.toContain('COUNTRY NAME');
    expect(await ana.say('Paraguay')).toContain('can only be answered with an invitation');
    expect(await responseOf(bot.store, ana.key)).toBeNull();
    expect(await storedCount()).toBe(before);
  });

  test('a wrong code is refused politely, in the respondent’s language, and nothing is stored', async () => {
    const ana = teams('aad-wrong');
    expect(await ana.say('MSQ-2345-6789-ABCD')).toContain('This invitation code is not valid');
    expect(await ana.say('my code is MSQ-23')).toContain('This invitation code is not valid');
    const start = channel.calls.length;
    await post(bot.url, teamsActivity(channel.url, { aadObjectId: 'aad-wrong-es' }, { text: 'MSQ-2345-6789-ABCD', entities: [{ type: 'clientInfo', locale: 'es-ES' }] }));
    expect(since(start)).toContain('Este código de invitación no es válido');
    expect(await responseOf(bot.store, ana.key)).toBeNull();
    expect(await responseOf(bot.store, 'msteams:aad-wrong-es')).toBeNull();
  });

  test('an expired code is refused and nothing is stored', async () => {
    const made = await createInvitation(bot.store, { country: 'Uruguay', validForMs: 3_600_000 }, new Date(Date.now() - 2 * 3_600_000));
    if (!made.ok) throw new Error('no invitation');
    const ana = teams('aad-expired');
    expect(await ana.say(made.code)).toContain('This invitation code has expired');
    expect(await responseOf(bot.store, ana.key)).toBeNull();
    expect((await bot.store.getInvitation(made.invitation.id))!.usedBy).toBeUndefined();
  });

  test('a valid code pasted in Teams pre-fills and confirms the country; the next prompt is the first respondent item', async () => {
    const made = await createInvitation(bot.store, { country: 'PRY', email: 'ana@mitic.gov.py' });
    if (!made.ok) throw new Error('no invitation');
    const ana = teams('aad-valid');
    // The greeting is the welcome; it is not said again once the code is taken.
    expect(await ana.greet()).toContain('Member States Questionnaire (MSQ) for the United Nations E-Government Survey 2022');
    // Pasted with words around it, lower case, spaces instead of dashes.
    const text = await ana.say(`Hello, my code is ${made.code.toLowerCase().replace(/-/g, ' ')}`);
    expect(text).toContain('This invitation is for Paraguay.');
    expect(text).toContain('The objective of this questionnaire');
    expect(text).not.toContain('Member States Questionnaire (MSQ) for the United Nations E-Government Survey 2022');
    expect(text).not.toContain('COUNTRY NAME');
    expect(lastPrompt(channel.calls)!.activity.channelData.msq).toMatchObject({ questionId: 'respondent.name', progress: { question: null, questions: 44, section: 'respondent' } });

    const stored = (await responseOf(bot.store, ana.key))!;
    expect(stored.country).toEqual({ code: 'PRY', name: 'Paraguay' });
    expect(stored.answers).toEqual([{ itemId: 'country', value: 'PRY' }]);
    // The response is the country's: the invitation is taken up for it, and Ana's identity is bound to it.
    expect(stored.respondentKey).toBe('team:msq-2022:PRY');
    expect((await bot.store.getInvitation(made.invitation.id))!.usedBy).toMatchObject({ respondentKey: 'team:msq-2022:PRY', responseId: stored.id });
    expect(await bot.store.findIdentity(ana.key)).toMatchObject({ responseId: stored.id, participantId: made.invitation.id });
    expect(await bot.store.listEvents(stored.id)).toEqual([
      expect.objectContaining({ itemId: 'country', oldValue: null, newValue: 'PRY', who: { channel: 'invitation', userId: made.invitation.id }, type: 'answer' }),
    ]);

    // The interview goes on normally.
    expect(await ana.say('Ana Giménez')).toContain('Saved.');
    expect(lastPrompt(channel.calls)!.activity.channelData.msq.questionId).toBe('respondent.title');

    // The country is bound: it cannot be edited, `back` does not reach it, a restart keeps it.
    expect(await ana.say('edit country')).toContain('comes from your invitation and cannot be changed');
    expect(await ana.say('back')).toContain('Contact information — Your name');
    expect(lastPrompt(channel.calls)!.activity.channelData.msq.questionId).toBe('respondent.name');
    expect(await ana.say('back')).toContain('This is the first question; there is nothing before it.');
    expect(lastPrompt(channel.calls)!.activity.channelData.msq.questionId).toBe('respondent.name');
    await ana.say('restart');
    await ana.say('yes');
    expect(lastPrompt(channel.calls)!.activity.channelData.msq.questionId).toBe('respondent.name');
    const restarted = (await responseOf(bot.store, ana.key))!;
    expect(restarted.answers).toEqual([{ itemId: 'country', value: 'PRY' }]);
    expect(restarted.country).toEqual({ code: 'PRY', name: 'Paraguay' });

    // The same code from another identity is the same participant (the same person in another channel), who
    // continues where they were, in the same response.
    const other = teams('aad-valid-other');
    const again = await other.say(made.code);
    expect(again).toContain('you continue where you were');
    expect(again).toContain('Contact information — Your name');
    expect((await responseOf(bot.store, other.key))!.id).toBe(stored.id);
    expect(await bot.store.findIdentity(other.key)).toMatchObject({ participantId: made.invitation.id });
  });

  test('the lead who deletes the country’s answers deletes its response; the code then starts a new one, with the country', async () => {
    const made = await createInvitation(bot.store, { country: 'Bolivia' });
    if (!made.ok) throw new Error('no invitation');
    const ana = teams('aad-erase');
    await ana.say(made.code);
    await ana.say('Ana');
    const first = (await responseOf(bot.store, ana.key))!;
    await ana.say('delete my answers');
    expect(await ana.say('yes')).toContain('To start again, type your invitation code.');
    expect(await bot.store.getResponse(first.id)).toBeNull();
    expect(await responseOf(bot.store, ana.key)).toBeNull();
    expect(await ana.say(made.code)).toContain('This invitation is for Bolivia');
    const fresh = (await responseOf(bot.store, ana.key))!;
    expect(fresh.id).not.toBe(first.id);
    expect(fresh.answers).toEqual([{ itemId: 'country', value: 'BOL' }]);
    expect(lastPrompt(channel.calls)!.activity.channelData.msq.questionId).toBe('respondent.name');
    expect(JSON.stringify(await bot.store.listEvents(first.id))).not.toContain('"Ana"');
  });

  test('a revoked code is refused', async () => {
    const made = await createInvitation(bot.store, { country: 'Chile' });
    if (!made.ok) throw new Error('no invitation');
    await bot.store.revokeInvitation(made.invitation.id, new Date());
    const ana = teams('aad-revoked');
    expect(await ana.say(made.code)).toContain('This invitation code is no longer valid');
    expect(await responseOf(bot.store, ana.key)).toBeNull();
  });

  test('the web chat link’s code arrives as an event: accepted in Spanish; sent again later, it changes nothing', async () => {
    const made = await createInvitation(bot.store, { country: 'Uruguay' });
    if (!made.ok) throw new Error('no invitation');
    const userId = 'dl-invited-es';
    const send = (fields: Record<string, unknown>) => post(bot.url, directLineActivity(channel.url, userId, { locale: 'es-UY', ...fields }));
    let start = channel.calls.length;
    await send({ type: 'conversationUpdate', membersAdded: [{ id: userId }] });
    expect(since(start)).toContain('escriba el código de invitación');
    start = channel.calls.length;
    await send({ type: 'event', name: 'msq.invitation', value: made.code, text: undefined });
    expect(since(start)).toContain('Esta invitación corresponde a Uruguay');
    expect(lastPrompt(channel.calls)!.activity.channelData.msq.questionId).toBe('respondent.name');
    const stored = (await responseOf(bot.store, `directline:${userId}`))!;
    expect(stored.country).toEqual({ code: 'URY', name: 'Uruguay' });
    expect(stored.locale).toBe('es');

    // Reopening the link: welcome back, and the event is ignored.
    start = channel.calls.length;
    await send({ type: 'conversationUpdate', membersAdded: [{ id: userId }] });
    await send({ type: 'event', name: 'msq.invitation', value: made.code, text: undefined });
    expect(since(start)).toContain('Le damos nuevamente la bienvenida');
    expect(since(start)).not.toContain('Esta invitación corresponde');
    expect((await responseOf(bot.store, `directline:${userId}`))!.version).toBe(stored.version);
  });
});

describe('codes', () => {
  test('are read from typed text and links, in any case and spacing; other text is no code', () => {
    expect(findCode('MSQ-7KQM-2WXT-HP9D')).toBe('MSQ-7KQM-2WXT-HP9D');
    expect(findCode('  msq 7kqm 2wxt hp9d ')).toBe('MSQ-7KQM-2WXT-HP9D');
    expect(findCode('https://msq.example.org/?invitation=MSQ-7KQM-2WXT-HP9D')).toBe('MSQ-7KQM-2WXT-HP9D');
    expect(findCode('7KQM2WXTHP9D')).toBe('MSQ-7KQM-2WXT-HP9D');
    expect(findCode('MSQ-7KQM-2WXT-HP9D9')).toBeNull();
    expect(findCode('MSQ-OOOO-1111-IIII')).toBeNull();
    expect(findCode('Republic of Paraguay')).toBeNull();
    expect(hashCode('MSQ-7KQM-2WXT-HP9D')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('npm run invite', () => {
  const run = promisify(execFile);
  const root = resolve(__dirname, '../..');
  let dir: string;
  let onDisk: Bot;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'msq-invite-'));
    // The bot runs on the same DATA_DIR while the command line makes and revokes invitations.
    onDisk = await startBot({ REQUIRE_INVITATION: 'true', DATA_DIR: dir }, createEmbeddedStore({ dir }));
  });
  afterAll(async () => {
    await onDisk?.close();
    await rm(dir, { recursive: true, force: true });
  });
  const invite = (...args: string[]) =>
    run('npx', ['tsx', 'scripts/invite.ts', ...args], {
      cwd: root,
      env: { ...process.env, DATA_DIR: dir, PUBLIC_URL: 'https://msq.example.org', MONGODB_URI: '', LOG_LEVEL: 'silent' },
    });

  test('prints a code and a web chat link once; the code then works; --list shows it used; --revoke stops it', async () => {
    const { stdout } = await invite('--country', 'República del Paraguay', '--email', 'ana@mitic.gov.py', '--expires', '30d');
    const code = /code:\s+(MSQ-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})/.exec(stdout)?.[1];
    expect(code).toBeDefined();
    expect(stdout).toContain(`link:  https://msq.example.org/?invitation=${code}`);
    expect(stdout).toContain('Invitation for Paraguay (PRY)');
    const id = /id:\s+([0-9a-f-]{36})/.exec(stdout)![1];

    const start = channel.calls.length;
    await post(onDisk.url, teamsActivity(channel.url, { aadObjectId: 'aad-cli' }, { text: code }));
    expect(since(start)).toContain('This invitation is for Paraguay.');
    expect((await responseOf(onDisk.store, 'msteams:aad-cli'))!.country).toEqual({ code: 'PRY', name: 'Paraguay' });

    // A named lead with sections of their own.
    const lead = await invite('--country', 'PRY', '--email', 'luis@mitic.gov.py', '--lead', '--sections', 'c, d');
    expect(lead.stdout).toContain('lead:  yes');
    expect(lead.stdout).toContain('sections: C, D');
    const leadId = /id:\s+([0-9a-f-]{36})/.exec(lead.stdout)![1];
    expect(await onDisk.store.getInvitation(leadId)).toMatchObject({ lead: true, sections: ['C', 'D'] });

    const listed = (await invite('--list')).stdout;
    expect(listed).toMatch(new RegExp(`${leadId}.*luis@mitic.gov.py\\s+lead\\s+C,D`));
    expect(listed).toMatch(new RegExp(`${id}\\s+PRY Paraguay\\s+used`));
    expect(listed).toContain('team:msq-2022:PRY');
    expect(listed).not.toContain(code!);

    const second = /code:\s+(MSQ-\S+)/.exec((await invite('--country', 'URY')).stdout)![1];
    const secondId = (await onDisk.store.findInvitationByHash(hashCode(second)))!.id;
    expect((await invite('--revoke', secondId)).stdout).toContain('Revoked');
    const refusedAt = channel.calls.length;
    await post(onDisk.url, teamsActivity(channel.url, { aadObjectId: 'aad-cli-2' }, { text: second }));
    expect(since(refusedAt)).toContain('no longer valid');

    await expect(invite('--country', 'Atlantis')).rejects.toMatchObject({ code: 1 });
    await expect(invite('--list', '--revoke', id)).rejects.toMatchObject({ code: 2 });
  }, 120_000);
});
