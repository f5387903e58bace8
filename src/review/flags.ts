import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Interview, Turn } from '../interview/engine';
import type { Reply } from '../interview/render';
import type { EngineState, Flag } from '../interview/state';
import { engineStateOf, eventsOf, toDoc } from '../session/service';
import { ownState, participantState } from '../session/team';
import type { ResponseDoc, Store } from '../store/port';
import { flagsIn } from './flagsIn';
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
 * `revising` phase — for a country's team, in every participant's own state), is stored with a `flagged` event,
 * and is told to every participant in Teams at once (and to anyone on their next visit, by the engine's welcome
 * back). Answering it submits the response again (a `revised_after_review` event, written by the answering turn;
 * for a team, shareResolutions.ts closes it for the others too).
 */
export function createReviewService(deps: ReviewDeps) {
  const { store, interview, logger } = deps;
  const now = deps.now ?? (() => new Date());

  /** Flags one item with a comment; compare-and-swap on the response, retried on a concurrent turn. */
  async function flag(responseId: string, request: { itemId: string; comment: string }): Promise<FlagOutcome> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const existing = await store.getResponse(responseId);
      if (!existing) return { ok: false, reason: 'notFound' };
      if (existing.status !== 'submitted') return { ok: false, reason: 'notSubmitted' };
      const at = now();
      const id = randomUUID();
      const flagged = flagAll(existing, { id, ...request }, at);
      if (!flagged) return { ok: false, reason: 'notApplicable' };
      const { doc, before, after, turns } = flagged;
      const result = await store.commitTurn({
        turnId: randomUUID(),
        response: doc,
        expectedVersion: existing.version,
        events: eventsOf(doc.id, existing.version + 1, [], { ...SURVEY_TEAM_WHO }, SURVEY_TEAM_WHO.channel, at, before, after),
      });
      if (!result.ok) continue;
      const added = (after.flags ?? []).find((f) => f.id === id) as Flag;
      logger.info({ response: responseId, item: added.itemId, flag: added.id }, 'review: item flagged by the survey team');
      const notified = await notify(result.doc, turns);
      return { ok: true, flag: added, response: result.doc, notified };
    }
    throw new Error(`gave up flagging after ${MAX_ATTEMPTS} conflicting writes`);
  }

  /**
   * The response with the flag in its state (one respondent) or in every participant's (a team), the states before
   * and after (for the events), and each person's turn (what they are told); null when the item cannot be flagged.
   */
  function flagAll(existing: ResponseDoc, flag: { id: string; itemId: string; comment: string }, at: Date) {
    const turns = new Map<string, Turn>();
    if (!existing.team) {
      const state = load(engineStateOf(existing), existing);
      const turn = interview.flag(state, flag, at);
      if (!turn) return null;
      turns.set(existing.respondentKey, turn);
      return { doc: toDoc(existing, turn.state, at), before: state, after: turn.state, turns };
    }
    let before: EngineState | null = null;
    let after: EngineState | null = null;
    const participants = [];
    for (const p of existing.team.participants) {
      const state = load(participantState(existing, p), existing);
      const turn = interview.flag(state, flag, at);
      if (!turn) return null;
      before ??= state;
      after ??= turn.state;
      turns.set(p.id, turn);
      participants.push({ ...p, state: ownState(turn.state) });
    }
    if (!before || !after) return null;
    return { doc: { ...existing, team: { participants }, updatedAt: at }, before, after, turns };
  }

  /**
   * Tells every participant in Teams, in their language (not one whose invitation was revoked: see recipientsOf); a
   * failure is logged (they are told on their next visit anyway).
   */
  async function notify(response: ResponseDoc, turns: Map<string, Turn>): Promise<number> {
    if (!deps.sender) return 0;
    let sent = 0;
    for (const recipient of await recipientsOf(store, response)) {
      const turn = turns.get(recipient.key);
      if (!turn) continue;
      for (const conversation of recipient.conversations) {
        try {
          await deps.sender.send(conversation.reference, turn.replies as Reply[], turn.state.locale);
          sent++;
        } catch (error) {
          logger.warn({ err: error, response: response.id, conversation: conversation.id }, 'review: a flag could not be sent proactively (told on the next visit)');
        }
      }
    }
    return sent;
  }

  /** The flags of a response, oldest first; null when there is no such response. */
  async function flagsOf(responseId: string): Promise<FlagView[] | null> {
    const doc = await store.getResponse(responseId);
    if (!doc) return null;
    return viewFlags(doc, flagsIn(doc));
  }

  function load(saved: unknown, doc: ResponseDoc): EngineState {
    const state = interview.load(saved);
    if (!state) throw new Error(`response ${doc.id} holds no readable interview state`);
    return state;
  }

  return { flag, flagsOf };
}
export type ReviewService = ReturnType<typeof createReviewService>;

/** The flags of a response, as the dashboard shows them. */
export function viewFlags(doc: Pick<ResponseDoc, 'answers'>, flags: readonly Flag[]): FlagView[] {
  return flags.map((f) => ({
    ...f,
    status: f.resolvedAt === null ? 'open' : 'resolved',
    answer: doc.answers.find((a) => a.itemId === f.itemId)?.value ?? null,
  }));
}

