import { BotAdapter, TurnContext, type Activity, type ConversationReference, type ResourceResponse } from 'botbuilder';

/** Where the bot's activities go: the built-in Direct Line's conversations, in this process. */
export interface ActivitySink {
  /** Adds a bot activity to its conversation (`activity.conversation.id`); returns the id it was given. Throws for an unknown conversation. */
  post(activity: Partial<Activity>): string;
  /** Replaces an earlier bot activity of the conversation (same `activity.id`). Throws when there is none. */
  update(activity: Partial<Activity>): void;
}

type TurnLogic = (context: TurnContext) => Promise<void>;

/**
 * The adapter of the built-in Direct Line: runs the bot's turns in this process and hands its replies and card
 * updates straight to the conversation they belong to.
 *
 * Why not the Bot Framework connector over HTTP (a `serviceUrl` pointing back at this server)? The channel and
 * the bot are the same process, so a network round trip adds nothing and makes the bot's replies depend on how
 * that address is reached: the socket a browser used (`[::1]` when Chromium reaches `localhost` over IPv6, which
 * the connector's HTTP client cannot even resolve), the address the server listens on, a proxy in front of
 * PUBLIC_URL, a firewall. In process there is no address to get wrong, no secret path to guard, and a reply
 * cannot be lost between the two halves. (A bot with a MicrosoftAppId uses Azure's Direct Line and the
 * authenticated CloudAdapter instead.)
 */
export class InProcessAdapter extends BotAdapter {
  constructor(private readonly sink: ActivitySink) {
    super();
  }

  /** Runs one turn for an activity of the built-in Direct Line; errors go to `onTurnError` (as in CloudAdapter). */
  async processActivity(activity: Partial<Activity>, logic: TurnLogic): Promise<void> {
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type === 'delay') {
        await new Promise((resolve) => setTimeout(resolve, typeof activity.value === 'number' ? activity.value : 1000));
        responses.push({ id: '' });
      } else if (activity.type === 'invokeResponse') {
        // Web Chat sends no invokes to the built-in Direct Line; there is nobody to answer.
        responses.push({ id: '' });
      } else {
        responses.push({ id: this.sink.post(activity) });
      }
    }
    return responses;
  }

  async updateActivity(_context: TurnContext, activity: Partial<Activity>): Promise<void> {
    this.sink.update(activity);
  }

  async deleteActivity(): Promise<void> {
    throw new Error('The built-in Direct Line does not delete activities.');
  }

  async continueConversation(reference: Partial<ConversationReference>, logic: TurnLogic): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: 'event', name: 'continueConversation' }, reference, true);
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }
}
