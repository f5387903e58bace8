import { isDeepStrictEqual } from 'node:util';
import { randomUUID } from 'node:crypto';
import type { i18n } from 'i18next';
import type { Logger } from 'pino';
import { findCode, hashCode, looksLikeCode, refusal } from '../admin/invitations';
import { translatorFor, type Locale } from '../i18n';
import type { PreviousRoundSource } from '../carryForward/previousRoundSource';
import { currentPromptId, type Input, type Interview, type Turn, type TurnContext } from '../interview/engine';
import type { Effect } from '../interview/machine';
import { countryName } from '../interview/parse/country';
import type { Reply } from '../interview/render';
import type { EngineState } from '../interview/state';
import { parseCommand } from '../interview/parse/command';
import type { AnswerEvent, Identity, Invitation, Participant, ResponseDoc, Store, TurnCommit } from '../store/port';
import { formatDeadline } from '../review/deadline';
import { shareResolutions } from '../review/shareResolutions';
import { attributionOf, participantsFrom } from './participants';
import { applicableItems, answerMap } from '../interview/flow';
import { displayValue } from '../interview/render';
import { assignSections, findLinkCode, generateLinkCode, isNamed, parseAssign, leadOf, LINK_MINUTES, nameOf, ownState, participantState, teamKey, withParticipantState } from './team';

/** Who is answering, through which channel; never a botbuilder type, so the channel layer can be swapped. */
export interface Respondent {
  key: string;
  channel: string;
  userId: string;
  name?: string;
  /** The language the channel reports; used for a new respondent only. */
  locale: Locale;
}

export interface TurnRequest {
  respondent: Respondent;
  /**
   * greet: a conversation opened (welcome, or welcome back); message: something the respondent sent;
   * invitation: an invitation code the channel passed for them (the web chat link), used only before a response exists.
   */
  input: { kind: 'greet' } | ({ kind: 'message' } & Input) | { kind: 'invitation'; code: string };
  /** Identifies the incoming activity so that a redelivered one is processed once. */
  activityKey?: string;
  /**
   * The conversation the activity came in (`${channel}:${id}`, as the channel layer keeps it). Before a respondent's
   * first answer it tells whether they were greeted in it (the channel layer keeps the conversation once a turn
   * is answered): a first message in a conversation gets the welcome, and later ones are answers.
   */
  conversationId?: string;
}

export type TurnResult =
  | {
      status: 'ok';
      locale: Locale;
      replies: Reply[];
      /** The prompt that this message answered, for updating its card. */
      answered?: { questionId: string; question: string; answer: string };
      /** The respondent's response (for a copy of it); none before their first answer. */
      responseId?: string;
      /** What the channel layer must do beyond replying (`copy`: give the respondent a link to their document). */
      effects: Effect[];
    }
  | { status: 'duplicate' }
  /** An invitation is required and was not (validly) given: nothing was stored. */
  | { status: 'gated'; locale: Locale; replies: Reply[] }
  | { status: 'unavailable'; locale: Locale; replies: Reply[] };

/**
 * How long a claimed activity is "in progress": a turn that crashes (or whose store fails) between its claim and
 * its write frees the activity for the channel's retry after this long, instead of swallowing it.
 */
export const ACTIVITY_LEASE_SECONDS = 30;
/** How long a processed activity is remembered, to drop redeliveries (Teams retries within minutes). */
export const ACTIVITY_TTL_SECONDS = 24 * 60 * 60;
const MAX_ATTEMPTS = 5;
/** Pauses before asking again whether a write whose outcome was not known was stored. */
const RECHECK_DELAYS_MS = [0, 200, 1000];

/** A turn whose write may or may not have been stored: nothing is acknowledged, and the respondent is not asked to resend. */
class UnknownOutcome extends Error {}

/** The outcome of one attempt: the result, and whether the activity was marked done with the write. */
interface Attempt {
  result: TurnResult;
  /** True when the activity is already marked done (with the write, or found done). */
  activityDone: boolean;
}

/**
 * One respondent's turn, channel-independent: claim the activity, load the response, run the engine, store the
 * turn with one commit (the new state with a compare-and-swap on its version, its audit events and the activity's
 * done marker, together or not at all), and only then return the replies. Nothing is acknowledged unless it is
 * stored, and "NOT saved" is said only when nothing was: a commit that fails ambiguously (e.g. the connection
 * broke after the database applied it) is checked against the response's committed turns.
 *
 * A response exists from the first turn that changes the interview (in practice the first answer; a language
 * switch or a skip before it stores the state, which the survey team does not see until it holds an answer):
 * greetings and commands such as help or progress store nothing.
 */
