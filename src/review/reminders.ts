import type { i18n } from 'i18next';
import type { Logger } from 'pino';
import { translatorFor, type Locale } from '../i18n';
import type { Interview } from '../interview/engine';
import { answerMap, unansweredRequired } from '../interview/flow';
import type { ResponseDoc, Store, SurveySettings } from '../store/port';
import type { ProactiveSender } from './proactive';
import { formatDeadline } from './deadline';
import { recipientsOf, revokedInvitations } from './recipients';

/** How often the scheduler looks for reminders that are due. */
export const REMINDER_INTERVAL_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** What one run did: the slot that was due (null: none), and how many people were reminded. */
export interface ReminderRun {
  slot: string | null;
  reminded: number;
  /** People due a reminder who already had one for this slot or today, or turned reminders off. */
  skipped: number;
  failed: number;
}

export interface ReminderDeps {
  store: Store;
  interview: Interview;
  i18n: i18n;
  logger: Logger;
  sender: ProactiveSender;
  now?: () => Date;
  intervalMs?: number;
}

/**
 * Reminders of the deadline: every few minutes, when a reminder time chosen by the survey team has come (a number
 * of days before the deadline), every participant of a response still in progress is sent one proactive Teams message
 * saying how many required questions are unanswered — once per reminder time, never more than once a day (a
 * store claim per person, slot and day, so several bot instances send it once), never after `stop reminders`, and
 * never to a participant whose invitation was revoked.
 */
export function createReminders(deps: ReminderDeps) {
  const { store, interview, logger } = deps;
  const now = deps.now ?? (() => new Date());
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<ReminderRun> | null = null;

  /** Sends the reminders due at `at`; a run already going on is joined, not doubled. */
  function run(at: Date = now()): Promise<ReminderRun> {
    running ??= sendDue(at).finally(() => {
      running = null;
    });
    return running;
  }

  async function sendDue(at: Date): Promise<ReminderRun> {
    const outcome: ReminderRun = { slot: null, reminded: 0, skipped: 0, failed: 0 };
    const settings = await store.getSettings();
    const slot = settings ? dueSlot(settings, at) : null;
    if (!slot || !settings?.deadline) return outcome;
    outcome.slot = slot;
    const day = at.toISOString().slice(0, 10);
    // Participants whose invitation was revoked are not reminded (nor is a reminder claimed for them).
    const revoked = await revokedInvitations(store);
    for (const response of await store.listResponses({ status: 'in_progress' })) {
      for (const person of await recipientsOf(store, response, revoked)) {
        const due = reminderFor(response, person.state);
        if (!due || person.conversations.length === 0 || !(await store.claimReminder({ respondentKey: person.key, slot, day, at }))) {
          outcome.skipped++;
          continue;
        }
        const text = translatorFor(deps.i18n, due.locale)('reminder.message', { count: due.unanswered, deadline: formatDeadline(settings.deadline, due.locale) });
        try {
          for (const conversation of person.conversations) await deps.sender.send(conversation.reference, [{ type: 'message', text }], due.locale);
          outcome.reminded++;
        } catch (error) {
          outcome.failed++;
          logger.warn({ err: error, response: response.id }, 'reminders: a reminder could not be sent');
        }
      }
    }
    logger.info({ ...outcome }, 'reminders: run');
    return outcome;
  }

  /** Whether a person is to be reminded, in which language, of how many of the response's required questions are unanswered. */
  function reminderFor(response: ResponseDoc, saved: unknown): { locale: Locale; unanswered: number } | null {
    const state = interview.load(saved);
    if (!state || state.remindersOff || state.phase === 'submitted' || state.phase === 'revising') return null;
    return { locale: state.locale, unanswered: unansweredRequired(interview.definition, answerMap(response.answers)).length };
  }

  return {
    run,
    /** Runs every intervalMs (not keeping the process alive). */
    start(): void {
      if (timer) return;
      timer = setInterval(() => {
        run().catch((error: unknown) => logger.error({ err: error }, 'reminders: the run failed'));
      }, deps.intervalMs ?? REMINDER_INTERVAL_MS);
      timer.unref();
    },
    /** Stops the schedule and waits for a run in progress. */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
}
export type Reminders = ReturnType<typeof createReminders>;

/**
 * The reminder time that is due at `at`: the latest of the chosen times (deadline minus N days) that has come,
 * while the deadline has not passed. Its id names the deadline too, so a new deadline starts new reminders.
 */
export function dueSlot(settings: Pick<SurveySettings, 'deadline' | 'reminderDays'>, at: Date): string | null {
  const { deadline } = settings;
  if (!deadline || at.getTime() >= deadline.getTime()) return null;
  const come = settings.reminderDays.filter((days) => deadline.getTime() - days * DAY_MS <= at.getTime());
  if (come.length === 0) return null;
  return `${deadline.toISOString()}/${Math.min(...come)}`;
}
