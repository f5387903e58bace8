import { englishScript } from '../fixtures/answers';
import { adminCall, post, prompts, readable, startBot, startChannel, teamsActivity } from '../fixtures/http';
import { definition, interview } from '../fixtures/interview';
import { responseFrom } from '../fixtures/responses';

const TOKEN = 'survey-team-token-0123456789';

/** The survey team's API. */
const admin = (botUrl: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) => adminCall(botUrl, TOKEN, method, path, body, headers);

describe('the UN team asks back: a flag reopens one item, the participant is told in Teams, answering it submits again', () => {
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

  /** Ana, who answered for Paraguay in Teams and submitted. */
  async function submittedInTeams(aad: string) {
    const says = (text: string) => post(bot.url, teamsActivity(channel.url, { aadObjectId: aad, name: 'Ana Giménez' }, { text }));
    // She wrote to the bot in Teams: the conversation reference is kept.
    expect((await says('hello')).status).toBe(200);
    const doc = responseFrom(englishScript, { respondentKey: `msteams:${aad}` });
    expect(doc.status).toBe('submitted');
    expect((await bot.store.insertResponse(doc)).ok).toBe(true);
    return { id: doc.id, says };
  }

  test('flag q3 → only q3 reopens, a flagged event, the message and the question reach the local connector; her answer re-submits', async () => {
    const { id, says } = await submittedInTeams('aad-ana');
    channel.calls.length = 0;

    const flagged = await admin(bot.url, 'POST', `/admin/responses/${id}/flags`, { itemId: 'q3', comment: 'The link in q3 returns 404' });
    expect(flagged.status).toBe(201);
    expect(flagged.body).toMatchObject({ id, flag: { itemId: 'q3', comment: 'The link in q3 returns 404', status: 'open', resolvedAt: null }, notified: 1 });

    // Proactively, through the stored conversation reference: what the team asks, then question 3 itself.
    const sent = channel.calls.filter((c) => c.method === 'POST');
    // (botbuilder's continueConversationAsync sends as replies to a new continuation activity of its own.)
    expect(sent.map((c) => c.path.split('/').slice(0, 5).join('/'))).toEqual(Array(2).fill(`/v3/conversations/${encodeURIComponent('a:conv-aad-ana')}/activities`));
    expect(sent[0].activity.text).toContain('has a question about your answer to 3');
    expect(sent[0].activity.text).toContain('The link in q3 returns 404');
    expect(prompts(channel.calls).map((c) => c.activity.channelData.msq.questionId)).toEqual(['q3']);
    expect(readable(prompts(channel.calls)[0].activity)).toContain('https://www.mitic.gov.py');

    const reopened = (await bot.store.getResponse(id))!;
    expect(reopened.status).toBe('submitted');
    expect(reopened.engine.phase).toBe('revising');
    expect((await bot.store.listEvents(id)).filter((e) => e.type === 'flagged')).toEqual([
      expect.objectContaining({ itemId: 'q3', newValue: 'The link in q3 returns 404', who: { channel: 'admin', userId: 'survey-team' } }),
    ]);

    // Anything but an answer to q3 changes nothing: editing another question is refused.
    const edit = await says('edit 5');
    expect(edit.status).toBe(200);
    expect(channel.calls.at(-2)?.activity.text ?? '').toMatch(/look again only at the question below/);
    expect((await bot.store.getResponse(id))!.version).toBe(reopened.version);

    channel.calls.length = 0;
    expect((await says('MITIC — https://www.mitic.gov.py/en')).status).toBe(200);
    const replies = channel.calls.filter((c) => c.method === 'POST').map((c) => c.activity.text ?? '').join('\n');
    expect(replies).toContain('Your new answer is saved and your response has been submitted again');
    const revised = (await bot.store.getResponse(id))!;
    expect(revised.status).toBe('submitted');
    expect(revised.engine.phase).toBe('submitted');
    expect(revised.answers.find((a) => a.itemId === 'q3')?.value).toBe('MITIC — https://www.mitic.gov.py/en');
    expect(revised.submittedAt!.getTime()).toBeGreaterThan(reopened.submittedAt!.getTime());
    const events = await bot.store.listEvents(id);
    expect(events.filter((e) => e.type === 'answer' && e.itemId === 'q3')).toEqual([
      expect.objectContaining({ oldValue: englishScript.q3, newValue: 'MITIC — https://www.mitic.gov.py/en', who: expect.objectContaining({ channel: 'msteams', userId: 'aad-ana' }) }),
    ]);
    expect(events.filter((e) => e.type === 'revised_after_review').map((e) => e.itemId)).toEqual(['q3']);

    const listed = await admin(bot.url, 'GET', `/admin/responses/${id}/flags`);
    expect(listed.status).toBe(200);
    expect(listed.body.flags).toEqual([expect.objectContaining({ itemId: 'q3', status: 'resolved', answer: 'MITIC — https://www.mitic.gov.py/en', resolvedAt: expect.any(String) })]);
  });

  test('two flags: both asked one after the other; the response is submitted again only after the second', async () => {
    const { id, says } = await submittedInTeams('aad-two');
    expect((await admin(bot.url, 'POST', `/admin/responses/${id}/flags`, { itemId: 'q3', comment: 'Dead link' })).status).toBe(201);
    expect((await admin(bot.url, 'POST', `/admin/responses/${id}/flags`, { itemId: 'q1', comment: 'Which is the main portal?' })).status).toBe(201);
    await says('MITIC — https://www.mitic.gov.py');
    expect((await bot.store.getResponse(id))!.engine.phase).toBe('revising');
    expect(prompts(channel.calls).at(-1)?.activity.channelData.msq.questionId).toBe('q1');
    await says('https://www.paraguay.gov.py');
    expect((await bot.store.getResponse(id))!.engine.phase).toBe('submitted');
    const flags = (await admin(bot.url, 'GET', `/admin/responses/${id}/flags`)).body.flags;
    expect(flags.map((f: { itemId: string; status: string }) => [f.itemId, f.status])).toEqual([['q3', 'resolved'], ['q1', 'resolved']]);
  });

  test('bad requests change nothing: no token, no comment, an unknown item, a response in progress, an unknown response', async () => {
    const { id } = await submittedInTeams('aad-bad');
    const before = (await bot.store.getResponse(id))!.version;
    expect((await admin(bot.url, 'POST', `/admin/responses/${id}/flags`, { itemId: 'q3', comment: 'x' }, {})).status).toBe(401);
    expect((await admin(bot.url, 'POST', `/admin/responses/${id}/flags`, { itemId: 'q3', comment: '  ' })).status).toBe(400);
    expect((await admin(bot.url, 'POST', `/admin/responses/${id}/flags`, { itemId: 'q999', comment: 'x' })).body.issues).toEqual([expect.stringContaining('itemId')]);
    expect((await admin(bot.url, 'POST', `/admin/responses/nope/flags`, { itemId: 'q3', comment: 'x' })).status).toBe(404);
    expect((await admin(bot.url, 'GET', `/admin/responses/nope/flags`)).status).toBe(404);
    expect((await bot.store.getResponse(id))!.version).toBe(before);

    const inProgress = responseFrom(englishScript, { stopAfter: 'q3', respondentKey: 'msteams:aad-busy' });
    await bot.store.insertResponse(inProgress);
    expect((await admin(bot.url, 'POST', `/admin/responses/${inProgress.id}/flags`, { itemId: 'q3', comment: 'x' })).status).toBe(409);
  });
});

