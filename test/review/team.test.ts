import { hashCode } from '../../src/admin/invitations';
import { englishScript } from '../fixtures/answers';
import { post, startBot, startChannel, teamsActivity } from '../fixtures/http';
import { interview } from '../fixtures/interview';
import { responseFrom } from '../fixtures/responses';
import { ownState, teamKey } from '../../src/session/team';
import type { ResponseDoc } from '../../src/store/port';

/**
 * A country's team (Ana leads, Luis answers section C), both in Teams: the survey team's flag reaches both, either
 * may answer it and it is closed for both; each participant gets their own reminder and their own `stop reminders`.
 * Once Luis's invitation is revoked, nothing is sent to him first any more; Ana still gets everything.
 */

const TOKEN = 'survey-team-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const DAY = 24 * 60 * 60 * 1000;

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

/** Paraguay's response, shared by Ana and Luis, each bound to their Teams identity (as their invitation codes do). */
async function paraguayTeam(country: string, options: { submit: boolean }): Promise<ResponseDoc> {
  const solo = options.submit ? responseFrom(englishScript) : responseFrom(englishScript, { stopAfter: 'q3' });
  const state = interview.load({ ...solo.engine, answers: solo.answers, deferred: solo.deferred })!;
  const joinedAt = new Date();
  const doc: ResponseDoc = {
    ...solo,
    respondentKey: teamKey('msq-2022', country),
    engine: {},
    team: {
      participants: [
        { id: `inv-ana-${country}`, email: 'ana@mitic.gov.py', lead: true, sections: [], joinedAt, state: ownState(state) },
        { id: `inv-luis-${country}`, email: 'luis@mitic.gov.py', lead: false, sections: ['C'], joinedAt, state: ownState(state) },
      ],
    },
  };
  expect((await bot.store.insertResponse(doc)).ok).toBe(true);
  for (const who of ['ana', 'luis']) {
    await bot.store.bindIdentity({ key: `msteams:aad-${who}-${country}`, responseId: doc.id, participantId: `inv-${who}-${country}`, at: joinedAt });
    // They wrote to the bot in Teams: the conversation reference is kept.
    expect((await says(who, country, 'help')).status).toBe(200);
  }
  return doc;
}

const says = (who: string, country: string, text: string) =>
  post(bot.url, teamsActivity(channel.url, { aadObjectId: `aad-${who}-${country}`, name: who }, { text }));
const sentTo = (who: string, country: string) =>
  channel.calls.filter((c) => c.method === 'POST' && c.path.includes(encodeURIComponent(`a:conv-aad-${who}-${country}`))).map((c) => c.activity.text ?? JSON.stringify(c.activity.attachments ?? []));

test('a flag on the team’s submitted response reaches both; Luis answers it; it is closed for Ana too', async () => {
  const doc = await paraguayTeam('T1', { submit: true });
  const res = await fetch(`${bot.url}/admin/responses/${doc.id}/flags`, { method: 'POST', headers: auth, body: JSON.stringify({ itemId: 'q3', comment: 'The link in q3 returns 404' }) });
  expect(res.status).toBe(201);
  expect((await res.json()).notified).toBe(2);
  for (const who of ['ana', 'luis']) expect(sentTo(who, 'T1').join('\n')).toContain('The link in q3 returns 404');

  expect((await says('luis', 'T1', 'MITIC — https://www.mitic.gov.py/en')).status).toBe(200);
  expect(sentTo('luis', 'T1').join('\n')).toContain('submitted again');
  const after = (await bot.store.getResponse(doc.id))!;
  expect(after.status).toBe('submitted');
  expect(after.answers.find((a) => a.itemId === 'q3')?.value).toBe('MITIC — https://www.mitic.gov.py/en');
  expect(after.team!.participants.map((p) => [p.id, p.state.phase])).toEqual([['inv-ana-T1', 'submitted'], ['inv-luis-T1', 'submitted']]);
  expect((await bot.store.listEvents(doc.id)).filter((e) => e.type === 'revised_after_review')).toEqual([expect.objectContaining({ itemId: 'q3', who: expect.objectContaining({ userId: 'aad-luis-T1' }) })]);
  const flags = await (await fetch(`${bot.url}/admin/responses/${doc.id}/flags`, { headers: auth })).json();
  expect(flags.flags).toEqual([expect.objectContaining({ itemId: 'q3', status: 'resolved' })]);

  // Ana, later: nothing is open for her any more.
  const before = channel.calls.length;
  await says('ana', 'T1', 'https://example.org');
  expect(channel.calls.slice(before).map((c) => c.activity.text ?? '').join('\n')).toMatch(/submitted/);
  expect((await bot.store.getResponse(doc.id))!.answers.find((a) => a.itemId === 'q3')?.value).toBe('MITIC — https://www.mitic.gov.py/en');
});

