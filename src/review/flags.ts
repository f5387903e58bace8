import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Interview } from '../interview/engine';
import type { EngineState, Flag } from '../interview/state';
import { engineStateOf, eventsOf, toDoc } from '../session/service';
import type { AnswerEvent, ResponseDoc, Store } from '../store/port';
import type { ProactiveSender } from './proactive';
import { recipientsOf } from './recipients';

/** Who flags items, in the audit trail. */
export const SURVEY_TEAM_WHO = { channel: 'admin', userId: 'survey-team' } as const;
const MAX_ATTEMPTS = 5;

export type FlagOutcome =
  | { ok: true; flag: Flag; response: ResponseDoc; notified: number }
  | { ok: false; reason: 'notFound' | 'notSubmitted' | 'notApplicable' };

/** A flag as the survey team reads it: open or resolved, with the answer it has now. */
export interface FlagView extends Flag {
  status: 'open' | 'resolved';
  answer: string | string[] | null;
}

export interface ReviewDeps {
  store: Store;
  interview: Interview;
  logger: Logger;
  /** Where flagged participants are told in Teams; without one, they learn of it on their next visit only. */
  sender?: ProactiveSender;
  now?: () => Date;
}

/**
 * The survey team asks back: a flag on an item of a submitted response reopens that item only (the engine's
 * `revising` phase), is stored with a `flagged` event, and is told to the response's recipients in Teams at once
 * (and to anyone on their next visit, by the engine's welcome back). Answering it submits the response again
 * (a `revised_after_review` event, written by the respondent's turn).
 */
export function createReviewService(deps: ReviewDeps) {
  const { store, interview, logger } = deps;
  const now = deps.now ?? (() => new Date());

  /** Flags one item with a comment; compare-and-swap on the response, retried on a concurrent turn. */
  async function flag(responseId: string, request: { itemId: string; comment: string }): Promise<FlagOutcome> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const existing = await store.getResponse(responseId);
      if (!existing) return { ok: false, reason: 'notFound' };
      const state = stateOf(existing);
      if (state.phase !== 'submitted' && state.phase !== 'revising') return { ok: false, reason: 'notSubmitted' };
      const at = now();
      const turn = interview.flag(state, { id: randomUUID(), itemId: request.itemId, comment: request.comment }, at);
      if (!turn) return { ok: false, reason: 'notApplicable' };
      const doc = toDoc(existing, turn.state, at);
      const version = existing.version + 1;
      const result = await store.commitTurn({
        turnId: randomUUID(),
        response: doc,
        expectedVersion: existing.version,
        events: eventsOf(doc.id, version, turn.changes, { ...SURVEY_TEAM_WHO }, SURVEY_TEAM_WHO.channel, at, state, turn.state),
      });
      if (!result.ok) continue;
      const added = turn.state.flags?.at(-1) as Flag;
      logger.info({ response: responseId, item: added.itemId, flag: added.id }, 'review: item flagged by the survey team');
      const notified = await notify(result.doc, turn.replies, turn.state);
      return { ok: true, flag: added, response: result.doc, notified };
    }
    throw new Error(`gave up flagging after ${MAX_ATTEMPTS} conflicting writes`);
  }

  /** Tells every recipient in Teams; a failure is logged (they are told on their next visit anyway). */
  async function notify(response: ResponseDoc, replies: Parameters<ProactiveSender['send']>[1], state: EngineState): Promise<number> {
    if (!deps.sender) return 0;
    let sent = 0;
    for (const recipient of await recipientsOf(store, response)) {
      try {
        await deps.sender.send(recipient.reference, replies, state.locale);
        sent++;
      } catch (error) {
        logger.warn({ err: error, response: response.id, conversation: recipient.id }, 'review: a flag could not be sent proactively (told on the next visit)');
      }
    }
    return sent;
  }

  /** The flags of a response, oldest first; null when there is no such response. */
  async function flagsOf(responseId: string): Promise<FlagView[] | null> {
    const doc = await store.getResponse(responseId);
    if (!doc) return null;
    return viewFlags(doc, stateOf(doc));
  }

  function stateOf(doc: ResponseDoc): EngineState {
    const state = interview.load(engineStateOf(doc));
    if (!state) throw new Error(`response ${doc.id} holds no readable interview state`);
    return state;
  }

  return { flag, flagsOf };
}
export type ReviewService = ReturnType<typeof createReviewService>;

/** The flags of a response's state, as the dashboard shows them. */
export function viewFlags(doc: Pick<ResponseDoc, 'answers'>, state: Pick<EngineState, 'flags'>): FlagView[] {
  return (state.flags ?? []).map((f) => ({
    ...f,
    status: f.resolvedAt === null ? 'open' : 'resolved',
    answer: doc.answers.find((a) => a.itemId === f.itemId)?.value ?? null,
  }));
}

/** The review events of a response's audit trail (flags and revisions), for callers that list them. */
export const isReviewEvent = (event: AnswerEvent): boolean => event.type === 'flagged' || event.type === 'revised_after_review';
