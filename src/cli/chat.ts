import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { loadDefinition } from '../../dialogs';
import { renderText } from '../channels/text';
import { createI18n, pickLocale } from '../i18n';
import { createInterview, type Turn } from '../interview/engine';

/**
 * `npm run chat [-- --locale es] [-- --new]`: answer the questionnaire in a terminal. The state is kept in
 * `data/chat-state.json`, so quitting (Ctrl+D) and running it again continues where you stopped. An answer of
 * several lines goes between two lines of three double quotes.
 */
async function main(argv: string[]): Promise<void> {
  const locale = pickLocale(argv[argv.indexOf('--locale') + 1] ?? 'en');
  const dir = process.env.DATA_DIR ?? 'data';
  const file = join(dir, 'chat-state.json');
  const interview = createInterview(loadDefinition(), createI18n());
  const saved = !argv.includes('--new') && existsSync(file) ? interview.load(JSON.parse(readFileSync(file, 'utf8'))) : null;
  let turn: Turn = saved ? interview.resume(saved) : interview.start(locale, new Date());
  const save = () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify(turn.state, null, 2));
  };
  const show = () => console.log(`\n${turn.replies.map(renderText).join('\n\n')}\n`);
  save();
  show();
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
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
    turn = interview.handle(turn.state, { text }, new Date());
    save();
    show();
    rl.prompt();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
