import { assign, createActor, setup, type AnyActorScope } from 'xstate';
import type { Definition } from '../../dialogs';
import type { SectionId } from '../../dialogs/schema';
import type { Locale } from '../i18n';
import {
  answerMap,
  followingItem,
  idSet,
  isApplicable,
  isLastChance,
  isOpen,
  nextItem,
  previousItem,
  questionKey,
  unansweredRequired,
  type Answers,
  type Position,
} from './flow';
import type { Reason } from './parse/answer';
import type { Command } from './parse/command';
import type { AnswerValue, EngineState, Flag, StoredAnswer } from './state';

/** Something to tell the respondent, rendered in their language after the transition. */
export type Say =
  | { say: 'message'; key: string; params?: Record<string, string | number> }
  /** An answer was stored; `echo`: the bot read it from what was typed, so it says what it stored ("Saved: Paraguay."). */
  | { say: 'saved'; itemId: string; echo: boolean }
  /** The previous round's answer to an item was kept (`keep`). */
  | { say: 'carried'; itemId: string }
  /** A button of an earlier prompt was clicked. */
  | { say: 'stale'; questionId: string }
  | { say: 'section'; section: SectionId }
  /** The survey team asks about an item of the submitted response. */
  | { say: 'flagged'; itemId: string; comment: string }
  | { say: 'invalid'; reason: Reason }
  | { say: 'help' }
  | { say: 'progress' }
  | { say: 'review'; section: SectionId | null }
  | { say: 'summary' };

/** An answer that changed in this turn, for the audit trail. */
export interface AnswerChange {
  itemId: string;
  oldValue: AnswerValue | null;
  newValue: AnswerValue | null;
  /**
   * `carriedForward`: the new value is the previous round's answer, kept by the respondent (`keep`): confirmed, never
   * copied silently. `probeAsked` / `probeDeclined`: a follow-up of a thin answer was asked / declined (the value
   * does not change); `probeAnswered`: what the respondent typed was added to the answer.
   */
  kind?: 'carriedForward' | 'probeAsked' | 'probeAnswered' | 'probeDeclined';
}

/**
 * What the bot must do beyond replying: erase the response from the store; give the respondent a copy of it; give
 * them a one-time code to continue in another channel.
 */
export type Effect = 'erase' | 'copy' | 'link';

export interface InterviewContext extends Omit<EngineState, 'phase'> {
  outbox: Say[];
  changes: AnswerChange[];
  effects: Effect[];
}

/**
 * Events, after the engine has interpreted the respondent's message for the current prompt. An ANSWER carries
 * the text that followed a yes or no (`rest`), whether the bot must say what it stored (`echo`), and whether
 * the respondent must confirm the reading first (`confirm`).
 */
export type InterviewEvent =
  | { type: 'ANSWER'; value: AnswerValue; rest?: string; echo: boolean; confirm?: boolean; at?: string }
  | { type: 'INVALID'; reason: Reason }
  | { type: 'CONFIRM'; yes: boolean; at: string }
  | { type: 'TEXT' }
  | { type: 'STALE'; questionId: string }
  /** The survey team flags an item of the submitted response (not a respondent's message). */
  | { type: 'FLAG'; flag: Flag }
  /** The follow-up of a thin answer is over (answered or declined): go on from its item. */
  | { type: 'PROBED' }
  | Command;

/**
 * The interview as a state machine built from a questionnaire definition. States are conversation phases;
 * the item being asked is `context.current`, so adding an item never touches the machine. Free of I/O: the
 * engine restores a snapshot, sends one event, and reads context and phase back.
 */
