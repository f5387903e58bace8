/**
 * A simulated respondent talking to the bot over HTTP (`POST /api/messages` with `deliveryMode: "expectReplies"`,
 * so the replies come back in the response body). Shared by the benchmark, the soak and their tests.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export type Channel = 'msteams' | 'directline';
export type Lang = 'en' | 'es';

/** One activity the respondent sent, as posted (replayed as is against the echo bot). */
export type SentActivity = Record<string, unknown>;

/** What one POST gave back. */
export interface TurnReply {
  status: number;
  /** The replies (empty for an ignored redelivery). */
  activities: Array<Record<string, any>>;
  /** The id of the question the bot asks last in these replies, if any. */
  questionId?: string;
  /** That question is the follow-up of a thin answer (a probe), not the question itself. */
  probe?: true;
  /** The reply texts joined, as a respondent reads them. */
  text: string;
  latencyMs: number;
}

export interface RespondentOptions {
  botUrl: string;
  /** Unique per respondent; becomes the channel user id (and the Teams AAD object id). */
  userId: string;
  channel: Channel;
  /** The language the client reports. */
  locale: Lang;
  /** Where a reply sent outside the HTTP response would go (card updates): a local recording server. */
  serviceUrl: string;
  /** A new conversation id (e.g. after a reconnect); default one per respondent. */
  conversationId?: string;
  /** The respondent's connections (kept alive); default: its own agent, as a browser tab or a channel has. */
  agent?: Agent;
}

/** The acknowledgement of a stored answer, per language (locales/en|es/bot.json `answer.saved`). */
/** The start of the bot's acknowledgement: "Saved.", or "Saved: Paraguay." when it says what it read. */
export const SAVED: Record<Lang, string> = { en: 'Saved', es: 'Guardado' };
export const SKIP: Record<Lang, string> = { en: 'skip', es: 'omitir' };
export const SUBMIT_YES: Record<Lang, string> = { en: 'yes', es: 'sí' };

/** A respondent: builds channel-shaped activities and posts them. */
export function createRespondent(options: RespondentOptions) {
  const { botUrl, userId, channel, locale, serviceUrl } = options;
  const agent = options.agent ?? connections();
  let conversationId = options.conversationId ?? (channel === 'msteams' ? `a:conv-${userId}` : `dlconv-${userId}`);
  let n = 0;

  /** An activity as the channel posts it, with a fresh id (or the given one). */
  function activity(fields: Record<string, unknown>): SentActivity {
    n += 1;
    const id = `${userId}-${n}`;
    const base: SentActivity =
      channel === 'msteams'
        ? {
            type: 'message',
            id,
            timestamp: new Date().toISOString(),
            channelId: 'msteams',
            serviceUrl,
            from: { id: `29:${userId}`, name: 'Bench Respondent', aadObjectId: userId },
            conversation: { conversationType: 'personal', tenantId: 'tenant-bench', id: conversationId },
            recipient: { id: '28:msq-bot', name: 'MSQ Bot' },
            entities: [{ type: 'clientInfo', locale: locale === 'es' ? 'es-ES' : 'en-US' }],
            channelData: { tenant: { id: 'tenant-bench' } },
          }
        : {
            type: 'message',
            id,
            timestamp: new Date().toISOString(),
            channelId: 'directline',
            serviceUrl,
            from: { id: userId, name: 'Bench Respondent' },
            conversation: { id: conversationId },
            recipient: { id: 'msq-bot', name: 'MSQ Bot' },
            locale: locale === 'es' ? 'es-PY' : 'en-US',
            channelData: { clientActivityID: `${userId}-c${n}` },
          };
    return { ...base, deliveryMode: 'expectReplies', ...fields };
  }

  return {
    userId,
    channel,
    agent,
    /** A message with this text (not yet sent). */
    message: (text: string) => activity({ text }),
    /** The conversation opening (the bot greets, or welcomes back, and asks the current question). */
    greeting: () =>
      activity({ type: 'conversationUpdate', text: undefined, membersAdded: [{ id: channel === 'msteams' ? `29:${userId}` : userId }], recipient: { id: channel === 'msteams' ? '28:msq-bot' : 'msq-bot' } }),
    /** Continue in a new conversation (as after closing Teams or reloading the page). */
    newConversation(id: string) {
      conversationId = id;
    },
    /** Posts an activity; network errors reject. */
    post: (sent: SentActivity) => postActivity(botUrl, sent, agent),
  };
}
export type Respondent = ReturnType<typeof createRespondent>;

