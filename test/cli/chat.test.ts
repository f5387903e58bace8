/**
 * The terminal chat (`npm run chat`): it welcomes in terms of the terminal, keeps its state between runs, and
 * `--locale es` switches a chat already under way to Spanish.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { chat } from '../../src/cli/chat';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'msq-chat-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs the chat with these lines typed, then end of input (Ctrl+D); returns everything it printed. */
async function run(argv: string[], lines: string[]): Promise<string> {
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  await chat(argv, { input: Readable.from(lines.map((l) => `${l}\n`)), output, dataDir, now: () => new Date('2026-11-28T10:00:00Z') });
  return printed;
}

const state = () => JSON.parse(readFileSync(join(dataDir, 'chat-state.json'), 'utf8'));

describe('npm run chat', () => {
  test('welcomes in terms of the terminal — no buttons, no Teams, no browser', async () => {
    for (const [argv, words] of [
      [[], ['here in the terminal', 'Ctrl+D', 'npm run chat', '"""']],
      [['--locale', 'es'], ['en la terminal', 'Ctrl+D', 'npm run chat', '"""']],
    ] as const) {
      const printed = await run([...argv, '--new'], []);
      const welcome = printed.slice(0, printed.indexOf('COUNTRY NAME') >= 0 ? printed.indexOf('COUNTRY NAME') : printed.indexOf('NOMBRE DEL PAÍS'));
      for (const word of words) expect(welcome).toContain(word);
      expect(welcome).not.toMatch(/button|botón|botones|Teams|browser|navegador/i);
    }
  });

  test('--locale es switches a chat under way to Spanish, keeping its answers', async () => {
    await run([], ['Paraguay', 'Ana']);
    expect(state()).toMatchObject({ locale: 'en', current: 'respondent.title' });

    const printed = await run(['--locale', 'es'], []);
    expect(printed).toContain('Le damos nuevamente la bienvenida. Sus respuestas están guardadas.');
    expect(printed).toContain('Información de contacto — Cargo');
    expect(printed).not.toContain('Welcome back');
    expect(state()).toMatchObject({ locale: 'es', current: 'respondent.title' });
    expect(state().answers).toEqual([
      { itemId: 'country', value: 'PRY' },
      { itemId: 'respondent.name', value: 'Ana' },
    ]);

    // Without --locale, the next run stays in the language the chat is in.
    expect(await run([], [])).toContain('Le damos nuevamente la bienvenida');
  });

  test('an answer of several lines between """ lines is kept with its line breaks', async () => {
    await run(['--new'], ['Paraguay', 'Ana', 'Director', 'MITIC', 'ana@mitic.gov.py', '1', '"""', 'https://www.paraguay.gov.py', '', 'https://www.tramites.gov.py', '"""']);
    expect(state().answers.find((a: { itemId: string }) => a.itemId === 'q1').value).toBe('https://www.paraguay.gov.py\n\nhttps://www.tramites.gov.py');
  });

  test('link / vincular says why the terminal cannot give a code, stores nothing more, and asks the same question again', async () => {
    // The reply to the last line typed: between the last two prompts.
    const lastReply = (printed: string) => printed.split('> ').at(-2) ?? '';
    const told = lastReply(await run(['--new'], ['Paraguay', 'link']));
    expect(told).toContain('In the terminal, link cannot give you a code');
    expect(told).toContain(join(dataDir, 'chat-state.json'));
    expect(told).toContain('Contact information — Your name');
    expect(told).not.toMatch(/LINK-/);
    expect(state()).toMatchObject({ current: 'respondent.name', answers: [{ itemId: 'country', value: 'PRY' }] });

    expect(lastReply(await run(['--locale', 'es'], ['vincular']))).toContain('En la terminal, vincular no puede darle un código');
  });
});
