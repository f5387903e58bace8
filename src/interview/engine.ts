import type { i18n } from 'i18next';
import type { Definition } from '../../dialogs';
import { locales, translatorFor, type Locale } from '../i18n';
import { answerMap, answerMemo, idSet, isApplicable, isApplicableToList, nextItem, questionKey, type Position } from './flow';
import { createInterviewMachine, pureTransition, type AnswerChange, type Effect, type InterviewContext, type InterviewEvent, type Say } from './machine';
import { MAX_TEXT_LENGTH, parseAnswer, parseYesNo } from './parse/answer';
import { probeFor } from './probe';
import { parseCommand } from './parse/command';
import { isGreeting } from './parse/greeting';
import { normalize } from './parse/normalize';
import { displayValue, questionText, renderTurn, whereText, type Reply } from './render';
import { engineStateSchema, readCurrentState, type EngineState, type Flag, type PreviousRound, type Probe, type StoredAnswer } from './state';

/** A respondent's message: typed text, or a clicked button's value with the question it belonged to. */
export interface Input {
  text: string;
  /** The question a card or button was rendered for; a click on an older one changes nothing. */
  questionId?: string;
}

/** The outcome of one turn: the state to save, the replies to send, the answers that changed. */
export interface Turn {
  state: EngineState;
  replies: Reply[];
  changes: AnswerChange[];
  effects: Effect[];
}

/**
 * What a turn may need beyond the state, loaded by the caller (the engine does no I/O): the previous round of the
 * respondent's country, when `needsPrevious` asks for it (its answers may carry other fields; only the item, the
 * value and whether it may be kept are used). Given for another country than the state's, it is ignored.
 */
export interface TurnContext {
  previous?: PreviousRound;
}

/** How an interview starts. */
export interface StartOptions {
  /** The previous round of the prefilled country (see TurnContext). */
  previous?: PreviousRound;
  /**
   * Answers given for the respondent (e.g. the country of their invitation): recorded as answered, never asked,
   * and locked — edit, back, restart and erasure keep them. Items unknown to the definition are ignored.
   */
  prefill?: StoredAnswer[];
  /** Sections walked first (a team's participant's assigned sections). */
  focus?: string[];
  /** Where the respondent reads the welcome: a chat (Teams, the browser; the default) or a terminal. */
  welcome?: 'chat' | 'terminal';
  /**
   * The respondent was welcomed already: `true`, by the invitation gate's greeting (the welcome's first message is
   * left out); `'whole'`, by the whole welcome (without a gate: title, introduction and how-to are all left out).
   */
  greeted?: boolean | 'whole';
  /** Messages said after the welcome and before the first section's heading (whom an invited respondent answers for). */
  announce?: Array<{ key: string; params?: Record<string, string | number> }>;
}

/** How a returning respondent is welcomed back. */
export interface ResumeOptions {
  /** Continue in this language from now on (the terminal's `--locale es`); every answer is kept. */
  locale?: Locale;
}

/** The channel-independent interview: `(persisted state, input) → (new persisted state, replies)`. Pure. */
export interface Interview {
  readonly definition: Definition;
  /** A new interview: welcome, introduction, the first section and question (the first one not prefilled). */
  start(locale: Locale, now: Date, options?: StartOptions): Turn;
  /** A returning respondent: where they stopped, and the question they are at. */
  resume(state: EngineState, options?: ResumeOptions): Turn;
  /** One message of the respondent. Never throws on any input. */
  handle(state: EngineState, input: Input, now: Date, context?: TurnContext): Turn;
  /**
   * The country whose previous round a state has not looked up yet (its country is known, the round is not in the
   * state): the caller loads it and runs the turn again with it in the context. Null when nothing is needed.
   */
  needsPrevious(state: EngineState): string | null;
  /** Reads a saved state (any schema version, any earlier definition); null when it is not a state at all. */
  load(saved: unknown): EngineState | null;
  /**
   * The survey team flags an item of a submitted response with a comment: the response reopens that item only
   * (phase `revising`) and the replies tell the respondent what is asked. Null when the response is not
   * submitted, or the item is unknown or does not apply to its answers.
   */
  flag(state: EngineState, flag: { id: string; itemId: string; comment: string }, now: Date): Turn | null;
  /** An item's question and current answer as the respondent reads them (for updating an answered card). */
  describe(state: EngineState, itemId: string): { question: string; answer: string } | null;
}

