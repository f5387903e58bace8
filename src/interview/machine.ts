import { assign, setup } from 'xstate';
import type { Definition } from '../../dialogs';
import type { SectionId } from '../../dialogs/schema';
import type { Locale } from '../i18n';
import { answerMap, isApplicable, nextItem, previousItem, unansweredRequired, type Position } from './flow';
import type { Reason } from './parse/answer';
import type { Command } from './parse/command';
import type { AnswerValue, EngineState } from './state';

/** Something to tell the respondent, rendered in their language after the transition. */
export type Say =
  | { say: 'message'; key: string; params?: Record<string, string | number> }
  | { say: 'section'; section: SectionId }
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
}

/** What the bot must do beyond replying: erase the response from the store; give the respondent a copy of it. */
export type Effect = 'erase' | 'copy';

export interface InterviewContext extends Omit<EngineState, 'phase'> {
  outbox: Say[];
  changes: AnswerChange[];
  effects: Effect[];
}

/** Events, after the engine has interpreted the respondent's message for the current prompt. */
export type InterviewEvent =
  | { type: 'ANSWER'; value: AnswerValue; detail?: string; dropped?: string }
  | { type: 'INVALID'; reason: Reason }
  | { type: 'CONFIRM'; yes: boolean; at: string }
  | { type: 'TEXT' }
  | { type: 'STALE'; questionId: string }
  | Command;

/**
 * The interview as a state machine built from a questionnaire definition. States are conversation phases;
 * the item being asked is `context.current`, so adding an item never touches the machine. Free of I/O: the
 * engine restores a snapshot, sends one event, and reads context and phase back.
 */