test('reminders: each participant gets their own, and Luis’s “stop reminders” stops only his', async () => {
  const doc = await paraguayTeam('T2', { submit: false });
  const start = Date.now();
  const deadline = new Date(start + 10 * DAY);
  await fetch(`${bot.url}/admin/settings`, { method: 'PUT', headers: auth, body: JSON.stringify({ deadline: deadline.toISOString(), reminderDays: [10, 7] }) });
  const reminders = (who: string) => sentTo(who, 'T2').filter((t) => t.includes('A reminder from the UN E-Government Survey team'));

  expect((await bot.app.reminders.run(new Date(start + 60_000))).reminded).toBe(2);
  expect([reminders('ana').length, reminders('luis').length]).toEqual([1, 1]);

  await says('luis', 'T2', 'stop reminders');
  expect(sentTo('luis', 'T2').join('\n')).toContain('You will receive no more reminders');
  expect((await bot.app.reminders.run(new Date(start + 3 * DAY + 60_000))).reminded).toBe(1);
  expect([reminders('ana').length, reminders('luis').length]).toEqual([2, 1]);
  expect((await bot.store.getResponse(doc.id))!.status).toBe('in_progress');
});

/** The survey team revokes a participant's invitation (as stored when they were invited, then revoked with the API). */
async function revoke(who: string, country: string): Promise<void> {
  const now = new Date();
  const id = `inv-${who}-${country}`;
  const code = `MSQ-${who.toUpperCase().padEnd(4, 'X').slice(0, 4)}-${country.padEnd(4, 'X')}-2345`;
  await bot.store.createInvitation({ id, codeHash: hashCode(code), country: { code: 'PRY', name: 'Paraguay' }, email: `${who}@mitic.gov.py`, createdAt: now, expiresAt: new Date(now.getTime() + DAY) });
  const res = await fetch(`${bot.url}/admin/invitations/${id}`, { method: 'DELETE', headers: auth });
  expect(res.status).toBe(200);
  expect((await res.json()).revokedAt).toEqual(expect.any(String));
}

test('Luis’s invitation is revoked: the survey team’s question reaches Ana only; she answers it, and it is closed', async () => {
  const doc = await paraguayTeam('T3', { submit: true });
  await revoke('luis', 'T3');
  const before = sentTo('luis', 'T3').length;

  const res = await fetch(`${bot.url}/admin/responses/${doc.id}/flags`, { method: 'POST', headers: auth, body: JSON.stringify({ itemId: 'q3', comment: 'The link in q3 returns 404' }) });
  expect(res.status).toBe(201);
  expect((await res.json()).notified).toBe(1);
  expect(sentTo('ana', 'T3').join('\n')).toContain('The link in q3 returns 404');
  expect(sentTo('luis', 'T3').slice(before)).toEqual([]);

  expect((await says('ana', 'T3', 'MITIC — https://www.mitic.gov.py/en')).status).toBe(200);
  expect(sentTo('ana', 'T3').join('\n')).toContain('submitted again');
  expect((await bot.store.getResponse(doc.id))!.status).toBe('submitted');
  expect(sentTo('luis', 'T3').slice(before)).toEqual([]);
});

test('Luis’s invitation is revoked: the reminders reach Ana only, and none is claimed for him', async () => {
  await paraguayTeam('T4', { submit: false });
  await revoke('luis', 'T4');
  const before = sentTo('luis', 'T4').length;
  const start = Date.now();
  const deadline = new Date(start + 20 * DAY);
  await fetch(`${bot.url}/admin/settings`, { method: 'PUT', headers: auth, body: JSON.stringify({ deadline: deadline.toISOString(), reminderDays: [20] }) });
  const reminders = (who: string) => sentTo(who, 'T4').filter((t) => t.includes('A reminder from the UN E-Government Survey team'));

  const at = new Date(start + 60_000);
  await bot.app.reminders.run(at);
  expect([reminders('ana').length, reminders('luis').length]).toEqual([1, 0]);
  expect(sentTo('luis', 'T4').slice(before)).toEqual([]);
  // Nothing was claimed in his name: the claim for this reminder time and day is still free.
  expect(await bot.store.claimReminder({ respondentKey: 'inv-luis-T4', slot: `${deadline.toISOString()}/20`, day: at.toISOString().slice(0, 10), at })).toBe(true);
  expect(await bot.store.claimReminder({ respondentKey: 'inv-ana-T4', slot: `${deadline.toISOString()}/20`, day: at.toISOString().slice(0, 10), at })).toBe(false);
});