/** Builds the interview for a questionnaire definition and its wording. */
export function createInterview(def: Definition, i18n: i18n): Interview {
  // The answers of the turn's states as maps, each made once and shared by the machine and the rendering (see answerMemo).
  const answersOf = answerMemo();
  const machine = createInterviewMachine(def, answersOf);
  const transition = pureTransition(machine);
  const labels = (itemId: string) => (optionId: string) =>
    locales.map((lng) => translatorFor(i18n, lng)(`questionnaire:option.${itemId}.${optionId}`));

  const finish = (state: EngineState, context: Pick<InterviewContext, 'outbox' | 'changes' | 'effects'>): Turn => {
    const replies = renderTurn(def, translatorFor(i18n, state.locale), state, context.outbox, answersOf(state.answers));
    answersOf.forget();
    return { state, replies, changes: context.changes, effects: context.effects };
  };

  /** Interprets a message for the prompt the respondent is at. */
  const interpret = (state: EngineState, input: Input, now: Date): InterviewEvent => {
    const text = typeof input.text === 'string' ? input.text : '';
    const command = parseCommand(def, text);
    if (command) return command;
    const promptId = currentPromptId(state);
    if (input.questionId && promptId && input.questionId !== promptId) return { type: 'STALE', questionId: input.questionId };
    if (state.phase === 'submitted') return { type: 'TEXT' };
    if (state.phase === 'revising' && !state.current) return { type: 'TEXT' };
    if (state.phase === 'confirmingAnswer') {
      // Yes or no to "Paraguay — is that right?"; anything else is a new answer to the same question.
      const yesNo = parseYesNo(text);
      if (yesNo.ok) return { type: 'CONFIRM', yes: yesNo.value === 'yes', at: now.toISOString() };
    } else if (state.phase !== 'asking' && state.phase !== 'revising') {
      const yesNo = parseYesNo(text);
      return yesNo.ok ? { type: 'CONFIRM', yes: yesNo.value === 'yes', at: now.toISOString() } : { type: 'INVALID', reason: { code: 'yesno' } };
    }
    const item = state.current ? def.byId.get(state.current) : undefined;
    if (!item) return { type: 'TEXT' };
    if (isGreeting(text)) return { type: 'INVALID', reason: { code: 'greeting' } };
    const parsed = parseAnswer(item, text, labels(item.id));
    if (!parsed.ok) return { type: 'INVALID', reason: parsed.reason };
    // Say what was stored whenever it is not simply what was typed ("PRY", "3", "yeah" → "Saved: Paraguay.").
    const shown = displayValue(translatorFor(i18n, state.locale), state.locale, item, parsed.value);
    const echo = item.kind !== 'text' && item.kind !== 'email' && normalize(text) !== normalize(shown);
    // A bare "yes"/"sí"/"no" where a text is asked (a name, a law, a link) is more often a slip than the answer.
    const confirm = parsed.confirm === true || (item.kind === 'text' && isBareYesNo(text));
    return { type: 'ANSWER', value: parsed.value, echo, at: now.toISOString(), ...(parsed.rest ? { rest: parsed.rest } : {}), ...(confirm ? { confirm: true } : {}) };
  };

  /** One event through the machine, from a persisted state to the next. */
  /** One event through the machine, with the answers locked by an invitation kept. */
  const step = (state: EngineState, event: InterviewEvent): { state: EngineState; outbox: Say[]; changes: AnswerChange[]; effects: Effect[] } => {
    answersOf.forget();
    const snapshot = machine.resolveState({ value: state.phase, context: contextOf(state) });
    const next = transition(snapshot, event);
    const { outbox, changes, effects } = next.context;
    const after = keepLocked(def, state, stateOf(next.context, next.value as EngineState['phase']), event, outbox, changes);
    // A follow-up is over once the interview moves away from its item.
    const left = after.state.probe && (after.state.phase !== 'asking' || after.state.current !== after.state.probe.itemId);
    return { state: left ? { ...after.state, probe: null } : after.state, outbox: after.outbox, changes: after.changes, effects };
  };

  /**
   * The respondent's reply to a follow-up: declined (`skip`, `keep`, a bare "no", "I don't know"), a bare "yes" (asked
   * to type it), or text added to the answer. Null for anything else (help, review, back…): the machine handles it.
   */
  const probeReply = (
    state: EngineState,
    probe: Probe,
    event: InterviewEvent,
    text: string,
  ): { done: false; outbox: Say[] } | { done: true; outbox: Say[]; changes: AnswerChange[]; answers: EngineState['answers'] } | null => {
    const old = state.answers.find((a) => a.itemId === probe.itemId)?.value;
    if (old === undefined) return null;
    const yesNo = parseYesNo(typeof text === 'string' ? text : '');
    const bare = event.type === 'ANSWER' && yesNo.ok && yesNo.rest === undefined;
    const declined = event.type === 'SKIP' || event.type === 'KEEP' || (bare && yesNo.ok && yesNo.value === 'no') || (event.type === 'INVALID' && event.reason.code === 'dontKnow');
    if (declined) {
      return { done: true, outbox: [{ say: 'message', key: 'probe.declined' }], changes: [{ itemId: probe.itemId, oldValue: old, newValue: old, kind: 'probeDeclined' }], answers: state.answers };
    }
    if (bare) return { done: false, outbox: [{ say: 'message', key: 'probe.typeIt' }] };
    if (event.type !== 'ANSWER' || typeof event.value !== 'string' || typeof old !== 'string') return null;
    const value = `${old.trimEnd()}\n${event.value.trim()}`;
    if (value.length > MAX_TEXT_LENGTH) return { done: false, outbox: [{ say: 'invalid', reason: { code: 'tooLong', length: value.length, max: MAX_TEXT_LENGTH } }] };
    return {
      done: true,
      outbox: [{ say: 'message', key: 'probe.added' }],
      changes: [{ itemId: probe.itemId, oldValue: old, newValue: value, kind: 'probeAnswered' }],
      answers: state.answers.map((a) => (a.itemId === probe.itemId ? { itemId: a.itemId, value } : a)),
    };
  };

  return {
    definition: def,
    start(locale, now, options = {}) {
      const prefill = (options.prefill ?? []).filter((a) => def.byId.has(a.itemId));
      const answers = answerMap(prefill);
      const focus = options.focus?.length ? { focus: new Set(options.focus) } : {};
      const open = prefill.length || options.focus?.length ? nextItem(def, { answers, skipped: new Set(), deferred: new Set(), resolving: false, ...focus }, null) : null;
      const first = open ?? def.items[0];
      const initial: EngineState = {
        schemaVersion: 1,
        definitionVersion: def.version,
        locale,
        phase: 'asking',
        current: first.id,
        lastSection: first.section,
        answers: prefill.map((a) => ({ itemId: a.itemId, value: Array.isArray(a.value) ? [...a.value] : a.value })),
        skipped: [],
        deferred: [],
        resolving: false,
        startedAt: now.toISOString(),
        submittedAt: null,
        ...(prefill.length ? { locked: prefill.map((a) => a.itemId) } : {}),
        ...(options.focus?.length ? { focus: [...options.focus] } : {}),
      };
      const state = withPrevious(def, initial, options.previous);
      const terminal = options.welcome === 'terminal';
      const outbox: Say[] = [
        ...(options.greeted ? [] : [{ say: 'message' as const, key: terminal ? 'welcome.terminalTitle' : 'welcome.title' }]),
        ...(options.greeted === 'whole'
          ? []
          : [
              { say: 'message' as const, key: 'welcome.intro' },
              { say: 'message' as const, key: terminal ? 'welcome.terminalHowTo' : 'welcome.howTo' },
            ]),
        ...(options.announce ?? []).map((m) => ({ say: 'message' as const, ...m })),
        { say: 'section', section: first.section },
      ];
      return finish(state, { outbox, changes: [], effects: [] });
    },
    resume(saved, options = {}) {
      const state = options.locale ? { ...saved, locale: options.locale } : saved;
      const t = translatorFor(i18n, state.locale);
      const text = `${t('welcome.back')}\n${whereText(def, t, state)}`;
      // Back while the survey team's questions are open: what they asked, before the question.
      const open = state.phase === 'revising' ? (state.flags ?? []).filter((f) => f.resolvedAt === null) : [];
      const turn = finish(state, { outbox: open.map((f) => ({ say: 'flagged' as const, itemId: f.itemId, comment: f.comment })), changes: [], effects: [] });
      return { ...turn, replies: [{ type: 'message', text }, ...turn.replies] };
    },
    needsPrevious(state) {
      // A submitted response (and one the survey team reopened for a few items) is past carrying anything forward.
      if (state.phase === 'submitted' || state.phase === 'revising') return null;
      const country = countryOf(def, state);
      return country !== null && state.previous?.country !== country ? country : null;
    },
    handle(given, input, now, context = {}) {
      answersOf.forget();
      const state = withPrevious(def, given, context.previous);
      let event = interpret(state, input, now);
      if (event.type === 'EDIT' && event.itemId && state.locked?.includes(event.itemId)) {
        // "edit contact" with a country from the invitation: the rest of the contact block; the country alone: refused.
        const target = def.byId.get(event.itemId);
        const unlocked = event.whole && target && def.items.find((i) => questionKey(i) === questionKey(target) && !state.locked?.includes(i.id));
        if (!unlocked) {
          return finish(state, { outbox: [{ say: 'message', key: 'edit.locked' }], changes: [], effects: [] });
        }
        event = { type: 'EDIT', itemId: unlocked.id };
      }
      const probing = state.phase === 'asking' && state.probe && state.probe.itemId === state.current ? state.probe : null;
      const reply = probing ? probeReply(state, probing, event, input.text) : null;
      if (reply) {
        if (!reply.done) return finish(state, { outbox: reply.outbox, changes: [], effects: [] });
        const answered = { ...state, answers: reply.answers, probe: null };
        const moved = step(answered, { type: 'PROBED' });
        return finish(withPrevious(def, moved.state, context.previous), { outbox: [...reply.outbox, ...moved.outbox], changes: reply.changes, effects: moved.effects });
      }
      const after = step(state, event);
      const probed = askProbe(def, state, after, event);
      return finish(withPrevious(def, probed.state, context.previous), { outbox: probed.outbox, changes: probed.changes, effects: after.effects });
    },
    flag(state, { id, itemId, comment }, now) {
      const item = def.byId.get(itemId);
      if ((state.phase !== 'submitted' && state.phase !== 'revising') || !item || !isApplicable(def, item, answerMap(state.answers))) return null;
      const flag: Flag = { id, itemId, comment, at: now.toISOString(), resolvedAt: null };
      const next = step(state, { type: 'FLAG', flag });
      return finish(next.state, next);
    },
    load(saved) {
      // The current version read directly; zod for anything else (older versions, and whatever is not a state).
      const read = readCurrentState(saved);
      if (read) return realign(def, read);
      const parsed = engineStateSchema.safeParse(saved);
      return parsed.success ? realign(def, parsed.data) : null;
    },
    describe(state, itemId) {
      const t = translatorFor(i18n, state.locale);
      if (itemId === 'submit' && state.phase === 'submitted') return { question: t('submit.question'), answer: t('answer.yes') };
      const item = def.byId.get(itemId);
      const value = state.answers.find((a) => a.itemId === itemId)?.value;
      if (!item || value === undefined) return null;
      return { question: questionText(t, item), answer: displayValue(t, state.locale, item, value) };
    },
  };
}