describe('a flagged respondent coming back (the web chat’s next visit) reads what the team asked', () => {
  test('welcome back, the comment, and the flagged question', () => {
    const doc = responseFrom(englishScript);
    const state = interview.load({ ...doc.engine, answers: doc.answers, deferred: doc.deferred })!;
    const flagged = interview.flag(state, { id: 'f1', itemId: 'q3', comment: 'The link returns 404' }, new Date('2026-12-01T10:00:00Z'))!;
    const back = interview.resume(flagged.state);
    const text = back.replies.map((r) => r.text).join('\n');
    expect(text).toContain('asked you to look again at one question');
    expect(text).toContain('The link returns 404');
    expect(back.replies.at(-1)).toMatchObject({ type: 'prompt', meta: { questionId: 'q3' } });
    expect(interview.flag(interview.start('en', new Date()).state, { id: 'f2', itemId: 'q3', comment: 'x' }, new Date())).toBeNull();
    expect(definition.byId.has('q3')).toBe(true);
  });

  test('in Spanish', () => {
    const doc = responseFrom(englishScript);
    const state = interview.load({ ...doc.engine, answers: doc.answers, deferred: doc.deferred, locale: 'es' })!;
    const flagged = interview.flag(state, { id: 'f1', itemId: 'q3', comment: 'El enlace no funciona' }, new Date())!;
    const text = interview.resume(flagged.state).replies.map((r) => r.text).join('\n');
    expect(text).toContain('le pidió revisar una pregunta');
    expect(text).toContain('El enlace no funciona');
  });
});