export function createInterviewMachine(def: Definition, answersOf: (answers: readonly StoredAnswer[]) => Answers = answerMap) {
  const position = (c: InterviewContext): Position => ({
    answers: answersOf(c.answers),
    skipped: idSet(c.skipped),
    deferred: idSet(c.deferred),
    resolving: c.resolving,
    ...(c.focus?.length ? { focus: new Set(c.focus) } : {}),
  });
  /** Moves to an item (or to nothing left), announcing its section when it changes. */
  const moveTo = (c: InterviewContext, itemId: string | null): Partial<InterviewContext> => {
    const section = itemId ? def.byId.get(itemId)?.section ?? null : c.lastSection;
    const announce = section !== null && section !== c.lastSection;
    return {
      current: itemId,
      lastSection: section,
      outbox: announce ? [...c.outbox, { say: 'section', section: section as SectionId }] : c.outbox,
    };
  };
  const currentItem = (c: InterviewContext) => (c.current ? def.byId.get(c.current) : undefined);

  /**
   * Stores an answer (and the text typed after a yes or no in its detail item, when that item is asked after
   * this answer), with the audit changes and what to tell the respondent.
   */
  const record = (c: InterviewContext, itemId: string, value: AnswerValue, rest: string | undefined, echo: boolean): Partial<InterviewContext> => {
    const item = def.byId.get(itemId);
    const records: Array<[string, AnswerValue]> = [[itemId, value]];
    const notes: Say[] = [{ say: 'saved', itemId, echo }];
    if (rest) {
      const detail = item?.inlineDetail ? def.byId.get(item.inlineDetail) : undefined;
      const withAnswer = answerMap([...c.answers.filter((a) => a.itemId !== itemId), { itemId, value }]);
      if (detail && isApplicable(def, detail, withAnswer)) {
        records.push([detail.id, rest]);
        notes.push({ say: 'message', key: 'answer.detailSaved' });
      } else {
        notes.push({ say: 'message', key: detail ? 'answer.detailNotAsked' : 'answer.restNotKept' });
      }
    }
    let { answers, changes } = c;
    for (const [id, v] of records) {
      // One pass: the other answers in order, then this one last (its old value is the first one found).
      const next: StoredAnswer[] = [];
      let old: AnswerValue | null = null;
      let found = false;
      for (const a of answers) {
        if (a.itemId !== id) next.push(a);
        else if (!found) {
          old = a.value;
          found = true;
        }
      }
      next.push({ itemId: id, value: v });
      answers = next;
      if (!sameAnswer(old, v)) changes = [...changes, { itemId: id, oldValue: old, newValue: v }];
    }
    const ids = records.map(([id]) => id);
    // The lists as they were when none of the recorded items is in them (most often they are empty).
    const without = (list: string[]) => (list.some((id) => ids.includes(id)) ? list.filter((id) => !ids.includes(id)) : list);
    return {
      answers,
      changes,
      skipped: without(c.skipped),
      deferred: without(c.deferred),
      ...(c.carried ? { carried: without(c.carried) } : {}),
      outbox: [...c.outbox, ...notes],
    };
  };
  /** The previous round's answer to the current item, when there is one and the item is asked. */
  const previousOf = (c: InterviewContext) => {
    const item = currentItem(c);
    if (!item || !c.previous || !isApplicable(def, item, answersOf(c.answers))) return undefined;
    return c.previous.answers.find((a) => a.itemId === item.id);
  };

  return setup({
    types: {} as { context: InterviewContext; events: InterviewEvent; input: InterviewContext },
    guards: {
      isLastChance: ({ context }) => {
        const item = currentItem(context);
        return item !== undefined && isLastChance(def, position(context), item);
      },
      needsConfirmation: ({ event }) => event.type === 'ANSWER' && event.confirm === true,
      isAnswered: ({ context }) => context.answers.some((a) => a.itemId === context.current),
      hasPrevious: ({ context }) => previousItem(def, answersOf(context.answers), context.current) !== null,
      isFinished: ({ context }) => context.current === null,
      isConfirmed: ({ event }) => event.type === 'CONFIRM' && event.yes,
      hasUnansweredRequired: ({ context }) => unansweredRequired(def, answersOf(context.answers)).length > 0,
      isEditable: ({ context, event }) => {
        if (event.type !== 'EDIT' || !event.itemId) return false;
        const item = def.byId.get(event.itemId);
        return item !== undefined && isApplicable(def, item, answersOf(context.answers));
      },
      hasAnswers: ({ context }) => context.answers.length > 0,
      hasNoOpenFlag: ({ context }) => !(context.flags ?? []).some((f) => f.resolvedAt === null),
      hasKeepablePrevious: ({ context }) => previousOf(context)?.fit === 'keepable',
      hasShownOnlyPrevious: ({ context }) => previousOf(context)?.fit === 'shownOnly',
    },
    actions: {
      say: assign({ outbox: ({ context }, say: Say) => [...context.outbox, say] }),
      sayInvalid: assign({
        outbox: ({ context, event }) => (event.type === 'INVALID' ? [...context.outbox, { say: 'invalid', reason: event.reason } as Say] : context.outbox),
      }),
      recordAnswer: assign(({ context, event }) =>
        event.type === 'ANSWER' && context.current ? record(context, context.current, event.value, event.rest, event.echo) : {},
      ),
      holdAnswer: assign(({ context, event }) =>
        event.type === 'ANSWER' && context.current ? { pending: { itemId: context.current, value: event.value } } : {},
      ),
      recordPending: assign(({ context }) => (context.pending ? record(context, context.pending.itemId, context.pending.value, undefined, true) : {})),
      clearPending: assign({ pending: null }),
      sayCannotKeep: assign({
        outbox: ({ context }) => [...context.outbox, { say: 'message', key: previousOf(context)?.reason === 'askedAgain' ? 'carry.cannotKeepAskedAgain' : 'carry.cannotKeep' } as Say],
      }),
      keepPrevious: assign(({ context }) => {
        const previous = previousOf(context);
        if (!previous || !context.current) return {};
        const itemId = context.current;
        const value = Array.isArray(previous.value) ? [...previous.value] : previous.value;
        const recorded = record({ ...context, outbox: [] }, itemId, value, undefined, false);
        return {
          ...recorded,
          changes: (recorded.changes ?? []).map((change, n) => (n >= context.changes.length && change.itemId === itemId ? { ...change, kind: 'carriedForward' as const } : change)),
          carried: [...(recorded.carried ?? context.carried ?? []).filter((id) => id !== itemId), itemId],
          outbox: [...context.outbox, { say: 'carried', itemId }],
        };
      }),
      advance: assign(({ context }) => {
        const p = position(context);
        const walk = context.revisiting;
        const following = walk && context.current ? followingItem(def, p.answers, context.current) : null;
        // Going through earlier answers: the item right after, until the walk is over.
        if (walk && following && (walk.by === 'back' ? !isOpen(def, p, following) : questionKey(following) === walk.question)) {
          return moveTo(context, following.id);
        }
        return { revisiting: null, ...moveTo(context, nextItem(def, p, context.current)?.id ?? null) };
      }),
      deferCurrent: assign(({ context }) => ({
        deferred: context.current && !context.deferred.includes(context.current) ? [...context.deferred, context.current] : context.deferred,
      })),
      skipCurrent: assign(({ context }) => ({
        skipped: context.current && !context.skipped.includes(context.current) ? [...context.skipped, context.current] : context.skipped,
      })),
      goBack: assign(({ context }) => {
        const previous = previousItem(def, answersOf(context.answers), context.current);
        // Back within an edit stays an edit of the question stepped into; otherwise a walk forward from there.
        const revisiting = context.revisiting?.by === 'edit' && previous ? { by: 'edit' as const, question: questionKey(previous) } : { by: 'back' as const };
        return { revisiting, ...moveTo(context, previous?.id ?? null) };
      }),
      goToEditTarget: assign(({ context, event }) => {
        const target = event.type === 'EDIT' && event.itemId ? def.byId.get(event.itemId) : undefined;
        if (!target) return {};
        // "edit 4" goes through all of question 4 (its parts and follow-ups); an item named by its id, through it alone.
        const revisiting = event.type === 'EDIT' && event.whole ? { by: 'edit' as const, question: questionKey(target) } : null;
        return { revisiting, ...moveTo(context, target.id) };
      }),
      goToLast: assign(({ context }) => ({
        revisiting: { by: 'back' as const },
        ...moveTo(context, previousItem(def, answersOf(context.answers), null)?.id ?? null),
      })),
      startResolving: assign(({ context }) => {
        const resolving = { ...context, resolving: true };
        return { resolving: true, revisiting: null, ...moveTo(resolving, nextItem(def, position(resolving), null)?.id ?? null) };
      }),
      stopResolving: assign({ resolving: false, revisiting: null }),
      setLocale: assign({ locale: ({ context, event }) => (event.type === 'LANGUAGE' && event.locale ? event.locale : context.locale) as Locale }),
      reset: assign(({ context }) => ({
        answers: [],
        carried: [],
        probe: null,
        probed: [],
        skipped: [],
        deferred: [],
        resolving: false,
        revisiting: null,
        changes: [...context.changes, ...context.answers.map((a) => ({ itemId: a.itemId, oldValue: a.value, newValue: null }))],
        ...moveTo({ ...context, lastSection: null }, def.items[0].id),
      })),
      markSubmitted: assign({ submittedAt: ({ event }) => (event.type === 'CONFIRM' ? event.at : new Date(0).toISOString()), current: null }),
      addFlag: assign(({ context, event }) => {
        if (event.type !== 'FLAG') return {};
        const flags = [...(context.flags ?? []), event.flag];
        const open = context.current !== null && flags.some((f) => f.itemId === context.current && f.resolvedAt === null);
        return { flags, current: open ? context.current : event.flag.itemId, outbox: [...context.outbox, { say: 'flagged', itemId: event.flag.itemId, comment: event.flag.comment }] };
      }),
      resolveFlag: assign(({ context, event }) => {
        const at = event.type === 'ANSWER' && event.at ? event.at : new Date(0).toISOString();
        const flags = (context.flags ?? []).map((f) => (f.itemId === context.current && f.resolvedAt === null ? { ...f, resolvedAt: at } : f));
        const next = flags.find((f) => f.resolvedAt === null);
        return { flags, current: next?.itemId ?? null };
      }),
      markRevised: assign({
        submittedAt: ({ context }) => (context.flags ?? []).reduce<string | null>((latest, f) => (f.resolvedAt && (!latest || f.resolvedAt > latest) ? f.resolvedAt : latest), context.submittedAt),
        current: null,
      }),
      setReminders: assign({ remindersOff: ({ context, event }) => (event.type === 'REMINDERS' ? !event.on : context.remindersOff) }),
      requestErase: assign({ effects: ({ context }) => [...context.effects, 'erase' as const] }),
      requestCopy: assign({ effects: ({ context }) => [...context.effects, 'copy' as const] }),
      requestLink: assign({ effects: ({ context }) => [...context.effects, 'link' as const] }),
    },
  }).createMachine({
    id: 'interview',
    context: ({ input }) => input,
    initial: 'asking',
    on: {
      HELP: { actions: { type: 'say', params: { say: 'help' } } },
      PROGRESS: { actions: { type: 'say', params: { say: 'progress' } } },
      REVIEW: { actions: { type: 'say', params: ({ event }) => ({ say: 'review', section: event.section }) } },
      LANGUAGE: [
        { guard: ({ event }) => event.locale === null, actions: { type: 'say', params: { say: 'message', key: 'language.usage' } } },
        { actions: ['setLocale', { type: 'say', params: { say: 'message', key: 'language.changed' } }] },
      ],
      STALE: { actions: { type: 'say', params: ({ event }) => ({ say: 'stale', questionId: event.questionId }) } },
      INVALID: { actions: 'sayInvalid' },
      EDIT: [
        { guard: ({ event }) => event.itemId === null && event.unknown !== undefined, actions: { type: 'say', params: ({ event }) => ({ say: 'message', key: 'edit.unknown', params: { reference: event.unknown ?? '' } }) } },
        { guard: ({ event }) => event.itemId === null, actions: { type: 'say', params: { say: 'message', key: 'edit.usage' } } },
        { guard: 'isEditable', target: '.asking', actions: ['stopResolving', 'goToEditTarget'] },
        { actions: { type: 'say', params: { say: 'message', key: 'edit.notApplicable' } } },
      ],
      RESTART: { target: '.confirmingRestart' },
      ERASE: { target: '.confirmingErase' },
      COPY: { actions: 'requestCopy' },
      REMINDERS: reminders(),
      LINK: { actions: 'requestLink' },
    },
    states: {
      asking: {
        entry: 'clearPending',
        always: { guard: 'isFinished', target: 'confirmingSubmit' },
        on: {
          ANSWER: [{ guard: 'needsConfirmation', target: 'confirmingAnswer', actions: 'holdAnswer' }, { actions: ['recordAnswer', 'advance'] }],
          SKIP: skip(),
          KEEP: keep(),
          PROBED: { actions: 'advance' },
          BACK: [{ guard: 'hasPrevious', actions: 'goBack' }, { actions: { type: 'say', params: { say: 'message', key: 'back.atStart' } } }],
          SUBMIT: { target: 'confirmingSubmit', actions: 'stopResolving' },
        },
      },
      confirmingAnswer: {
        on: {
          CONFIRM: [
            { guard: 'isConfirmed', target: 'asking', actions: ['recordPending', 'advance'] },
            { target: 'asking', actions: { type: 'say', params: { say: 'message', key: 'confirm.again' } } },
          ],
          // Anything else is a new answer to the same question.
          ANSWER: [{ guard: 'needsConfirmation', actions: 'holdAnswer' }, { target: 'asking', actions: ['recordAnswer', 'advance'] }],
          INVALID: { target: 'asking', actions: 'sayInvalid' },
          SKIP: skip('asking'),
          KEEP: keep('asking'),
          BACK: { target: 'asking' },
          SUBMIT: { target: 'confirmingSubmit', actions: 'stopResolving' },
        },
      },
      confirmingSubmit: {
        entry: ['stopResolving', 'clearPending', { type: 'say', params: { say: 'summary' } }],
        on: {
          CONFIRM: [
            { guard: 'isConfirmed', target: 'submitted', actions: ['markSubmitted', { type: 'say', params: { say: 'message', key: 'submit.done' } }] },
            { guard: 'hasUnansweredRequired', target: 'asking', actions: ['startResolving'] },
            { actions: { type: 'say', params: { say: 'message', key: 'submit.notYet' } } },
          ],
          BACK: { target: 'asking', actions: 'goToLast' },
          SKIP: { actions: { type: 'say', params: { say: 'message', key: 'submit.answerYesNo' } } },
          SUBMIT: { actions: { type: 'say', params: { say: 'summary' } } },
        },
      },
      confirmingRestart: {
        entry: 'clearPending',
        on: {
          CONFIRM: [
            { guard: 'isConfirmed', target: 'asking', actions: ['reset', { type: 'say', params: { say: 'message', key: 'restart.done' } }] },
            { target: 'asking', actions: { type: 'say', params: { say: 'message', key: 'restart.cancelled' } } },
          ],
          '*': { actions: { type: 'say', params: { say: 'message', key: 'confirm.answerYesNo' } } },
          HELP: { actions: { type: 'say', params: { say: 'help' } } },
        },
      },
      confirmingErase: {
        entry: 'clearPending',
        on: {
          CONFIRM: [
            { guard: 'isConfirmed', target: 'asking', actions: ['requestErase', 'reset', { type: 'say', params: { say: 'message', key: 'erase.done' } }] },
            { target: 'asking', actions: { type: 'say', params: { say: 'message', key: 'erase.cancelled' } } },
          ],
          '*': { actions: { type: 'say', params: { say: 'message', key: 'confirm.answerYesNo' } } },
          HELP: { actions: { type: 'say', params: { say: 'help' } } },
        },
      },
      submitted: {
        on: {
          '*': { actions: { type: 'say', params: { say: 'message', key: 'submitted.readOnly' } } },
          ...readOnlyCommands(),
          ERASE: { actions: { type: 'say', params: { say: 'message', key: 'erase.submitted' } } },
          FLAG: { target: 'revising', actions: 'addFlag' },
        },
      },
      // Submitted, with items the survey team flagged: only those are asked; answering the last one submits again.
      revising: {
        always: { guard: 'hasNoOpenFlag', target: 'submitted', actions: ['markRevised', { type: 'say', params: { say: 'message', key: 'revise.done' } }] },
        on: {
          ANSWER: { actions: ['recordAnswer', 'resolveFlag'] },
          FLAG: { actions: 'addFlag' },
          INVALID: { actions: 'sayInvalid' },
          STALE: { actions: { type: 'say', params: ({ event }) => ({ say: 'stale', questionId: event.questionId }) } },
          '*': { actions: { type: 'say', params: { say: 'message', key: 'revise.onlyFlagged' } } },
          ...readOnlyCommands(),
        },
      },
    },
  });
}