/** The machine's context for a state: its fields in order but the phase, and nothing to say or do yet. */
function contextOf(state: EngineState): InterviewContext {
  // Field by field rather than `{ phase, ...rest }` and a spread: states and contexts come in many shapes, and
  // V8's copies of such objects are slow when they do.
  const context: Record<string, unknown> = {};
  for (const key in state) if (key !== 'phase' && Object.hasOwn(state, key)) context[key] = state[key as keyof EngineState];
  context.outbox = [];
  context.changes = [];
  context.effects = [];
  return context as unknown as InterviewContext;
}

/** The state a machine's context stands for: its fields in order but what the turn says and does, then the phase. */
function stateOf(context: InterviewContext, phase: EngineState['phase']): EngineState {
  const state: Record<string, unknown> = {};
  for (const key in context) if (key !== 'outbox' && key !== 'changes' && key !== 'effects' && Object.hasOwn(context, key)) state[key] = context[key as keyof InterviewContext];
  state.phase = phase;
  return state as unknown as EngineState;
}

/**
 * Locked answers survive every transition: a restart or erasure keeps them (no change is recorded), and the
 * interview never stops at a locked item — `back` onto one stays where it was, anything else moves on.
 */
function keepLocked(
  def: Definition,
  before: EngineState,
  after: EngineState,
  event: InterviewEvent,
  outbox: InterviewContext['outbox'],
  changes: AnswerChange[],
): { state: EngineState; outbox: InterviewContext['outbox']; changes: AnswerChange[] } {
  if (!before.locked?.length) return { state: after, outbox, changes };
  const locked = new Set(before.locked);
  const held = before.answers.filter((a) => locked.has(a.itemId));
  const answers = [...held, ...after.answers.filter((a) => !locked.has(a.itemId))];
  let state: EngineState = { ...after, answers, locked: [...locked] };
  let said = outbox;
  if (state.phase === 'asking' && state.current && locked.has(state.current)) {
    if (event.type === 'BACK' && before.phase === 'asking' && before.current && !locked.has(before.current)) {
      state = { ...state, current: before.current };
      said = [...said, { say: 'message', key: 'back.atStart' }];
    } else {
      const position: Position = { answers: answerMap(answers), skipped: idSet(state.skipped), deferred: idSet(state.deferred), resolving: state.resolving, ...(state.focus?.length ? { focus: new Set(state.focus) } : {}) };
      const open = nextItem(def, position, state.current);
      state = open ? { ...state, current: open.id } : { ...state, phase: 'confirmingSubmit', current: null, resolving: false };
    }
  }
  return { state, outbox: said, changes: changes.filter((c) => !locked.has(c.itemId)) };
}