export function createSessionService(deps: {
  store: Store;
  interview: Interview;
  i18n: i18n;
  logger: Logger;
  now?: () => Date;
  /** Only respondents who give a valid invitation code may start (REQUIRE_INVITATION). */
  requireInvitation?: boolean;
  /** Waits between checks of an unknown outcome (tests pass a faster one). */
  sleep?: (ms: number) => Promise<void>;
  /** Each country's previous round, offered to its respondent to keep (see carry forward in the README). */
  previousRounds?: PreviousRoundSource;
}) {
  const { store, interview, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  async function handle(request: TurnRequest): Promise<TurnResult> {
    const { activityKey } = request;
    let retried = false;
    if (activityKey) {
      try {
        const claim = await store.claimActivity(activityKey, ACTIVITY_LEASE_SECONDS);
        if (!claim.claimed) return { status: 'duplicate' };
        retried = claim.retried;
      } catch (error) {
        return unavailable(request, error);
      }
    }
    try {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        // After a lapsed claim or a conflict, the same activity may have been stored by another attempt.
        const outcome = await attemptTurn(request, retried || attempt > 1);
        if (outcome) {
          if (activityKey && !outcome.activityDone) await completeActivity(activityKey);
          return outcome.result;
        }
        logger.info({ respondent: request.respondent.key, attempt }, 'concurrent write; retrying on the fresh state');
      }
      throw new Error(`gave up after ${MAX_ATTEMPTS} conflicting writes`);
    } catch (error) {
      // Released only when nothing was stored, so that the channel's retry is processed at once; after an unknown
      // outcome the lease runs out instead, and the retry is checked against the committed turns.
      if (activityKey && !(error instanceof UnknownOutcome)) {
        await store.releaseActivity(activityKey).catch((releaseError: unknown) => logger.warn({ err: releaseError, activity: activityKey }, 'could not release an activity claim'));
      }
      return unavailable(request, error);
    }
  }

  /** Marks a turn that stored nothing as done; a failure only shortens how long a redelivery is recognised. */
  async function completeActivity(key: string): Promise<void> {
    await store.completeActivity(key, ACTIVITY_TTL_SECONDS).catch((error: unknown) => logger.warn({ err: error, activity: key }, 'could not mark an activity done'));
  }

  /** One optimistic attempt; null when another writer got there first. */
  async function attemptTurn(request: TurnRequest, checkDuplicate: boolean): Promise<Attempt | null> {
    const { respondent, input, activityKey } = request;
    const at = now();
    const linkCode = input.kind === 'message' ? findLinkCode(input.text) : null;
    if (linkCode) return redeemLink(request, linkCode, at);
    // An identity bound to a response (a team's participant, or a person continuing from another channel) answers it.
    const bound = await store.findIdentity(respondent.key);
    const boundDoc = bound ? await store.getResponse(bound.responseId) : null;
    const existing = boundDoc ?? (await store.findResponseByRespondent(respondent.key));
    if (existing && activityKey && checkDuplicate && (await store.committedTurns(existing.id)).some((t) => t.activityKey === activityKey)) {
      return { result: { status: 'duplicate' }, activityDone: false };
    }
    const participant = existing?.team && bound ? existing.team.participants.find((p) => p.id === bound.participantId) : undefined;
    if (existing?.team && !participant) return admit(request, at);
    // A participant who types an invitation code joins (again) with it: the same person from another channel, or another participant.
    if (participant && input.kind === 'message' && findCode(input.text)) return admit(request, at);
    if (!existing && deps.requireInvitation) return admit(request, at);
    // Invitations not required: a link's or a typed code still joins its country's response (otherwise the person
    // would start a response of their own for the same country, which they could submit without the lead).
    if (!existing && (input.kind === 'invitation' || input.kind === 'message') && findCode(input.kind === 'invitation' ? input.code : input.text)) return admit(request, at);
    if (existing?.team && participant) return teamTurn(request, existing, participant, at);
    if (!existing) {
      // Not a response yet: the interview as it starts, stored only once the turn changes it.
      const start = interview.start(respondent.locale, at);
      if (input.kind !== 'message' || !(await greetedIn(request))) return done(ok(undefined, start));
      const turn = await handleWithPrevious(start.state, input, at);
      if (turn.effects.includes('link')) return done(ok(undefined, { ...turn, replies: [message(turn.state.locale, 'link.nothing')] }));
      // A copy needs a document to link to: the (empty) questionnaire is then kept, unlisted like any response
      // without an answer.
      if (isDeepStrictEqual(turn.state, start.state) && !turn.effects.includes('copy')) return done(ok(undefined, turn));
      const doc = newResponse(respondent, turn.state, at);
      return write(request, doc, null, turn, at, () => ok(doc.id, turn, answeredPrompt(start.state, turn)));
    }
    const state = interview.load(engineStateOf(existing));
    if (!state) throw new Error(`response ${existing.id} holds no readable interview state`);
    if (input.kind === 'greet') return done(ok(existing.id, await withDeadline(interview.resume(state), at)));
    // The web chat link sends its code on every visit; once a response exists there is nothing to do with it.
    if (input.kind === 'invitation') return done({ status: 'ok', locale: state.locale, replies: [], responseId: existing.id, effects: [] });

    const turn = await handleWithPrevious(state, input, at);
    if (turn.effects.includes('link')) return done(await giveLink(existing.id, null, turn, at));
    if (turn.effects.includes('erase')) return erase(request, existing, turn, at);
    if (isDeepStrictEqual(turn.state, state)) return done(ok(existing.id, turn));
    return write(request, toDoc(existing, turn.state, at), existing.version, turn, at, () => ok(existing.id, turn, answeredPrompt(state, turn)), whoOf(respondent), state);
  }

  /**
   * The engine's turn, run again with the previous round of the respondent's country when the engine asks for it
   * (once per response: the state keeps it). A previous round that cannot be read is logged and left for a later
   * turn: the answer itself is not held up by it.
   */
  async function handleWithPrevious(state: EngineState, input: Input, at: Date): Promise<Turn> {
    const turn = interview.handle(state, input, at);
    const country = deps.previousRounds ? interview.needsPrevious(turn.state) : null;
    if (!country) return turn;
    const context = await previousContext(country);
    return context ? interview.handle(state, input, at, context) : turn;
  }

  /** The previous round of a country as the engine takes it (an empty one when none was imported); null when it cannot be read. */
  async function previousContext(country: string): Promise<TurnContext | null> {
    try {
      const round = await deps.previousRounds!.previousAnswers(country);
      return { previous: { country, answers: round?.answers ?? [] } };
    } catch (error) {
      logger.warn({ err: error, country }, 'could not read the previous round of a country: not offered in this turn');
      return null;
    }
  }

  /**
   * A returning respondent whose response is in progress is reminded of the survey team's deadline (the web chat's
   * reminder on the next visit), after the welcome back. Settings that cannot be read only leave it out.
   */
  async function withDeadline(turn: Turn, at: Date): Promise<Turn> {
    if (turn.state.phase === 'submitted' || turn.state.phase === 'revising') return turn;
    const settings = await store.getSettings().catch((error: unknown) => {
      logger.warn({ err: error }, 'could not read the survey settings (the deadline is not shown)');
      return null;
    });
    const deadline = settings?.deadline;
    if (!deadline || deadline.getTime() <= at.getTime()) return turn;
    const text = translatorFor(deps.i18n, turn.state.locale)('reminder.visit', { deadline: formatDeadline(deadline, turn.state.locale) });
    return { ...turn, replies: [...turn.replies.slice(0, 1), { type: 'message', text }, ...turn.replies.slice(1)] };
  }

  /**
   * A participant's turn on their country's response: their own place in the interview over the shared answers.
   * Only the lead submits, restarts or deletes; the others are told who can, and, once submitted, by whom.
   */
  async function teamTurn(request: TurnRequest, existing: ResponseDoc, participant: Participant, at: Date): Promise<Attempt | null> {
    const { input } = request;
    const state = interview.load(participantState(existing, participant));
    if (!state) throw new Error(`response ${existing.id} holds no readable state for participant ${participant.id}`);
    const t = translatorFor(deps.i18n, state.locale);
    // A participant whose invitation the survey team revoked answers no more; what they gave before stays.
    const invitation = await store.getInvitation(participant.id);
    if (invitation?.revokedAt) return withdrawn(request, invitation, state.locale, at);
    // Read only when a message names the lead (a lead not joined yet is looked up among the invitations).
    const leadName = (): Promise<string> => leadNameOf(existing, t);
    const submittedNote = async (): Promise<Reply[]> =>
      existing.status === 'submitted' && !participant.lead
        ? [{ type: 'message', text: t('team.submittedBy', { lead: await leadName(), date: (existing.submittedAt ?? existing.updatedAt).toISOString().slice(0, 10) }) }]
        : [];
    if (input.kind === 'greet') {
      const resumed = await withDeadline(interview.resume(state), at);
      return done(ok(existing.id, { ...resumed, replies: [...(await submittedNote()), ...resumed.replies] }));
    }
    if (input.kind === 'invitation') return done({ status: 'ok', locale: state.locale, replies: [], responseId: existing.id, effects: [] });
    const assignment = parseAssign(input.text);
    if (assignment && existing.status !== 'submitted') return assign(request, existing, participant, state, assignment, at);
    const command = parseCommand(interview.definition, input.text);
    if (!participant.lead && existing.status !== 'submitted' && command && (command.type === 'SUBMIT' || command.type === 'RESTART' || command.type === 'ERASE')) {
      return done(ok(existing.id, { state, replies: [{ type: 'message', text: t('team.leadOnly', { lead: await leadName() }) }], changes: [], effects: [] }));
    }
    const turn = interview.handle(state, input, at);
    if (turn.effects.includes('link')) return done(await giveLink(existing.id, participant.id, turn, at));
    if (!participant.lead && turn.state.phase === 'submitted' && existing.status !== 'submitted') {
      return done(ok(existing.id, { state, replies: [{ type: 'message', text: t('team.leadSubmits', { lead: await leadName() }) }], changes: [], effects: [] }));
    }
    if (turn.effects.includes('erase')) return eraseTeam(request, existing, turn, at);
    const notes: Reply[] = [...(turn.state.phase === 'submitted' ? await submittedNote() : [])];
    if (turn.state.phase === 'confirmingSubmit' && state.phase !== 'confirmingSubmit') {
      notes.push(participant.lead ? await whoAnsweredWhat(existing, turn.state, t) : { type: 'message', text: t('team.leadSubmits', { lead: await leadName() }) });
    }
    if (command?.type === 'PROGRESS') notes.push(teamProgress(existing, turn.state, t));
    const replacedNotes = await overwritten(existing, participant, turn, t, at);
    const told = { ...turn, replies: [...replacedNotes, ...turn.replies, ...notes] };
    if (isDeepStrictEqual(turn.state, state)) return done(ok(existing.id, told));
    const doc = shareResolutions(withParticipantState(toDoc(existing, turn.state, at), participant.id, turn.state), turn.state);
    return write(request, doc, existing.version, turn, at, () => ok(existing.id, told, answeredPrompt(state, turn)), whoOf(request.respondent), state);
  }

  /**
   * A participant whose invitation was revoked: refused, storing nothing, with whom to contact. A new invitation code
   * (typed, or in the web chat's link) joins them again as the participant of that invitation; the revoked code in
   * the link of a page they reopen says nothing more than the greeting did.
   */
  async function withdrawn(request: TurnRequest, invitation: Invitation, locale: Locale, at: Date): Promise<Attempt | null> {
    const { input } = request;
    const code = input.kind === 'invitation' ? findCode(input.code) : null;
    if (code && hashCode(code) !== invitation.codeHash) return admit(request, at);
    logger.info({ respondent: request.respondent.key, invitation: invitation.id }, 'turn of a participant whose invitation was revoked refused');
    return done({ status: 'gated', locale, replies: input.kind === 'invitation' ? [] : [message(locale, 'team.withdrawn')] });
  }

  /**
   * The lead shares out sections (`assign C to ana@…`): the named participant holds them from now on and is walked
   * through them first. Only the lead; the others are told who can.
   */
  async function assign(request: TurnRequest, existing: ResponseDoc, participant: Participant, state: EngineState, assignment: { sections: string[]; to: string }, at: Date): Promise<Attempt | null> {
    const t = translatorFor(deps.i18n, state.locale);
    const reply = (text: string): TurnResult => ok(existing.id, { state, replies: [{ type: 'message', text }], changes: [], effects: [] });
    if (!participant.lead) return done(reply(t('team.assignLeadOnly', { lead: await leadNameOf(existing, t) })));
    const participants = existing.team?.participants ?? [];
    const shared = assignSections(participants, assignment.to, assignment.sections);
    if (!shared) {
      const names = participants.map((p) => nameOf(p) ?? p.id).join(', ');
      return done(reply(t('team.assignUnknown', { name: assignment.to, names })));
    }
    const holder = shared.find((p) => isNamed(p, assignment.to))!;
    const doc: ResponseDoc = { ...existing, team: { participants: shared }, updatedAt: at };
    logger.info({ response: existing.id, to: holder.id, sections: assignment.sections }, 'sections assigned by the lead');
    return write(request, doc, existing.version, { state, replies: [], changes: [], effects: [] }, at, () =>
      reply(t('team.assigned', { sections: assignment.sections.join(', '), name: nameOf(holder) ?? holder.id })),
    );
  }

  /** The country's progress by section, and who holds each section. */
  function teamProgress(doc: ResponseDoc, state: EngineState, t: ReturnType<typeof translatorFor>): Reply {
    const def = interview.definition;
    const answers = answerMap(state.answers);
    const applicable = applicableItems(def, answers);
    const participants = doc.team?.participants ?? [];
    const lines = def.questionnaire.sections.map((section) => {
      const items = applicable.filter((item) => item.section === section.id);
      const holders = participants.filter((p) => p.sections.includes(section.id)).map((p) => nameOf(p) ?? p.id);
      return t('team.progressLine', {
        title: t(`questionnaire:section.${section.id}.title`),
        answered: items.filter((item) => answers.has(item.id)).length,
        total: items.length,
        holders: holders.length ? holders.join(', ') : t('team.unassigned'),
      });
    });
    return { type: 'message', text: [t('team.progressTitle'), ...lines].join('\n') };
  }

  /**
   * Answers this turn replaced that another participant gave: last write wins, and the writer is told what the
   * other had answered and when (both stay in the audit trail).
   */
  async function overwritten(existing: ResponseDoc, participant: Participant, turn: Turn, t: ReturnType<typeof translatorFor>, at: Date): Promise<Reply[]> {
    const replaced = turn.changes.filter((c) => c.oldValue !== null && c.newValue !== null);
    if (replaced.length === 0) return [];
    const [events, identities] = await Promise.all([store.listEvents(existing.id), store.listIdentities(existing.id)]);
    const by = attributionOf(events, participantsFrom(existing, identities));
    const notes: Reply[] = [];
    for (const change of replaced) {
      const other = by.get(change.itemId);
      const item = interview.definition.byId.get(change.itemId);
      if (!other || !item || other.participantId === participant.id || change.oldValue === null) continue;
      const minutes = Math.max(0, Math.round((at.getTime() - other.at.getTime()) / 60_000));
      notes.push({ type: 'message', text: t('team.changedBy', { count: minutes, name: other.label, answer: displayValue(t, turn.state.locale, item, change.oldValue) }) });
    }
    return notes;
  }

  /** The lead's summary before submission: how many answers each participant gave, and in which sections. */
  async function whoAnsweredWhat(doc: ResponseDoc, state: EngineState, t: ReturnType<typeof translatorFor>): Promise<Reply> {
    const [events, identities] = await Promise.all([store.listEvents(doc.id), store.listIdentities(doc.id)]);
    const participants = participantsFrom(doc, identities);
    const answered = new Set(state.answers.map((a) => a.itemId));
    const by = new Map<string, { count: number; sections: Set<string> }>();
    for (const [itemId, who] of attributionOf(events, participants)) {
      if (!answered.has(itemId)) continue;
      const entry = by.get(who.label) ?? { count: 0, sections: new Set<string>() };
      entry.count += 1;
      const section = interview.definition.byId.get(itemId)?.section;
      if (section && section !== 'respondent') entry.sections.add(section);
      by.set(who.label, entry);
    }
    const lines = [...by].map(([name, e]) => t('team.summaryLine', { name, count: e.count, sections: [...e.sections].join(', ') || '—' }));
    const silent = participants.filter((p) => !by.has(p.label)).map((p) => t('team.summaryNone', { name: p.label }));
    return { type: 'message', text: [t('team.summaryTitle'), ...lines, ...silent].join('\n') };
  }

  /** `link`: a one-time code that, typed in another channel within LINK_MINUTES, continues the same response there. */
  async function giveLink(responseId: string, participantId: string | null, turn: Turn, at: Date): Promise<TurnResult> {
    const t = translatorFor(deps.i18n, turn.state.locale);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const code = generateLinkCode();
      const created = await store.createLinkCode({ codeHash: hashCode(code), responseId, participantId, createdAt: at, expiresAt: new Date(at.getTime() + LINK_MINUTES * 60_000) });
      if (created) return ok(responseId, { ...turn, replies: [{ type: 'message', text: t('link.code', { code, minutes: LINK_MINUTES }) }] });
    }
    throw new Error('could not store a new link code');
  }

  /** A link code typed in another channel: this identity now answers the same response, where its person was. */
  async function redeemLink(request: TurnRequest, code: string, at: Date): Promise<Attempt> {
    const { respondent } = request;
    const link = await store.takeLinkCode(hashCode(code), at);
    const doc = link ? await store.getResponse(link.responseId) : null;
    const participant = doc?.team ? doc.team.participants.find((p) => p.id === link?.participantId) : undefined;
    const saved = doc ? (participant ? participantState(doc, participant) : engineStateOf(doc)) : null;
    const state = saved ? interview.load(saved) : null;
    if (!link || !doc || !state || (doc.team && !participant)) {
      logger.info({ respondent: respondent.key }, 'link code refused');
      return done({ status: 'ok', locale: respondent.locale, replies: [message(respondent.locale, 'link.invalid')], effects: [] });
    }
    // A code given before the participant's invitation was revoked binds nothing (see withdrawn).
    if (participant && (await store.getInvitation(participant.id))?.revokedAt) {
      logger.info({ respondent: respondent.key, invitation: participant.id }, 'link code of a participant whose invitation was revoked refused');
      return done({ status: 'gated', locale: state.locale, replies: [message(state.locale, 'team.withdrawn')] });
    }
    await bind({ key: respondent.key, responseId: doc.id, participantId: participant?.id ?? null, at });
    logger.info({ respondent: respondent.key, response: doc.id }, 'identity linked to a response');
    const resumed = interview.resume(state);
    return done(ok(doc.id, { ...resumed, replies: [message(state.locale, 'link.done'), ...resumed.replies] }));
  }

  /** The lead deleted the country's response: erased with its identities; the participants join again with their codes. */
  async function eraseTeam(request: TurnRequest, existing: ResponseDoc, turn: Turn, at: Date): Promise<Attempt> {
    const { respondent } = request;
    await store.eraseResponse(existing.id, { channel: respondent.channel, userId: respondent.userId }, at).catch(async (error: unknown) => {
      if ((await store.getResponse(existing.id)) !== null) throw error;
    });
    return done({ status: 'ok', locale: turn.state.locale, replies: [message(turn.state.locale, 'erase.done'), message(turn.state.locale, 'team.erased')], effects: [] });
  }

  /**
   * Binds a channel identity to a response. When the store reports a failure, reads the binding back: there →
   * the turn goes on (it was stored); not there → the error stands ("NOT saved"); unreadable → UnknownOutcome.
   */
  async function bind(identity: Identity): Promise<void> {
    try {
      await store.bindIdentity(identity);
    } catch (error) {
      const found = await store.findIdentity(identity.key).catch(() => {
        throw new UnknownOutcome(`binding an identity failed and whether it was stored cannot be told: ${error instanceof Error ? error.message : String(error)}`);
      });
      if (found?.responseId !== identity.responseId || found.participantId !== identity.participantId) throw error;
      logger.warn({ err: error, response: identity.responseId }, 'binding an identity reported an error but was stored: the turn goes on');
    }
  }

  /** A message in a language. */
  const message = (locale: Locale, key: string): Reply => ({ type: 'message', text: translatorFor(deps.i18n, locale)(key) });

  /** Whether the respondent was greeted in this conversation (see TurnRequest.conversationId). */
  async function greetedIn({ conversationId, respondent }: TurnRequest): Promise<boolean> {
    if (conversationId === undefined) return true;
    return (await store.getConversation(conversationId))?.respondentKey === respondent.key;
  }

  /**
   * Stores a turn with one commit; null on a conflict. When the commit fails, asks the store whether it was
   * stored all the same: yes → the turn goes on as stored; no → the error stands ("NOT saved"); can't tell →
   * UnknownOutcome.
   */
  async function write(
    request: TurnRequest,
    doc: ResponseDoc,
    expectedVersion: number | null,
    turn: Turn,
    at: Date,
    reply: () => TurnResult,
    by: AnswerEvent['who'] = whoOf(request.respondent),
    before?: EngineState,
  ): Promise<Attempt | null> {
    const version = expectedVersion === null ? 1 : expectedVersion + 1;
    const commit: TurnCommit = {
      turnId: randomUUID(),
      response: doc,
      expectedVersion,
      events: eventsOf(doc.id, version, turn.changes, by, request.respondent.channel, at, before, turn.state),
      ...(request.activityKey ? { activity: { key: request.activityKey, ttlSeconds: ACTIVITY_TTL_SECONDS } } : {}),
    };
    try {
      const result = await store.commitTurn(commit);
      if (!result.ok) return null;
    } catch (error) {
      if (!(await wasCommitted(doc.id, commit.turnId, error))) throw error;
      logger.warn({ err: error, response: doc.id }, 'a write reported an error but was stored: the turn goes on');
    }
    return { result: reply(), activityDone: !!commit.activity };
  }

  /** Whether a commit that failed was stored after all (see write). */
  async function wasCommitted(responseId: string, turnId: string, error: unknown): Promise<boolean> {
    for (const delay of RECHECK_DELAYS_MS) {
      if (delay) await sleep(delay);
      try {
        return (await store.committedTurns(responseId)).some((t) => t.turnId === turnId);
      } catch {
        // the store is still failing: try again, then give up
      }
    }
    throw new UnknownOutcome(`a write failed and whether it was stored cannot be told: ${error instanceof Error ? error.message : String(error)}`);
  }

  /**
   * The gate before a first response when invitations are required: a greeting asks for the code; a message or
   * the channel's invitation event must carry a valid one. A valid code makes this identity a participant of its
   * country's one response (made by the first participant, with the country prefilled and locked; every invitation
   * of the country adds a participant to it); anything else is refused, storing nothing. The same code from another
   * channel is the same participant, who continues where they were.
   */
  async function admit(request: TurnRequest, at: Date): Promise<Attempt | null> {
    const { respondent, input } = request;
    const t = translatorFor(deps.i18n, respondent.locale);
    const gated = (...keys: string[]): Attempt => done({ status: 'gated', locale: respondent.locale, replies: keys.map((key) => ({ type: 'message', text: t(key) })) });
    if (input.kind === 'greet') return gated('welcome.title', 'invitation.ask');
    const given = input.kind === 'invitation' ? input.code : input.text;
    const code = findCode(given);
    if (!code) return gated(looksLikeCode(given) ? 'invitation.unknown' : 'invitation.needed');
    const invitation = await store.findInvitationByHash(hashCode(code));
    const key = invitation ? teamKey(interview.definition.questionnaire.id, invitation.country.code) : '';
    const why = refusal(invitation, key, at);
    if (why || !invitation) {
      logger.info({ respondent: respondent.key, invitation: invitation?.id, reason: why }, 'invitation refused');
      return gated(`invitation.${why ?? 'unknown'}`);
    }
    const existing = await store.findResponseByRespondent(key);
    const known = existing?.team?.participants.find((p) => p.id === invitation.id);
    const country = countryName(invitation.country.code, respondent.locale) ?? invitation.country.name;
    const joined = async (responseId: string, participant: Participant): Promise<void> => {
      await bind({ key: respondent.key, responseId, participantId: participant.id, at });
      logger.info({ respondent: respondent.key, invitation: invitation.id, response: responseId, lead: participant.lead }, 'participant joined');
    };
    // Whom they answer for, after the welcome (back) and before the questions.
    const welcome = (lead: boolean, rejoined: boolean) => [
      ...(rejoined ? [] : [{ key: 'invitation.accepted', params: { country } }]),
      { key: rejoined ? 'team.rejoined' : 'team.joined', params: { country } },
      ...(lead ? [{ key: 'team.lead' }] : []),
    ];
    if (existing && known) {
      // The same participant from another channel (or again): their place is kept.
      if (!(await store.markInvitationUsed(invitation.id, { respondentKey: key, responseId: existing.id, at }))) return null;
      await joined(existing.id, known);
      const state = interview.load(participantState(existing, known));
      if (!state) throw new Error(`response ${existing.id} holds no readable state for participant ${known.id}`);
      const resumed = interview.resume(state);
      const tt = translatorFor(deps.i18n, state.locale);
      const told: Reply[] = welcome(known.lead, true).map((m) => ({ type: 'message', text: tt(m.key, m.params) }));
      // After the welcome back (the first reply), before where they were.
      return done(ok(existing.id, { ...resumed, replies: [...resumed.replies.slice(0, 1), ...told, ...resumed.replies.slice(1)] }));
    }
    const countryItem = interview.definition.items.find((item) => item.kind === 'country');
    const prefill = existing ? existing.answers : countryItem ? [{ itemId: countryItem.id, value: invitation.country.code }] : [];
    const previous = countryItem && deps.previousRounds ? await previousContext(invitation.country.code) : null;
    const others = existing?.team?.participants ?? [];
    const lead = invitation.lead === true || (!others.some((p) => p.lead) && !(await invitedLeadOf(invitation.country.code, invitation.id)));
    const start = interview.start(respondent.locale, at, {
      prefill,
      ...(invitation.sections?.length ? { focus: invitation.sections } : {}),
      ...(previous?.previous ? { previous: previous.previous } : {}),
      // The greeting when the conversation opened was the welcome (the gate's first words, or without a gate all of
      // it): it is not said twice.
      greeted: deps.requireInvitation ? true : 'whole',
      announce: welcome(lead, false),
    });
    // Only the country is locked; other answers given by the team stay editable by every participant.
    const state: EngineState = { ...start.state, locked: countryItem ? [countryItem.id] : [] };
    const participant: Participant = {
      id: invitation.id,
      ...(invitation.email ? { email: invitation.email } : {}),
      ...(respondent.name ? { name: respondent.name } : {}),
      lead,
      sections: invitation.sections ?? [],
      joinedAt: at,
      state: ownState(state),
    };
    // A named lead takes over from a first participant who led meanwhile.
    const team = { participants: [...others.map((p) => (lead ? { ...p, lead: false } : p)), participant] };
    const base = existing ?? { ...newResponse(respondent, state, at), respondentKey: key };
    const joinedDoc = withParticipantState({ ...toDoc(base, { ...state, answers: existing ? existing.answers : state.answers }, at), team }, participant.id, state);
    // Joining a response already submitted leaves it submitted (the newcomer reads it as such).
    const doc = existing?.status === 'submitted' ? { ...joinedDoc, status: existing.status, submittedAt: existing.submittedAt } : joinedDoc;
    // Taken up first, so that a revoked or expired code cannot join; taking it up again is allowed for the country.
    if (!(await store.markInvitationUsed(invitation.id, { respondentKey: key, responseId: doc.id, at }))) return null;
    // Bound before the response is written: a binding to a response that was not written (or lacks the participant)
    // leads back here, so "NOT saved" stays true when the write fails.
    await joined(doc.id, participant);
    const prefilled = { ...start, state, changes: !existing && countryItem ? [{ itemId: countryItem.id, oldValue: null, newValue: invitation.country.code }] : [] };
    const fromInvitation = { channel: 'invitation', userId: invitation.id };
    return write(request, doc, existing ? existing.version : null, prefilled, at, () => ok(doc.id, { ...start, state }), fromInvitation);
  }

  /** The (unrevoked) invitation of the country, other than `exceptId`, that names its lead. */
  async function invitedLeadOf(countryCode: string, exceptId?: string): Promise<Invitation | undefined> {
    return (await store.listInvitations()).find((i) => i.country.code === countryCode && i.lead === true && !i.revokedAt && i.id !== exceptId);
  }

  /**
   * How the lead of a team's response is named to the others: their e-mail or name; before they joined, the e-mail
   * of the invitation that names them ("ana@… (not joined yet)"); else "the lead".
   */
  async function leadNameOf(doc: ResponseDoc, t: ReturnType<typeof translatorFor>): Promise<string> {
    const lead = leadOf(doc);
    if (lead) return nameOf(lead) ?? t('team.theLead');
    const invited = doc.country ? await invitedLeadOf(doc.country.code) : undefined;
    return invited?.email ? t('team.leadInvited', { email: invited.email }) : t('team.theLead');
  }

  /**
   * The respondent asked to delete their answers and confirmed: erase (idempotent: a failure is checked by reading
   * the response back). What the engine keeps after an erasure (answers locked by an invitation) starts a new
   * response; otherwise nothing is stored until the next answer.
   */
  async function erase(request: TurnRequest, existing: ResponseDoc, turn: Turn, at: Date): Promise<Attempt | null> {
    const { respondent } = request;
    try {
      await store.eraseResponse(existing.id, { channel: respondent.channel, userId: respondent.userId }, at);
    } catch (error) {
      const gone = await store.getResponse(existing.id).then(
        (doc) => doc === null,
        () => {
          throw new UnknownOutcome(`an erasure failed and whether it was done cannot be told: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
      if (!gone) throw error;
      logger.warn({ err: error, response: existing.id }, 'an erasure reported an error but was done: the turn goes on');
    }
    if (turn.state.answers.length === 0) return done(ok(undefined, turn));
    const doc = newResponse(respondent, turn.state, at);
    const kept = { ...turn, changes: turn.state.answers.map((a) => ({ itemId: a.itemId, oldValue: null, newValue: a.value })) };
    try {
      const stored = await write(request, doc, null, kept, at, () => ok(doc.id, turn));
      if (stored) return stored;
    } catch (error) {
      logger.error({ err: error, respondent: respondent.key }, 'erased, but the answers kept by the invitation were not stored again');
    }
    // The erasure is done: say so; the invitation's answers come back when the respondent gives the code again.
    return done(ok(undefined, turn));
  }

  /** What a message answered: the prompt it was at, when that answer is now recorded. */
  function answeredPrompt(before: EngineState, turn: Turn): { questionId: string; question: string; answer: string } | undefined {
    const questionId = currentPromptId(before);
    if (!questionId) return undefined;
    const answered = turn.changes.some((c) => c.itemId === questionId) || (questionId === 'submit' && turn.state.phase === 'submitted');
    const described = answered ? interview.describe(turn.state, questionId) : null;
    return described ? { questionId, ...described } : undefined;
  }

  function ok(responseId: string | undefined, turn: Turn, answered?: { questionId: string; question: string; answer: string }): TurnResult {
    const effects = turn.effects.filter((e) => e !== 'erase' && e !== 'link');
    return { status: 'ok', locale: turn.state.locale, replies: turn.replies, ...(responseId ? { responseId } : {}), effects, ...(answered ? { answered } : {}) };
  }

  /** A turn that stored nothing: its activity is marked done by handle(). */
  const done = (result: TurnResult): Attempt => ({ result, activityDone: false });

  function unavailable(request: TurnRequest, error: unknown): TurnResult {
    logger.error({ err: error, respondent: request.respondent.key }, error instanceof UnknownOutcome ? 'turn outcome unknown' : 'turn not stored');
    const locale = request.respondent.locale;
    // "NOT saved, send it again" only when nothing was stored; when that cannot be told, only "unavailable".
    const key = request.input.kind === 'greet' || error instanceof UnknownOutcome ? 'error.unavailable' : 'error.notSaved';
    return { status: 'unavailable', locale, replies: [{ type: 'message', text: translatorFor(deps.i18n, locale)(key) }] };
  }

  return { handle };
}
export type SessionService = ReturnType<typeof createSessionService>;

/**
 * A response document for a state: the answers and status the survey team queries, beside the engine's state.
 * The engine's answers and deferred items are not stored twice: they are the document's (engineStateOf puts
 * them back).
 */
export function toDoc(base: ResponseDoc, state: EngineState, at: Date): ResponseDoc {
  const country = state.answers.find((a) => a.itemId === 'country')?.value;
  const code = typeof country === 'string' ? country : null;
  const { answers: _answers, deferred: _deferred, ...engine } = state;
  return {
    ...base,
    country: code ? { code, name: countryName(code, 'en') ?? code } : null,
    locale: state.locale,
    // A submitted response whose flagged items are being revised stays submitted (with its open flags).
    status: state.phase === 'submitted' || state.phase === 'revising' ? 'submitted' : 'in_progress',
    answers: state.answers,
    deferred: state.deferred,
    engine,
    updatedAt: at,
    submittedAt: state.submittedAt ? new Date(state.submittedAt) : null,
  };
}

/** The engine's state of a stored response (older documents also carry the answers inside the engine's state: the document's win, being the same). */
export function engineStateOf(doc: ResponseDoc): unknown {
  return { ...doc.engine, answers: doc.answers, deferred: doc.deferred };
}

function newResponse(respondent: Respondent, state: EngineState, at: Date): ResponseDoc {
  const base: ResponseDoc = {
    id: randomUUID(),
    respondentKey: respondent.key,
    country: null,
    locale: state.locale,
    status: 'in_progress',
    answers: [],
    deferred: [],
    engine: {},
    createdAt: at,
    updatedAt: at,
    submittedAt: null,
    version: 1,
  };
  return toDoc(base, state, at);
}

/**
 * The audit events of a turn: its answer changes, then the survey team's flags it added (`flagged`, the comment as
 * newValue) and those it resolved (`revised_after_review`). Ids `${responseId}:${version}:${n}`, so that a
 * retried write adds none twice.
 */
export function eventsOf(
  responseId: string,
  version: number,
  changes: Turn['changes'],
  who: AnswerEvent['who'],
  channel: string,
  at: Date,
  before?: EngineState,
  after?: EngineState,
): AnswerEvent[] {
  type Entry = Pick<AnswerEvent, 'itemId' | 'oldValue' | 'newValue' | 'type' | 'kind'>;
  const answers = changes.map((change): Entry => ({
    itemId: change.itemId,
    oldValue: change.oldValue,
    newValue: change.newValue,
    type: 'answer',
    ...(change.kind ? { kind: change.kind } : {}),
  }));
  const earlier = new Map((before?.flags ?? []).map((f) => [f.id, f]));
  const review = (after?.flags ?? []).flatMap((flag): Entry[] => {
    const was = earlier.get(flag.id);
    if (!was) return [{ itemId: flag.itemId, oldValue: null, newValue: flag.comment, type: 'flagged' }];
    if (was.resolvedAt === null && flag.resolvedAt !== null) return [{ itemId: flag.itemId, oldValue: null, newValue: null, type: 'revised_after_review' }];
    return [];
  });
  return [...answers, ...review].map((e, n) => ({ id: `${responseId}:${version}:${n}`, responseId, ...e, who, channel, at }));
}

/** The author of a respondent's changes, as the audit trail records them. */
const whoOf = (respondent: Respondent): AnswerEvent['who'] => ({ channel: respondent.channel, userId: respondent.userId, ...(respondent.name ? { name: respondent.name } : {}) });

/** The audit event type, re-exported for callers that list a response's history. */
export type { AnswerEvent };