export type InterviewMachine = ReturnType<typeof createInterviewMachine>;

/** An interview with nothing in it: the input of the actor that only stands as the transition's `self`. */
const BLANK: InterviewContext = {
  schemaVersion: 1,
  definitionVersion: '',
  locale: 'en',
  current: null,
  lastSection: null,
  answers: [],
  skipped: [],
  deferred: [],
  resolving: false,
  startedAt: '',
  submittedAt: null,
  outbox: [],
  changes: [],
  effects: [],
};

type InterviewSnapshot = ReturnType<InterviewMachine['resolveState']>;

/**
 * The machine's pure transition, `(snapshot, event) → next snapshot`, executing nothing but its `assign`s.
 * xstate's `transition()` does the same but builds a new inert actor for every call (an actor system, and the
 * machine's initial state computed and thrown away); for this machine — no children, no delays, no actions
 * other than `assign` — that scope is the same on every turn, so it is built once per machine.
 */
export function pureTransition(machine: InterviewMachine): (snapshot: InterviewSnapshot, event: InterviewEvent) => InterviewSnapshot {
  // The scope's `self`: never started, and nothing reads its state (its input is a blank interview).
  const self = createActor(machine, { input: BLANK });
  const ignore = () => undefined;
  const scope: AnyActorScope = {
    self,
    id: '',
    sessionId: '',
    logger: ignore,
    defer: ignore,
    emit: ignore,
    system: self.system,
    stopChild: ignore,
    // Where actions other than `assign` would go; like `transition()`, nothing is executed (the machine has none).
    actionExecutor: ignore,
  };
  return (snapshot, event) => machine.transition(snapshot, event, scope);
}

