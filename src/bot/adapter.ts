import { CloudAdapter, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';

/**
 * The CloudAdapter, with its activity processing callable from our own HTTP handler, which validates the
 * body first and answers 401 for every authentication failure (the adapter's `process` answers 500 for token
 * errors it does not wrap, with the error text in the body).
 */
export class MsqAdapter extends CloudAdapter {
  /** Authenticates the request and runs the turn; throws before `logic` runs when authentication fails. */
  handleActivity(authorization: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authorization, activity, logic);
  }
}