/**
 * The id of the prompt a state is at: the item (also while confirming how an answer to it was read), or the
 * submit/restart/erase confirmations.
 */
export function currentPromptId(state: EngineState): string | null {
  switch (state.phase) {
    case 'asking':
      return state.current;
    case 'confirmingAnswer':
      return state.pending?.itemId ?? state.current;
    case 'confirmingSubmit':
      return 'submit';
    case 'confirmingRestart':
      return 'restart';
    case 'confirmingErase':
      return 'erase';
    case 'revising':
      return state.current;
    case 'submitted':
      return null;
  }
}

/**
 * Fits a saved state to the current definition: when the questionnaire changed (or the saved position no
 * longer makes sense), the position is rebuilt from the answers; no answer is dropped.
 */
function realign(def: Definition, state: EngineState): EngineState {
  const current = state.current ? def.byId.get(state.current) : undefined;
  const atItem = state.phase === 'asking' || state.phase === 'confirmingAnswer';
  const confirming = state.phase !== 'confirmingAnswer' || state.pending?.itemId === state.current;
  const fits = confirming && (!atItem || (current !== undefined && isApplicableToList(def, current, state.answers)));
  if (state.definitionVersion === def.version && fits) return state;
  const answers = answerMap(state.answers);
  const known = (id: string) => def.byId.has(id);
  const aligned: EngineState = {
    ...state,
    definitionVersion: def.version,
    skipped: state.skipped.filter(known),
    deferred: state.deferred.filter(known),
  };
  if (aligned.phase === 'submitted') return aligned;
  const position = { answers, skipped: new Set(aligned.skipped), deferred: new Set(aligned.deferred), resolving: false, ...(aligned.focus?.length ? { focus: new Set(aligned.focus) } : {}) };
  const open = fits && current ? current : nextItem(def, position, null);
  if (atItem || state.phase === 'confirmingSubmit') {
    // A reading waiting for confirmation is dropped: the question is asked again.
    const rest = { ...aligned, resolving: false, pending: null, revisiting: null };
    return open ? { ...rest, phase: 'asking', current: open.id } : { ...rest, phase: 'confirmingSubmit', current: null };
  }
  return aligned;
}

