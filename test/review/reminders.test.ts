import { adminCall, post, startBot, startChannel, teamsActivity } from '../fixtures/http';
import { dueSlot } from '../../src/review/reminders';

const TOKEN = 'survey-team-token-0123456789';
const DAY = 24 * 60 * 60 * 1000;

/** The survey team's API. */
const admin = (botUrl: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) => adminCall(botUrl, TOKEN, method, path, body, headers);

describe('reminders of the deadline: proactive in Teams, once per reminder time, never twice a day, not after stop reminders', () => {
  let channel: Awaited<ReturnType<typeof startChannel>>;
  let bot: Awaited<ReturnType<typeof startBot>>;
  beforeAll(async () => {
    channel = await startChannel();
    bot = await startBot({ ADMIN_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await bot.close();
    await channel.close();
  });

  const says = (text: string, aad = 'aad-remind') => post(bot.url, teamsActivity(channel.url, { aadObjectId: aad, name: 'Ana Giménez' }, { text }));
  /** The reminders the local connector received. */
  const reminders = () => channel.calls.filter((c) => c.method === 'POST' && /A reminder from the UN E-Government Survey team/.test(c.activity.text ?? ''));

  test('the survey team sets the deadline; Ana, halfway through in Teams, is reminded as chosen', async () => {
    await says('hello');
    await says('Paraguay');
    expect((await bot.store.findResponseByRespondent('msteams:aad-remind'))?.status).toBe('in_progress');

    const start = Date.now();
    const deadline = new Date(start + 10 * DAY);
    expect((await admin(bot.url, 'GET', '/admin/settings')).body).toEqual({ deadline: null, reminderDays: [], updatedAt: null });
    expect((await admin(bot.url, 'PUT', '/admin/settings', { deadline: 'next week', reminderDays: [7] })).status).toBe(400);
    expect((await admin(bot.url, 'PUT', '/admin/settings', { deadline: null, reminderDays: [-1] })).status).toBe(400);
    expect((await admin(bot.url, 'PUT', '/admin/settings', { deadline: deadline.toISOString(), reminderDays: [6, 10, 7, 7] }, {})).status).toBe(401);
    const saved = await admin(bot.url, 'PUT', '/admin/settings', { deadline: deadline.toISOString(), reminderDays: [6, 10, 7, 7] });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ deadline: deadline.toISOString(), reminderDays: [10, 7, 6] });
    expect((await admin(bot.url, 'GET', '/admin/settings')).body).toEqual(saved.body);

    // Ten days before: the run (as the 5-minute schedule does) reminds her once.
    const run = await admin(bot.url, 'POST', '/admin/reminders/run');
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ slot: `${deadline.toISOString()}/10`, reminded: 1 });
    expect(reminders()).toHaveLength(1);
    const [first] = reminders();
    expect(first.path).toMatch(new RegExp(`^/v3/conversations/${encodeURIComponent('a:conv-aad-remind')}/activities`));
    expect(first.activity.text).toMatch(/questions of your questionnaire are still unanswered, and the deadline is \d+ \w+ \d{4}/);
    expect(first.activity.text).toContain('stop reminders');

    // Again the same day: nothing. A new deadline (a new reminder time) the same day: still nothing.
    expect((await admin(bot.url, 'POST', '/admin/reminders/run')).body).toMatchObject({ reminded: 0, skipped: 1 });
    await admin(bot.url, 'PUT', '/admin/settings', { deadline: new Date(deadline.getTime() - 60_000).toISOString(), reminderDays: [10] });
    expect((await admin(bot.url, 'POST', '/admin/reminders/run')).body).toMatchObject({ reminded: 0, skipped: 1 });
    await admin(bot.url, 'PUT', '/admin/settings', { deadline: deadline.toISOString(), reminderDays: [10, 7, 6] });
    expect(reminders()).toHaveLength(1);

    // Seven days before (another day): reminded again.
    expect((await bot.app.reminders.run(new Date(start + 3 * DAY + 60_000))).reminded).toBe(1);
    expect(reminders()).toHaveLength(2);

    // "stop reminders": said back, kept; six days before, nothing.
    await says('stop reminders');
    expect(channel.calls.filter((c) => c.method === 'POST').map((c) => c.activity.text ?? '').join('\n')).toContain('You will receive no more reminders');
    expect((await bot.store.findResponseByRespondent('msteams:aad-remind'))!.engine.remindersOff).toBe(true);
    expect((await bot.app.reminders.run(new Date(start + 4 * DAY + 60_000))).reminded).toBe(0);
    expect(reminders()).toHaveLength(2);

    // "con recordatorios": on again, and the reminder due that day is sent.
    await says('con recordatorios');
    expect((await bot.app.reminders.run(new Date(start + 4 * DAY + 120_000))).reminded).toBe(1);
    expect(reminders()).toHaveLength(3);

    // After the deadline: nothing is due.
    expect((await bot.app.reminders.run(new Date(deadline.getTime() + 1))).slot).toBeNull();
  });

  test('on her next visit, the deadline is said after the welcome back', async () => {
    const visit = teamsActivity(channel.url, { aadObjectId: 'aad-remind' }, { type: 'conversationUpdate', membersAdded: [{ id: '29:aad-remind-teams' }], deliveryMode: 'expectReplies' });
    delete (visit as { text?: string }).text;
    const res = await post(bot.url, visit);
    expect(res.status).toBe(200);
    const texts = (res.body.activities as Array<{ text?: string }>).map((a) => a.text ?? '');
    expect(texts[0]).toMatch(/Welcome back/i);
    expect(texts[1]).toMatch(/^The deadline of the questionnaire is \d+ \w+ \d{4}\.$/);
  });
});

describe('which reminder time is due', () => {
  const deadline = new Date('2026-12-31T23:59:59.999Z');
  test.each([
    ['before the first reminder time', '2026-12-10T00:00:00Z', null],
    ['14 days before', '2026-12-18T00:00:00Z', `${deadline.toISOString()}/14`],
    ['between 7 and 2 days before: the 7-day one', '2026-12-27T00:00:00Z', `${deadline.toISOString()}/7`],
    ['the last day', '2026-12-31T12:00:00Z', `${deadline.toISOString()}/2`],
    ['after the deadline', '2027-01-01T00:00:00Z', null],
  ])('%s', (_, at, slot) => {
    expect(dueSlot({ deadline, reminderDays: [14, 7, 2] }, new Date(at))).toBe(slot);
  });
  test('no deadline, or no reminder days: none', () => {
    expect(dueSlot({ deadline: null, reminderDays: [7] }, new Date())).toBeNull();
    expect(dueSlot({ deadline, reminderDays: [] }, new Date('2026-12-30T00:00:00Z'))).toBeNull();
  });
});
