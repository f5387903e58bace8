import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import { loadDefinition } from '../../dialogs';
import { renderText } from '../channels/text';
import { createI18n, pickLocale, translatorFor, type Locale } from '../i18n';
import { createInterview, type Turn } from '../interview/engine';

/** Where the terminal chat reads, writes and keeps its state. */
export interface ChatIo {
  input: Readable;
  output: Writable;
  /** The folder of `chat-state.json`. */
  dataDir: string;
  now?: () => Date;
}

/**
 * `npm run chat [-- --locale es] [-- --new]`: answer the questionnaire in a terminal. The state is kept in
 * `<dataDir>/chat-state.json`, so quitting (Ctrl+D) and running it again continues where you stopped;
 * `--locale` also switches a chat already under way to that language. An answer of several lines goes between
 * two lines of three double quotes. `link` says why it cannot continue here in another channel (the answers are
 * only in that file, not in the bot's store).
 */
export async function chat(argv: string[], io: ChatIo): Promise<void> {
  const now = io.now ?? (() => new Date());
  const given = argv.includes('--locale') ? argv[argv.indexOf('--locale') + 1] : undefined;
  const locale: Locale | undefined = given ? pickLocale(given) : undefined;
  const file = join(io.dataDir, 'chat-state.json');
  const i18n = createI18n();
  const interview = createInterview(loadDefinition(), i18n);
  const saved = !argv.includes('--new') && existsSync(file) ? interview.load(JSON.parse(readFileSync(file, 'utf8'))) : null;
  let turn: Turn = saved
    ? interview.resume(saved, locale ? { locale } : {})
    : interview.start(locale ?? 'en', now(), { welcome: 'terminal' });
  const save = () => {
    mkdirSync(io.dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(turn.state, null, 2));
  };
  const show = () => io.output.write(`\n${turn.replies.map(renderText).join('\n\n')}\n\n`);
  save();
  show();
  const rl = createInterface({ input: io.input, output: io.output, terminal: 'isTTY' in io.input && io.input.isTTY === true });
  rl.setPrompt('> ');
  rl.prompt();
  let block: string[] | null = null;
  for await (const line of rl) {
    // A long answer of several lines goes between two lines of three quotes (""").
    if (line.trim() === '"""') {
      if (block === null) {
        block = [];
        continue;
      }
    } else if (block !== null) {
      block.push(line);
      continue;
    }
    const text = block !== null ? block.join('\n') : line;
    block = null;
    turn = interview.handle(turn.state, { text }, now());
    // `link` continues a response of the bot's store in another channel; the terminal's answers are only in its file.
    if (turn.effects.includes('link')) turn = { ...turn, replies: [{ type: 'message', text: translatorFor(i18n, turn.state.locale)('link.terminal', { file }) }, ...turn.replies] };
    save();
    show();
    rl.prompt();
  }
}

if (require.main === module) {
  chat(process.argv.slice(2), { input: process.stdin, output: process.stdout, dataDir: process.env.DATA_DIR ?? 'data' }).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