export function createInterviewMachine(def: Definition) {
  const position = (c: InterviewContext): Position => ({
    answers: answerMap(c.answers),
    skipped: new Set(c.skipped),
    deferred: new Set(c.deferred),
    resolving: c.resolving,
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

  return setup({
    types: {} as { context: InterviewContext; events: InterviewEvent; input: InterviewContext },
    guards: {
      isRequired: ({ context }) => currentItem(context)?.required ?? false,
      isAnswered: ({ context }) => context.answers.some((a) => a.itemId === context.current),
      hasPrevious: ({ context }) => previousItem(def, answerMap(context.answers), context.current) !== null,
      isFinished: ({ context }) => context.current === null,
      isConfirmed: ({ event }) => event.type === 'CONFIRM' && event.yes,
      hasUnansweredRequired: ({ context }) => unansweredRequired(def, answerMap(context.answers)).length > 0,
      isEditable: ({ context, event }) => {
        if (event.type !== 'EDIT' || !event.itemId) return false;
        const item = def.byId.get(event.itemId);
        return item !== undefined && isApplicable(def, item, answerMap(context.answers));
      },
      hasAnswers: ({ context }) => context.answers.length > 0,
    },
    actions: {
      say: assign({ outbox: ({ context }, say: Say) => [...context.outbox, say] }),
      sayInvalid: assign({
        outbox: ({ context, event }) => (event.type === 'INVALID' ? [...context.outbox, { say: 'invalid', reason: event.reason } as Say] : context.outbox),
      }),
      recordAnswer: assign(({ context, event }) => {
        if (event.type !== 'ANSWER' || !context.current) return {};
        const item = currentItem(context);
        const records: Array<[string, AnswerValue]> = [[context.current, event.value]];
        if (event.value === 'yes' && event.detail && item?.inlineDetail) records.push([item.inlineDetail, event.detail]);
        let { answers, changes } = context;
        for (const [itemId, value] of records) {
          const old = answers.find((a) => a.itemId === itemId)?.value ?? null;
          answers = [...answers.filter((a) => a.itemId !== itemId), { itemId, value }];
          if (JSON.stringify(old) !== JSON.stringify(value)) changes = [...changes, { itemId, oldValue: old, newValue: value }];
        }
        const ids = new Set(records.map(([id]) => id));
        const notes: Say[] = [{ say: 'message', key: 'answer.saved' }];
        if (records.length > 1) notes.push({ say: 'message', key: 'answer.detailSaved' });
        if (event.dropped) notes.push({ say: 'message', key: 'answer.noDetailDropped' });
        return {
          answers,
          changes,
          skipped: context.skipped.filter((id) => !ids.has(id)),
          deferred: context.deferred.filter((id) => !ids.has(id)),
          outbox: [...context.outbox, ...notes],
        };
      }),
      advance: assign(({ context }) => moveTo(context, nextItem(def, position(context), context.current)?.id ?? null)),
      deferCurrent: assign(({ context }) => ({
        deferred: context.current && !context.deferred.includes(context.current) ? [...context.deferred, context.current] : context.deferred,
      })),
      skipCurrent: assign(({ context }) => ({
        skipped: context.current && !context.skipped.includes(context.current) ? [...context.skipped, context.current] : context.skipped,
      })),
      goBack: assign(({ context }) => moveTo(context, previousItem(def, answerMap(context.answers), context.current)?.id ?? null)),
      goToEditTarget: assign(({ context, event }) => (event.type === 'EDIT' && event.itemId ? moveTo(context, event.itemId) : {})),
      goToLast: assign(({ context }) => moveTo(context, previousItem(def, answerMap(context.answers), null)?.id ?? null)),
      startResolving: assign(({ context }) => {
        const resolving = { ...context, resolving: true };
        return { resolving: true, ...moveTo(resolving, nextItem(def, position(resolving), null)?.id ?? null) };
      }),
      stopResolving: assign({ resolving: false }),
      setLocale: assign({ locale: ({ context, event }) => (event.type === 'LANGUAGE' && event.locale ? event.locale : context.locale) as Locale }),
      reset: assign(({ context }) => ({
        answers: [],
        skipped: [],
        deferred: [],
        resolving: false,
        changes: [...context.changes, ...context.answers.map((a) => ({ itemId: a.itemId, oldValue: a.value, newValue: null }))],
        ...moveTo({ ...context, lastSection: null }, def.items[0].id),
      })),
      markSubmitted: assign({ submittedAt: ({ event }) => (event.type === 'CONFIRM' ? event.at : new Date(0).toISOString()), current: null }),
      requestErase: assign({ effects: ({ context }) => [...context.effects, 'erase' as const] }),
      requestCopy: assign({ effects: ({ context }) => [...context.effects, 'copy' as const] }),
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
      STALE: { actions: { type: 'say', params: ({ event }) => ({ say: 'message', key: 'stale', params: { questionId: event.questionId } }) } },
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
    },
    states: {
      asking: {
        always: { guard: 'isFinished', target: 'confirmingSubmit' },
        on: {
          ANSWER: { actions: ['recordAnswer', 'advance'] },
          SKIP: [
            { guard: 'isAnswered', actions: [{ type: 'say', params: { say: 'message', key: 'skip.kept' } }, 'advance'] },
            { guard: 'isRequired', actions: ['deferCurrent', { type: 'say', params: { say: 'message', key: 'skip.deferred' } }, 'advance'] },
            { actions: ['skipCurrent', { type: 'say', params: { say: 'message', key: 'skip.skipped' } }, 'advance'] },
          ],
          BACK: [{ guard: 'hasPrevious', actions: 'goBack' }, { actions: { type: 'say', params: { say: 'message', key: 'back.atStart' } } }],
          SUBMIT: { target: 'confirmingSubmit', actions: 'stopResolving' },
        },
      },
      confirmingSubmit: {
        entry: ['stopResolving', { type: 'say', params: { say: 'summary' } }],
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
          HELP: { actions: { type: 'say', params: { say: 'help' } } },
          PROGRESS: { actions: { type: 'say', params: { say: 'progress' } } },
          REVIEW: { actions: { type: 'say', params: ({ event }) => ({ say: 'review', section: event.section }) } },
          LANGUAGE: [
            { guard: ({ event }) => event.locale === null, actions: { type: 'say', params: { say: 'message', key: 'language.usage' } } },
            { actions: ['setLocale', { type: 'say', params: { say: 'message', key: 'language.changed' } }] },
          ],
          ERASE: { actions: { type: 'say', params: { say: 'message', key: 'erase.submitted' } } },
          COPY: { actions: 'requestCopy' },
        },
      },
    },
  });
}

export type InterviewMachine = ReturnType<typeof createInterviewMachine>;