/** Keep-alive connections for one respondent (a few, so that a duplicate delivery can really be concurrent). */
export const connections = () => new Agent({ keepAlive: true, maxSockets: 4 });

const shared = new Agent({ keepAlive: true });

/** POSTs one activity and reads the replies; a connection error rejects (the caller decides whether to retry). */
export async function postActivity(botUrl: string, sent: SentActivity, agent: Agent = shared): Promise<TurnReply> {
  const body = JSON.stringify(sent);
  const started = performance.now();
  const { status, raw } = await send(`${botUrl}/api/messages`, agent, 'POST', body);
  const latencyMs = performance.now() - started;
  let parsed: any;
  try {
    parsed = raw ? JSON.parse(raw) : undefined;
  } catch {
    parsed = undefined;
  }
  const activities: Array<Record<string, any>> = Array.isArray(parsed?.activities) ? parsed.activities : [];
  const prompt = activities.filter((a) => a?.channelData?.msq?.questionId).at(-1);
  return {
    status,
    activities,
    ...(prompt ? { questionId: String(prompt.channelData.msq.questionId) } : {}),
    ...(prompt?.channelData.msq.probe ? { probe: true } : {}),
    text: activities.map((a) => (typeof a.text === 'string' ? a.text : '')).join('\n'),
    latencyMs,
  };
}

/** Opens a respondent's connection before a measurement starts (GET /healthz through its agent). */
export async function openConnection(botUrl: string, agent: Agent): Promise<void> {
  await send(`${botUrl}/healthz`, agent, 'GET');
}

function send(url: string, agent: Agent, method: string, body?: string): Promise<{ status: number; raw: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, raw: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Completes the whole questionnaire: greets, answers every question from the script of its language (what the
 * script lacks is skipped), and submits. Calls `onTurn` after every POST (for timing and bookkeeping).
 */
export async function completeQuestionnaire(
  respondent: Respondent,
  scripts: Record<Lang, Record<string, string>>,
  lang: Lang,
  onTurn: (sent: SentActivity, reply: TurnReply) => void = () => undefined,
): Promise<{ turns: number; submitted: boolean }> {
  const send = async (sent: SentActivity) => {
    const reply = await respondent.post(sent);
    onTurn(sent, reply);
    if (reply.status !== 200) throw new Error(`${respondent.userId}: HTTP ${reply.status}`);
    return reply;
  };
  let reply = await send(respondent.greeting());
  let turns = 1;
  for (let i = 0; i < 400; i++) {
    const at = reply.questionId;
    if (!at) throw new Error(`${respondent.userId}: no question in the replies: ${reply.text.slice(0, 200)}`);
    // The follow-up of a thin answer is declined: the answer stays as the script gave it.
    const text = at === 'submit' ? SUBMIT_YES[lang] : reply.probe ? SKIP[lang] : (scripts[lang][at] ?? SKIP[lang]);
    reply = await send(respondent.message(text));
    turns += 1;
    if (at === 'submit') return { turns, submitted: !reply.questionId || reply.questionId !== 'submit' };
  }
  throw new Error(`${respondent.userId}: the questionnaire did not end`);
}

/** Latency percentiles (nearest rank) of a list of milliseconds. */
export function percentiles(values: number[]): { p50: number; p95: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
  return { p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1) ?? NaN };
}
