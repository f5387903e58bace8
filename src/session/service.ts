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
import type { AnswerEvent, ResponseDoc, Store, TurnCommit } from '../store/port';

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
    const existing = await store.findResponseByRespondent(respondent.key);
    if (existing && activityKey && checkDuplicate && (await store.committedTurns(existing.id)).some((t) => t.activityKey === activityKey)) {
      return { result: { status: 'duplicate' }, activityDone: false };
    }
    if (!existing && deps.requireInvitation) return admit(request, at);
    if (!existing) {
      // Not a response yet: the interview as it starts, stored only once the turn changes it.
      const start = interview.start(respondent.locale, at);
      if (input.kind !== 'message' || !(await greetedIn(request))) return done(ok(undefined, start));
      const turn = await handleWithPrevious(start.state, input, at);
      // A copy needs a document to link to: the (empty) questionnaire is then kept, unlisted like any response
      // without an answer.
      if (isDeepStrictEqual(turn.state, start.state) && !turn.effects.includes('copy')) return done(ok(undefined, turn));
      const doc = newResponse(respondent, turn.state, at);
      return write(request, doc, null, turn, at, () => ok(doc.id, turn, answeredPrompt(start.state, turn)));
    }
    const state = interview.load(engineStateOf(existing));
    if (!state) throw new Error(`response ${existing.id} holds no readable interview state`);
    if (input.kind === 'greet') return done(ok(existing.id, interview.resume(state)));
    // The web chat link sends its code on every visit; once a response exists there is nothing to do with it.
    if (input.kind === 'invitation') return done({ status: 'ok', locale: state.locale, replies: [], responseId: existing.id, effects: [] });

    const turn = await handleWithPrevious(state, input, at);
    if (turn.effects.includes('erase')) return erase(request, existing, turn, at);
    if (isDeepStrictEqual(turn.state, state)) return done(ok(existing.id, turn));
    return write(request, toDoc(existing, turn.state, at), existing.version, turn, at, () => ok(existing.id, turn, answeredPrompt(state, turn)));
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
  ): Promise<Attempt | null> {
    const version = expectedVersion === null ? 1 : expectedVersion + 1;
    const commit: TurnCommit = {
      turnId: randomUUID(),
      response: doc,
      expectedVersion,
      events: eventsOf(doc.id, version, turn.changes, by, request.respondent.channel, at),
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
   * the channel's invitation event must carry a valid one. A valid code is taken up by this respondent and the
   * response starts bound to its country (prefilled and locked); anything else is refused, storing nothing.
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
    const why = refusal(invitation, respondent.key, at);
    if (why || !invitation) {
      logger.info({ respondent: respondent.key, invitation: invitation?.id, reason: why }, 'invitation refused');
      return gated(`invitation.${why ?? 'unknown'}`);
    }
    const countryItem = interview.definition.items.find((item) => item.kind === 'country');
    const previous = countryItem && deps.previousRounds ? await previousContext(invitation.country.code) : null;
    const turn = interview.start(respondent.locale, at, countryItem ? { prefill: [{ itemId: countryItem.id, value: invitation.country.code }], ...(previous?.previous ? { previous: previous.previous } : {}) } : {});
    const doc = newResponse(respondent, turn.state, at);
    // Taken up first, so that two people with one code cannot both start; a lost race is retried (and then refused).
    // Taking it up again is allowed to the same respondent, so a retry after a failure below is safe.
    if (!(await store.markInvitationUsed(invitation.id, { respondentKey: respondent.key, responseId: doc.id, at }))) return null;
    const prefilled = { ...turn, changes: countryItem ? [{ itemId: countryItem.id, oldValue: null, newValue: invitation.country.code }] : [] };
    const fromInvitation = { channel: 'invitation', userId: invitation.id };
    return write(request, doc, null, prefilled, at, () => {
      logger.info({ respondent: respondent.key, invitation: invitation.id, response: doc.id }, 'invitation taken up');
      const country = countryName(invitation.country.code, turn.state.locale) ?? invitation.country.name;
      const accepted: Reply = { type: 'message', text: t('invitation.accepted', { country }) };
      return ok(doc.id, { ...turn, replies: [...turn.replies.slice(0, -1), accepted, ...turn.replies.slice(-1)] });
    }, fromInvitation);
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
    const effects = turn.effects.filter((e) => e !== 'erase');
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
function toDoc(base: ResponseDoc, state: EngineState, at: Date): ResponseDoc {
  const country = state.answers.find((a) => a.itemId === 'country')?.value;
  const code = typeof country === 'string' ? country : null;
  const { answers: _answers, deferred: _deferred, ...engine } = state;
  return {
    ...base,
    country: code ? { code, name: countryName(code, 'en') ?? code } : null,
    locale: state.locale,
    status: state.phase === 'submitted' ? 'submitted' : 'in_progress',
    answers: state.answers,
    deferred: state.deferred,
    engine,
    updatedAt: at,
    submittedAt: state.submittedAt ? new Date(state.submittedAt) : null,
  };
}

/** The engine's state of a stored response (older documents also carry the answers inside the engine's state: the document's win, being the same). */
function engineStateOf(doc: ResponseDoc): unknown {
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

/** The audit events of a turn's changes; ids `${responseId}:${version}:${n}`, so that a retried write adds none twice. */
function eventsOf(responseId: string, version: number, changes: Turn['changes'], who: AnswerEvent['who'], channel: string, at: Date): AnswerEvent[] {
  return changes.map((change, n) => ({
    id: `${responseId}:${version}:${n}`,
    responseId,
    itemId: change.itemId,
    oldValue: change.oldValue,
    newValue: change.newValue,
    who,
    channel,
    at,
    type: 'answer',
    ...(change.kind ? { kind: change.kind } : {}),
  }));
}

/** The author of a respondent's changes, as the audit trail records them. */
const whoOf = (respondent: Respondent): AnswerEvent['who'] => ({ channel: respondent.channel, userId: respondent.userId, ...(respondent.name ? { name: respondent.name } : {}) });

/** The audit event type, re-exported for callers that list a response's history. */
export type { AnswerEvent };
