import { isDeepStrictEqual } from 'node:util';
import { randomUUID } from 'node:crypto';
import type { i18n } from 'i18next';
import type { Logger } from 'pino';
import { findCode, hashCode, looksLikeCode, refusal } from '../admin/invitations';
import { translatorFor, type Locale } from '../i18n';
import { currentPromptId, type Input, type Interview, type Turn } from '../interview/engine';
import type { Effect } from '../interview/machine';
import { countryName } from '../interview/parse/country';
import type { Reply } from '../interview/render';
import type { EngineState } from '../interview/state';
import type { AnswerEvent, ResponseDoc, Store } from '../store/port';

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
}

export type TurnResult =
  | {
      status: 'ok';
      locale: Locale;
      replies: Reply[];
      /** The prompt that this message answered, for updating its card. */
      answered?: { questionId: string; question: string; answer: string };
      /** The respondent's response (for a copy of it). */
      responseId: string;
      /** What the channel layer must do beyond replying (`copy`: give the respondent a link to their document). */
      effects: Effect[];
    }
  | { status: 'duplicate' }
  /** An invitation is required and was not (validly) given: nothing was stored. */
  | { status: 'gated'; locale: Locale; replies: Reply[] }
  | { status: 'unavailable'; locale: Locale; replies: Reply[] };

/** How long a processed activity is remembered, to drop redeliveries (Teams retries within minutes). */
const ACTIVITY_TTL_SECONDS = 24 * 60 * 60;
const MAX_ATTEMPTS = 5;

/**
 * One respondent's turn, channel-independent: load the response, run the engine, store the new state with
 * a compare-and-swap on its version (retrying on a concurrent write), append the audit events, and only
 * then return the replies. Nothing is acknowledged unless it is stored.
 */