/** The whole message is only a yes or a no ("Sí", "no.", "yes!"), nothing after it. */
function isBareYesNo(text: string): boolean {
  const yesNo = parseYesNo(text);
  return yesNo.ok && yesNo.rest === undefined;
}

/** The answer to the definition's country item, if any. */
function countryOf(def: Definition, state: EngineState): string | null {
  const item = def.items.find((i) => i.kind === 'country');
  const value = item ? state.answers.find((a) => a.itemId === item.id)?.value : undefined;
  return typeof value === 'string' ? value : null;
}

/**
 * The state with the previous round of its country, when given for that country and not already there: only the
 * answers to items of this definition, each reduced to its item, value, fit and reason.
 */
function withPrevious(def: Definition, state: EngineState, previous: PreviousRound | undefined): EngineState {
  if (!previous || previous.country !== countryOf(def, state) || state.previous?.country === previous.country) return state;
  const answers = previous.answers
    .filter((a) => def.byId.has(a.itemId))
    .map((a) => ({ itemId: a.itemId, value: Array.isArray(a.value) ? [...a.value] : a.value, fit: a.fit, ...(a.reason ? { reason: a.reason } : {}) }));
  return { ...state, previous: { country: previous.country, answers } };
}

/**
 * After an answer, one friendly follow-up when it is thin (see probe.ts): the interview stays at that item (the
 * inline detail of a yes included) and asks for more, once per item ever. Carried-forward answers are the
 * respondent's confirmed ones and are not followed up; neither is an answer given on the way to the summary.
 */
function askProbe(
  def: Definition,
  before: EngineState,
  after: { state: EngineState; outbox: Say[]; changes: AnswerChange[] },
  event: InterviewEvent,
): { state: EngineState; outbox: Say[]; changes: AnswerChange[] } {
  if (after.state.phase !== 'asking' || (event.type !== 'ANSWER' && event.type !== 'CONFIRM')) return after;
  const done = after.state.probed ?? [];
  for (const change of after.changes) {
    const item = def.byId.get(change.itemId);
    if (!item || change.kind || change.newValue === null || done.includes(item.id)) continue;
    const probe = probeFor(item, change.newValue);
    if (!probe) continue;
    return {
      state: { ...after.state, current: item.id, lastSection: item.section, probe, probed: [...new Set(done), item.id], revisiting: before.revisiting ?? null },
      // The section the answer moved into is announced once the follow-up is over.
      outbox: after.outbox.filter((say) => say.say !== 'section'),
      changes: [...after.changes, { itemId: item.id, oldValue: change.newValue, newValue: change.newValue, kind: 'probeAsked' }],
    };
  }
  return after;
}