/** Whether two stored answers are the same: the same text or option, or the same options in the same order. */
function sameAnswer(a: AnswerValue | null, b: AnswerValue | null): boolean {
  if (a === b) return true;
  return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((value, at) => value === b[at]);
}

/**
 * `skip`: an answered item keeps its answer; an item that must be answered (required, or the last chance for
 * a group such as question 2's links) is deferred and listed before submission; any other is left blank.
 */
function skip(target?: 'asking') {
  const to = target ? { target } : {};
  return [
    { guard: 'isAnswered', ...to, actions: [{ type: 'say', params: { say: 'message', key: 'skip.kept' } }, 'advance'] },
    { guard: 'isLastChance', ...to, actions: ['deferCurrent', { type: 'say', params: { say: 'message', key: 'skip.deferred' } }, 'advance'] },
    { ...to, actions: ['skipCurrent', { type: 'say', params: { say: 'message', key: 'skip.skipped' } }, 'advance'] },
  ] as const;
}

/**
 * What still works once the response is submitted (and while the survey team's questions are open): help, progress,
 * review, the language, a copy, reminders and a link to the other channel — none of them changes an answer.
 */
function readOnlyCommands() {
  return {
    HELP: { actions: { type: 'say', params: { say: 'help' } } },
    PROGRESS: { actions: { type: 'say', params: { say: 'progress' } } },
    REVIEW: { actions: { type: 'say', params: ({ event }: { event: InterviewEvent }): Say => ({ say: 'review', section: event.type === 'REVIEW' ? event.section : null }) } },
    LANGUAGE: [
      { guard: ({ event }: { event: InterviewEvent }) => event.type === 'LANGUAGE' && event.locale === null, actions: { type: 'say', params: { say: 'message', key: 'language.usage' } } },
      { actions: ['setLocale', { type: 'say', params: { say: 'message', key: 'language.changed' } }] },
    ],
    COPY: { actions: 'requestCopy' },
    REMINDERS: reminders(),
    LINK: { actions: 'requestLink' },
  } as const;
}

/** `stop reminders` / `reminders on`: the choice is kept with the response, and said back. */
function reminders() {
  return [
    { guard: ({ event }: { event: InterviewEvent }) => event.type === 'REMINDERS' && event.on, actions: ['setReminders', { type: 'say', params: { say: 'message', key: 'reminders.on' } }] },
    { actions: ['setReminders', { type: 'say', params: { say: 'message', key: 'reminders.off' } }] },
  ] as const;
}

/**
 * `keep`: leaves the current answer as it is and goes on; without an answer, keeps the previous round's answer
 * when it still fits the item (recorded as confirmed and carried forward), and otherwise there is nothing to keep.
 */
function keep(target?: 'asking') {
  const to = target ? { target } : {};
  return [
    { guard: 'isAnswered', ...to, actions: [{ type: 'say', params: { say: 'message', key: 'skip.kept' } }, 'advance'] },
    { guard: 'hasKeepablePrevious', ...to, actions: ['keepPrevious', 'advance'] },
    { guard: 'hasShownOnlyPrevious', actions: 'sayCannotKeep' },
    { actions: { type: 'say', params: { say: 'message', key: 'keep.nothing' } } },
  ] as const;
}
