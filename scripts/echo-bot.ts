/**
 * The baseline of the benchmark: a bare echo bot on the same stack as MSQ Bot (restify 11, botbuilder's
 * CloudAdapter without authentication, an ActivityHandler) and nothing else — no store, no engine, no logging.
 * `PORT` from the environment; `GET /healthz` only so that the benchmark knows when it is up.
 */
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import restify from 'restify';

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context: TurnContext, next) => {
      await context.sendActivity(`Echo: ${context.activity.text ?? ''}`);
      await next();
    });
    this.onMembersAdded(async (context: TurnContext, next) => {
      await context.sendActivity('Hello.');
      await next();
    });
  }
}

const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
const bot = new EchoBot();
const server = restify.createServer({ name: 'echo-bot' });
server.use(restify.plugins.bodyParser({ mapParams: false }));
server.post('/api/messages', async (req, res) => {
  await adapter.process(req, res, (context) => bot.run(context));
});
server.get('/healthz', (_req, res, next) => {
  res.send(200, { status: 'ok' });
  next();
});
server.listen(Number(process.env.PORT ?? 3979), () => console.log(`echo bot listening on ${server.url}`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