export function createSessionService(deps: {
  store: Store;
  interview: Interview;
  i18n: i18n;
  logger: Logger;
  now?: () => Date;
  /** Only respondents who give a valid invitation code may start (REQUIRE_INVITATION). */
  requireInvitation?: boolean;
}) {
  const { store, interview, logger } = deps;
  const now = deps.now ?? (() => new Date());

  async function handle(request: TurnRequest): Promise<TurnResult> {
    const { activityKey } = request;
    try {
      if (activityKey && !(await store.claimActivity(activityKey, ACTIVITY_TTL_SECONDS))) return { status: 'duplicate' };
    } catch (error) {
      return unavailable(request, error);
    }
    try {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const result = await attemptTurn(request);
        if (result) return result;
        logger.info({ respondent: request.respondent.key, attempt }, 'concurrent write; retrying on the fresh state');
      }
      throw new Error(`gave up after ${MAX_ATTEMPTS} conflicting writes`);
    } catch (error) {
      if (activityKey) await store.releaseActivity(activityKey).catch(() => undefined);
      return unavailable(request, error);
    }
  }

  /** One optimistic attempt; null when another writer got there first. */
  async function attemptTurn(request: TurnRequest): Promise<TurnResult | null> {
    const { respondent, input } = request;
    const at = now();
    const existing = await store.findResponseByRespondent(respondent.key);
    if (!existing && deps.requireInvitation) return admit(request, at);
    if (!existing) {
      const turn = interview.start(respondent.locale, at);
      const doc = newResponse(respondent, turn.state, at);
      const write = await store.insertResponse(doc);
      return write.ok ? ok(doc.id, turn) : null;
    }
    const state = interview.load(existing.engine);
    if (!state) throw new Error(`response ${existing.id} holds no readable interview state`);
    if (input.kind === 'greet') return ok(existing.id, interview.resume(state));
    // The web chat link sends its code on every visit; once a response exists there is nothing to do with it.
    if (input.kind === 'invitation') return { status: 'ok', locale: state.locale, replies: [], responseId: existing.id, effects: [] };

    const turn = interview.handle(state, input, at);
    if (turn.effects.includes('erase')) return erase(existing, respondent, turn, at);
    if (isDeepStrictEqual(turn.state, state)) return ok(existing.id, turn);
    const write = await store.replaceResponse(toDoc(existing, turn.state, at), existing.version);
    if (!write.ok) return null;
    await store.appendEvents(
      turn.changes.map((change, n) => ({
        id: `${existing.id}:${write.doc.version}:${n}`,
        responseId: existing.id,
        itemId: change.itemId,
        oldValue: change.oldValue,
        newValue: change.newValue,
        who: { channel: respondent.channel, userId: respondent.userId, ...(respondent.name ? { name: respondent.name } : {}) },
        channel: respondent.channel,
        at,
        type: 'answer',
      })),
    );
    return ok(existing.id, turn, answeredPrompt(state, turn));
  }

  /**
   * The gate before a first response when invitations are required: a greeting asks for the code; a message or
   * the channel's invitation event must carry a valid one. A valid code is taken up by this respondent and the
   * response starts bound to its country (prefilled and locked); anything else is refused, storing nothing.
   */
  async function admit(request: TurnRequest, at: Date): Promise<TurnResult | null> {
    const { respondent, input } = request;
    const t = translatorFor(deps.i18n, respondent.locale);
    const gated = (...keys: string[]): TurnResult => ({ status: 'gated', locale: respondent.locale, replies: keys.map((key) => ({ type: 'message', text: t(key) })) });
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
    const turn = interview.start(respondent.locale, at, countryItem ? { prefill: [{ itemId: countryItem.id, value: invitation.country.code }] } : {});
    const doc = newResponse(respondent, turn.state, at);
    // Taken up first, so that two people with one code cannot both start; a lost race is retried (and then refused).
    if (!(await store.markInvitationUsed(invitation.id, { respondentKey: respondent.key, responseId: doc.id, at }))) return null;
    const write = await store.insertResponse(doc);
    if (!write.ok) return null;
    if (countryItem) {
      await store.appendEvents([
        {
          id: `${doc.id}:1:0`,
          responseId: doc.id,
          itemId: countryItem.id,
          oldValue: null,
          newValue: invitation.country.code,
          who: { channel: 'invitation', userId: invitation.id },
          channel: respondent.channel,
          at,
          type: 'answer',
        },
      ]);
    }
    logger.info({ respondent: respondent.key, invitation: invitation.id, response: doc.id }, 'invitation taken up');
    const country = countryName(invitation.country.code, turn.state.locale) ?? invitation.country.name;
    const accepted: Reply = { type: 'message', text: t('invitation.accepted', { country }) };
    return ok(doc.id, { ...turn, replies: [...turn.replies.slice(0, -1), accepted, ...turn.replies.slice(-1)] });
  }

  /** The respondent asked to delete their answers and confirmed: erase, then start afresh. */
  async function erase(existing: ResponseDoc, respondent: Respondent, turn: Turn, at: Date): Promise<TurnResult> {
    await store.eraseResponse(existing.id, { channel: respondent.channel, userId: respondent.userId }, at);
    const write = await store.insertResponse(newResponse(respondent, turn.state, at));
    if (!write.ok) throw new Error('could not start a new response after erasure');
    return ok(write.doc.id, turn);
  }

  /** What a message answered: the prompt it was at, when that answer is now recorded. */
  function answeredPrompt(before: EngineState, turn: Turn): { questionId: string; question: string; answer: string } | undefined {
    const questionId = currentPromptId(before);
    if (!questionId) return undefined;
    const answered = turn.changes.some((c) => c.itemId === questionId) || (questionId === 'submit' && turn.state.phase === 'submitted');
    const described = answered ? interview.describe(turn.state, questionId) : null;
    return described ? { questionId, ...described } : undefined;
  }

  function ok(responseId: string, turn: Turn, answered?: { questionId: string; question: string; answer: string }): TurnResult {
    const effects = turn.effects.filter((e) => e !== 'erase');
    return { status: 'ok', locale: turn.state.locale, replies: turn.replies, responseId, effects, ...(answered ? { answered } : {}) };
  }

  function unavailable(request: TurnRequest, error: unknown): TurnResult {
    logger.error({ err: error, respondent: request.respondent.key }, 'turn not stored');
    const locale = request.respondent.locale;
    const text = translatorFor(deps.i18n, locale)(request.input.kind === 'greet' ? 'error.unavailable' : 'error.notSaved');
    return { status: 'unavailable', locale, replies: [{ type: 'message', text }] };
  }

  return { handle };
}
export type SessionService = ReturnType<typeof createSessionService>;

/** A response document for a state: the answers and status the survey team queries, beside the engine's state. */
function toDoc(base: ResponseDoc, state: EngineState, at: Date): ResponseDoc {
  const country = state.answers.find((a) => a.itemId === 'country')?.value;
  const code = typeof country === 'string' ? country : null;
  return {
    ...base,
    country: code ? { code, name: countryName(code, 'en') ?? code } : null,
    locale: state.locale,
    status: state.phase === 'submitted' ? 'submitted' : 'in_progress',
    answers: state.answers,
    deferred: state.deferred,
    engine: state as unknown as Record<string, unknown>,
    updatedAt: at,
    submittedAt: state.submittedAt ? new Date(state.submittedAt) : null,
  };
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

/** The audit event type, re-exported for callers that list a response's history. */
export type { AnswerEvent };
