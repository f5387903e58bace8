import type { Activity, Attachment } from 'botbuilder';
import { answeredCard, readCardSubmit, renderReplies, type CardWords } from '../../src/channels';
import { verbatimMarkdown } from '../../src/channels/markdown';
import { renderText } from '../../src/channels/text';
import type { PromptMeta, Reply } from '../../src/interview/render';
import { promptOf, respondent } from '../fixtures/interview';
import { expectedText, shown } from './shown';

// ---------------------------------------------------------------------------------------------------------
// What a respondent is shown, per channel. Replies are built by hand (the renderer is pure); one block at the
// end renders real Spanish questions from the engine.
// ---------------------------------------------------------------------------------------------------------

const en: CardWords = { send: 'Send', answered: 'Your answer' };
const es: CardWords = { send: 'Enviar', answered: 'Su respuesta' };

/** A long item, as pasted legal wording: 3,000 characters, paragraphs, and characters markdown would mangle. */
const longQuestion = (() => {
  const first = '17. Is there any legislation on *digital signature* or e_government [see](https://example.org/law_1)?';
  const filler = ' The national framework_law covers 2*3 cases and the agency’s «mandate».';
  let text = `${first}\n\n`;
  while (text.length < 2_990) text += filler;
  text = `${text.slice(0, 2_990)}\n- end.`;
  return text.padEnd(3_000, '!');
})();

const progress = { question: 17, questions: 44, section: 'C' as const, answered: 12 };

function prompt(kind: PromptMeta['kind'], over: Partial<PromptMeta> & { text?: string; hint?: string } = {}): Extract<Reply, { type: 'prompt' }> {
  const { text = longQuestion, hint = `Hint for ${kind}. (Required. Type skip to leave it for later.)`, ...meta } = over;
  return { type: 'prompt', text, hint, meta: { questionId: `q.${kind}`, section: 'C', kind, required: true, progress, ...meta } };
}

const yesNo = (labels = ['Yes', 'No']) => prompt('yesno', { questionId: 'q4', options: [{ id: 'yes', label: labels[0] }, { id: 'no', label: labels[1] }] });
const choice = (options: Array<{ id: string; label: string }>) => prompt('choice', { questionId: 'q20', options });
const multi = (options: Array<{ id: string; label: string }>) => prompt('multi', { questionId: 'q29', options, required: false });

const years = [
  { id: 'two', label: 'Dos años' },
  { id: 'three', label: 'Tres años' },
  { id: 'five', label: 'Cinco años' },
  { id: 'other', label: 'Otro' },
];
const technologies = [
  { id: 'ai', label: 'Inteligencia artificial (IA)' },
  { id: 'iot', label: 'Internet de las cosas' },
  { id: 'other', label: 'Otra' },
];

const message: Reply = { type: 'message', text: 'Saved. Your answer *Law 5282/2014* (see [the law](https://example.org/a_b)) was kept.' };

const render = (channelId: string, reply: Reply, words = en): Partial<Activity> => {
  const activities = renderReplies(channelId, [reply], words);
  expect(activities).toHaveLength(1);
  return activities[0];
};

// ----- reading a card as its client would -----

type Card = { type: string; $schema: string; version: string; body: Array<Record<string, any>>; actions?: Array<Record<string, any>> };

const ELEMENTS = new Set(['TextBlock', 'RichTextBlock', 'Input.ChoiceSet']);

/** A minimal Adaptive Card check: the shape Teams (≤ 1.5) and Web Chat accept, actions only Action.Submit. */
function validCard(attachment: Attachment | undefined): Card {
  expect(attachment).toBeDefined();
  expect(attachment!.contentType).toBe('application/vnd.microsoft.card.adaptive');
  const card = attachment!.content as Card;
  expect(JSON.parse(JSON.stringify(card))).toEqual(card); // plain JSON, nothing lost on the wire
  expect(card.type).toBe('AdaptiveCard');
  expect(card.$schema).toBe('http://adaptivecards.io/schemas/adaptive-card.json');
  expect(card.version).toBe('1.5');
  expect(Array.isArray(card.body)).toBe(true);
  expect(card.body.length).toBeGreaterThan(0);
  for (const element of card.body) {
    expect(ELEMENTS.has(element.type)).toBe(true);
    if (element.type === 'TextBlock') {
      expect(typeof element.text).toBe('string');
      expect(element.maxLines).toBeUndefined();
    }
    if (element.type === 'RichTextBlock') {
      expect(element.inlines.length).toBeGreaterThan(0);
      for (const run of element.inlines) {
        expect(run.type).toBe('TextRun');
        expect(typeof run.text).toBe('string');
      }
    }
    if (element.type === 'Input.ChoiceSet') {
      expect(typeof element.id).toBe('string');
      for (const c of element.choices) expect(c).toEqual({ title: expect.any(String), value: expect.any(String) });
    }
  }
  if (card.actions !== undefined) {
    expect(Array.isArray(card.actions)).toBe(true);
    for (const action of card.actions) {
      expect(action.type).toBe('Action.Submit');
      expect(typeof action.title).toBe('string');
      expect(typeof action.data.msq.questionId).toBe('string');
    }
  }
  return card;
}

/** The lines a respondent reads on a card (text elements only). */
const cardLines = (card: Card): string[] =>
  card.body.flatMap((e) => (e.type === 'RichTextBlock' ? [e.inlines.map((r: { text: string }) => r.text).join('')] : e.type === 'TextBlock' ? [e.text] : []));

/** A text as the card shows it: every non-blank line, in order. */
const linesOf = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

const inputsOf = (card: Card) => card.body.filter((e) => e.type.startsWith('Input.'));

/** A click on a card's button with the given options selected, merged as Teams and Web Chat do. */
function click(card: Card, title: string, selected?: string[]): unknown {
  const action = card.actions?.find((a) => a.title === title);
  expect(action).toBeDefined();
  const value = JSON.parse(JSON.stringify(action!.data)) as Record<string, unknown>;
  const input = inputsOf(card)[0];
  if (input && selected) value[input.id] = selected.join(',');
  return value;
}

// ---------------------------------------------------------------------------------------------------------

describe('Microsoft Teams', () => {
  test('a message is markdown that shows it as typed, its address a link, without question metadata', () => {
    const activity = render('msteams', message);
    expect(activity).toEqual({ type: 'message', text: verbatimMarkdown(message.text, 'teams'), textFormat: 'markdown' });
    const view = shown(activity.text!, 'teams');
    expect(view.text).toBe(message.text);
    expect(view.links).toEqual([{ href: 'https://example.org/a_b', text: 'https://example.org/a_b' }]);
    expect(activity.channelData).toBeUndefined();
  });

  test('yes/no: the full question, the hint, and a Yes and a No button that answer in one click', () => {
    const reply = yesNo();
    const activity = render('msteams', reply);
    expect(activity.text).toBeUndefined();
    expect(activity.channelData).toEqual({ msq: reply.meta });
    expect(activity.attachments).toHaveLength(1);
    const card = validCard(activity.attachments![0]);
    expect(cardLines(card)).toEqual([...linesOf(longQuestion), reply.hint]);
    expect(cardLines(card).join('\n')).toContain(longQuestion.slice(-200));
    expect(card.body.at(-1)!.inlines[0].isSubtle).toBe(true);
    expect(inputsOf(card)).toEqual([]);
    expect(card.actions).toEqual([
      { type: 'Action.Submit', title: 'Yes', data: { msq: { questionId: 'q4', answer: 'yes' } } },
      { type: 'Action.Submit', title: 'No', data: { msq: { questionId: 'q4', answer: 'no' } } },
    ]);
    expect(readCardSubmit(click(card, 'No'))).toEqual({ text: 'no', questionId: 'q4' });
  });

  test('sí / no: Spanish labels on the buttons, the answers stay yes/no', () => {
    const card = validCard(render('msteams', yesNo(['Sí', 'No']), es).attachments![0]);
    expect(card.actions!.map((a) => a.title)).toEqual(['Sí', 'No']);
    expect(readCardSubmit(click(card, 'Sí'))).toEqual({ text: 'yes', questionId: 'q4' });
  });

  test('choice: radio buttons whose values are the option ids, and a Send button', () => {
    const reply = choice(years);
    const activity = render('msteams', reply, es);
    expect(activity.text).toBeUndefined();
    expect(activity.channelData).toEqual({ msq: reply.meta });
    const card = validCard(activity.attachments![0]);
    expect(cardLines(card)).toEqual([...linesOf(longQuestion), reply.hint]);
    const [input] = inputsOf(card);
    expect(input).toEqual({
      type: 'Input.ChoiceSet',
      id: 'answer',
      style: 'expanded',
      label: 'Su respuesta',
      wrap: true,
      isRequired: true,
      errorMessage: reply.hint,
      // Numbered, as the hint says: "its number, its name, or a button".
      choices: years.map((o, i) => ({ title: `${i + 1} — ${o.label}`, value: o.id })),
    });
    expect(input.isMultiSelect).toBeUndefined();
    expect(card.actions).toEqual([{ type: 'Action.Submit', title: 'Enviar', data: { msq: { questionId: 'q20' } } }]);
    expect(readCardSubmit(click(card, 'Enviar', ['five']))).toEqual({ text: 'five', questionId: 'q20' });
  });

  test('multi-choice: check boxes, several ids sent as "id1,id2"', () => {
    const reply = multi(technologies);
    const activity = render('msteams', reply, es);
    expect(activity.channelData).toEqual({ msq: reply.meta });
    const card = validCard(activity.attachments![0]);
    const [input] = inputsOf(card);
    expect(input.isMultiSelect).toBe(true);
    expect(input.style).toBe('expanded');
    expect(input.choices.map((c: { value: string }) => c.value)).toEqual(['ai', 'iot', 'other']);
    expect(input.choices.map((c: { title: string }) => c.title)).toEqual(['1 — Inteligencia artificial (IA)', '2 — Internet de las cosas', '3 — Otra']);
    expect(card.actions!.map((a) => a.title)).toEqual(['Enviar']);
    expect(readCardSubmit(click(card, 'Enviar', ['ai', 'iot']))).toEqual({ text: 'ai,iot', questionId: 'q29' });
  });

  test.each(['text', 'email', 'country'] as const)('%s: a message with the question and the hint as written, no card (typing is the answer)', (kind) => {
    const reply = prompt(kind);
    const activity = render('msteams', reply);
    expect(activity).toEqual({ type: 'message', text: verbatimMarkdown(`${longQuestion}\n\n${reply.hint}`, 'teams'), textFormat: 'markdown', channelData: { msq: reply.meta } });
    expect(shown(activity.text!, 'teams').text).toBe(expectedText(`${longQuestion}\n\n${reply.hint}`));
    expect(activity.attachments).toBeUndefined();
  });

  test('a turn: messages first, the question last, each rendered in order', () => {
    const reply = multi(technologies);
    const activities = renderReplies('msteams', [message, { type: 'message', text: 'Section C' }, reply], en);
    expect(activities.map((a) => a.text)).toEqual([verbatimMarkdown(message.text, 'teams'), 'Section C', undefined]);
    expect(activities.map((a) => a.channelData?.msq?.questionId)).toEqual([undefined, undefined, 'q29']);
    expect(renderReplies('msteams', [], en)).toEqual([]);
  });
});

describe('Web Chat (webchat and directline)', () => {
  test.each(['webchat', 'directline'])('%s — yes/no: the question and hint, Sí / No buttons that type the label', (channel) => {
    const reply = yesNo(['Sí', 'No']);
    const activity = render(channel, reply, es);
    expect(activity).toEqual({
      type: 'message',
      text: verbatimMarkdown(`${longQuestion}\n\n${reply.hint}`, 'webchat'),
      textFormat: 'markdown',
      channelData: { msq: reply.meta },
      suggestedActions: {
        to: [],
        actions: [
          { type: 'imBack', title: 'Sí', value: 'Sí' },
          { type: 'imBack', title: 'No', value: 'No' },
        ],
      },
    });
    expect(activity.attachments).toBeUndefined();
  });

  test('choice with a few short labels: one button per option', () => {
    const reply = choice(years);
    const activity = render('webchat', reply, es);
    expect(activity.text).toBe(verbatimMarkdown(`${longQuestion}\n\n${reply.hint}`, 'webchat'));
    expect(activity.channelData).toEqual({ msq: reply.meta });
    // Numbered buttons, as the hint says; a click types the option's name.
    expect(activity.suggestedActions!.actions).toEqual(years.map((o, i) => ({ type: 'imBack', title: `${i + 1} — ${o.label}`, value: o.label })));
    expect(activity.attachments).toBeUndefined();
  });

  test('choice at the limits: 6 options of 40 characters are buttons; a 7th option or a 41-character label makes a card', () => {
    const options = (n: number, length: number) => Array.from({ length: n }, (_, i) => ({ id: `o${i}`, label: `${i}`.padEnd(length, 'x') }));
    expect(render('webchat', choice(options(6, 40))).suggestedActions?.actions).toHaveLength(6);
    for (const opts of [options(7, 10), [...options(2, 10), { id: 'long', label: 'y'.repeat(41) }]]) {
      const activity = render('webchat', choice(opts));
      expect(activity.suggestedActions).toBeUndefined();
      expect(activity.text).toBeUndefined();
      const card = validCard(activity.attachments?.[0]);
      expect(inputsOf(card)[0].choices.map((c: { value: string }) => c.value)).toEqual(opts.map((o) => o.id));
    }
  });

  test('choice with long labels and every multi-choice: the same card as in Teams', () => {
    const capacity = [
      { id: 'authorized', label: 'Estoy autorizado/a y tengo pleno conocimiento para responder a este cuestionario.' },
      { id: 'other', label: 'Otra' },
    ];
    for (const reply of [choice(capacity), multi(technologies), multi([{ id: 'ai', label: 'IA' }])]) {
      const webchat = render('webchat', reply, es);
      expect(webchat).toEqual(render('msteams', reply, es));
      expect(webchat.channelData).toEqual({ msq: reply.meta });
      const card = validCard(webchat.attachments![0]);
      expect(cardLines(card)).toEqual([...linesOf(longQuestion), reply.hint]);
      const [id] = reply.meta.options!.map((o) => o.id);
      // Web Chat merges the inputs into the button's data, as Teams does.
      expect(readCardSubmit(click(card, 'Enviar', [id]))).toEqual({ text: id, questionId: reply.meta.questionId });
    }
  });

  test.each(['text', 'email', 'country'] as const)('%s: the question and hint as written', (kind) => {
    const reply = prompt(kind);
    const activity = render('directline', reply);
    expect(activity).toEqual({ type: 'message', text: verbatimMarkdown(`${longQuestion}\n\n${reply.hint}`, 'webchat'), textFormat: 'markdown', channelData: { msq: reply.meta } });
    expect(shown(activity.text!, 'webchat').text).toBe(expectedText(`${longQuestion}\n\n${reply.hint}`));
  });

  test('a message shows as typed, its address a link, without metadata', () => {
    const activity = render('webchat', message);
    expect(activity).toEqual({ type: 'message', text: verbatimMarkdown(message.text, 'webchat'), textFormat: 'markdown' });
    expect(shown(activity.text!, 'webchat')).toMatchObject({ text: message.text, links: [{ href: 'https://example.org/a_b', text: 'https://example.org/a_b' }] });
  });
});

describe('other channels (emulator, test, slack, unknown): plain text', () => {
  const replies: Reply[] = [message, yesNo(['Sí', 'No']), choice(years), multi(technologies), prompt('text'), prompt('email'), prompt('country')];

  test.each(['emulator', 'test', 'slack', ''])('"%s": numbered options as text, metadata on every question', (channel) => {
    const activities = renderReplies(channel, replies, es);
    expect(activities).toHaveLength(replies.length);
    activities.forEach((activity, i) => {
      const reply = replies[i];
      expect(activity.type).toBe('message');
      expect(activity.text).toBe(renderText(reply));
      expect(activity.textFormat).toBe('plain');
      expect(activity.attachments).toBeUndefined();
      expect(activity.suggestedActions).toBeUndefined();
      expect(activity.channelData).toEqual(reply.type === 'prompt' ? { msq: reply.meta } : undefined);
    });
    expect(activities[2].text).toContain('1. Dos años\n2. Tres años\n3. Cinco años\n4. Otro');
    expect(activities[1].text).toContain(longQuestion);
  });
});

describe('every question carries channelData.msq exactly as its metadata', () => {
  const questions = [yesNo(), choice(years), multi(technologies), prompt('text'), prompt('email', { required: false }), prompt('country')];
  test.each(['msteams', 'webchat', 'directline', 'emulator'])('%s', (channel) => {
    const activities = renderReplies(channel, [message, ...questions], en);
    expect(activities[0].channelData).toBeUndefined();
    expect(activities.slice(1).map((a) => a.channelData)).toEqual(questions.map((q) => ({ msq: q.meta })));
    for (const a of activities.slice(1)) expect(a.channelData.msq.progress).toEqual(progress);
  });
});

describe('readCardSubmit', () => {
  test('Teams: a choice submit (input merged at the top level) and a yes/no button (answer in msq)', () => {
    expect(readCardSubmit({ msq: { questionId: 'q29' }, answer: 'ai,iot' })).toEqual({ text: 'ai,iot', questionId: 'q29' });
    expect(readCardSubmit({ msq: { questionId: 'q4', answer: 'yes' } })).toEqual({ text: 'yes', questionId: 'q4' });
    expect(readCardSubmit({ msq: { questionId: 'submit', answer: 'yes' } })).toEqual({ text: 'yes', questionId: 'submit' });
    expect(readCardSubmit({ msq: { questionId: 'q4.cio.email', answer: 'no' }, answer: 'yes' })).toEqual({ text: 'yes', questionId: 'q4.cio.email' });
  });

  test('Web Chat: an Adaptive Card submit, as parsed from JSON, with fields it does not know', () => {
    const value = JSON.parse('{"msq":{"questionId":"respondent.capacity","extra":1},"answer":"authorized,collective","__proto__":{"answer":"x"},"msteams":{}}');
    expect(readCardSubmit(value)).toEqual({ text: 'authorized,collective', questionId: 'respondent.capacity' });
  });

  test('a submit with nothing selected reaches the engine as an empty answer to its question', () => {
    expect(readCardSubmit({ msq: { questionId: 'q20' } })).toEqual({ text: '', questionId: 'q20' });
  });

  test('a long pasted answer is text like any other; line breaks and Unicode kept', () => {
    const long = `Ley N.º 5282/2014 — «acceso»\n${'x'.repeat(100_000)}`;
    expect(readCardSubmit({ msq: { questionId: 'q9' }, answer: long })).toEqual({ text: long, questionId: 'q9' });
  });

  const throwing = Object.defineProperty({}, 'msq', { enumerable: true, get: () => { throw new Error('boom'); } });
  const hostile = new Proxy({}, { getPrototypeOf: () => { throw new Error('boom'); } });
  class Submit { msq = { questionId: 'q4', answer: 'yes' }; }

  test.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'x'],
    ['a number', 5],
    ['an array', [{ msq: { questionId: 'q4', answer: 'yes' } }]],
    ['an empty object', {}],
    ['a numeric answer', { answer: 5 }],
    ['an answer without its question', { answer: 'yes' }],
    ['a numeric answer with its question', { msq: { questionId: 'q4' }, answer: 5 }],
    ['a numeric answer in msq', { msq: { questionId: 'q4', answer: 1 } }],
    ['a list of answers', { msq: { questionId: 'q29' }, answer: ['ai', 'iot'] }],
    ['a query object as question id', { msq: { questionId: { $gt: '' } } }],
    ['a numeric question id', { msq: { questionId: 4, answer: 'yes' } }],
    ['an empty question id', { msq: { questionId: '', answer: 'yes' } }],
    ['a question id with spaces', { msq: { questionId: 'q4 or 1=1', answer: 'yes' } }],
    ['a question id of 100 kB', { msq: { questionId: `q${'1'.repeat(100_000)}`, answer: 'yes' } }],
    ['a question id of 101 characters', { msq: { questionId: `q${'1'.repeat(100)}`, answer: 'yes' } }],
    ['msq as a string', { msq: 'q4', answer: 'yes' }],
    ['msq as an array', { msq: ['q4'], answer: 'yes' }],
    ['msq only inherited', { __proto__: { msq: { questionId: 'q4', answer: 'yes' } } }],
    ['answer only inherited', { __proto__: { answer: 'yes' }, msq: { __proto__: { questionId: 'q4' } } }],
    ['a class instance', new Submit()],
    ['a getter that throws', throwing],
    ['a proxy that throws', hostile],
  ])('junk is null, never a throw: %s', (_name, value) => {
    expect(() => readCardSubmit(value)).not.toThrow();
    expect(readCardSubmit(value)).toBeNull();
  });

  test('nothing inherited is read as an answer', () => {
    expect(readCardSubmit({ msq: { questionId: 'q4' }, __proto__: { answer: 'yes' } })).toBeNull();
  });
});

describe('answeredCard: the answered question, read-only', () => {
  test('the question, then "Your answer: …", with no buttons and no inputs', () => {
    const answer = 'Law *5282/2014* https://example.org/a_b_c\n\nand _more_';
    const card = validCard(answeredCard(longQuestion, answer, en));
    expect(card.actions).toBeUndefined();
    expect(inputsOf(card)).toEqual([]);
    // Nothing to submit; the only actions open the addresses in the text.
    expect(JSON.stringify(card)).not.toContain('Action.Submit');
    expect(JSON.stringify(card).match(/Action\.\w+/g)).toEqual(['Action.OpenUrl', 'Action.OpenUrl']);
    expect(cardLines(card)).toEqual([...linesOf(longQuestion), 'Your answer: Law *5282/2014* https://example.org/a_b_c', 'and _more_']);
    const label = card.body.find((e) => e.inlines?.[0]?.text === 'Your answer: ')!;
    expect(label.inlines[0].weight).toBe('bolder');
  });

  test('en español, with an empty answer still labelled', () => {
    const card = validCard(answeredCard('4. ¿Existe un CIO?', 'Sí', es));
    expect(cardLines(card)).toEqual(['4. ¿Existe un CIO?', 'Su respuesta: Sí']);
    expect(cardLines(validCard(answeredCard('¿Tecnologías?', '', es)))).toEqual(['¿Tecnologías?', 'Su respuesta: ']);
  });
});

describe('real questions from the engine, in Spanish', () => {
  const r = respondent('es');
  const ask = (id: string) => {
    r.say(`editar ${id}`);
    const reply = promptOf(r.turn.replies);
    expect(reply?.meta.questionId).toBe(id);
    return reply!;
  };

  test('q29 (multi), q20 (short choice) and respondent.capacity (long labels) render with their Spanish labels', () => {
    const q29 = ask('q29');
    const teams = validCard(render('msteams', q29, es).attachments![0]);
    expect(cardLines(teams)).toEqual([...linesOf(q29.text), q29.hint]);
    expect(inputsOf(teams)[0].choices).toEqual(q29.meta.options!.map((o, i) => ({ title: `${i + 1} — ${o.label}`, value: o.id })));
    expect(inputsOf(teams)[0].choices[0].title).toBe('1 — Inteligencia artificial (IA)');

    const q20 = ask('q20');
    expect(render('webchat', q20, es).suggestedActions!.actions.map((a) => a.value)).toEqual(q20.meta.options!.map((o) => o.label));
    expect(render('webchat', q20, es).suggestedActions!.actions[0].title).toBe('1 — Dos años');

    const capacity = ask('respondent.capacity');
    const card = validCard(render('webchat', capacity, es).attachments![0]);
    expect(inputsOf(card)[0].isMultiSelect).toBe(true);
    expect(card.actions![0].title).toBe('Enviar');
  });

  test('a click on a rendered card is read back and answers the question', () => {
    const q29 = ask('q29');
    const card = validCard(render('msteams', q29, es).attachments![0]);
    const submit = readCardSubmit(click(card, 'Enviar', ['ai', 'iot']))!;
    expect(submit).toEqual({ text: 'ai,iot', questionId: 'q29' });
    r.say(submit.text, { questionId: submit.questionId });
    expect(r.answer('q29')).toEqual(['ai', 'iot']);
  });
});

describe('an answer that was not understood: the message says what to do, the question is not repeated', () => {
  const r = respondent('en');
  const at = (id: string) => {
    r.say(`edit ${id}`);
    expect(r.at).toBe(id);
  };
  const invalid = (text: string) => {
    r.say(text);
    return r.turn.replies;
  };

  test.each(['msteams', 'webchat'])('%s — a card question (multi-choice): one text message carrying the question’s metadata, no second card', (channel) => {
    at('q29');
    const replies = invalid('42');
    expect(replies.map((x) => x.type)).toEqual(['message', 'prompt']);
    const activities = renderReplies(channel, replies, en);
    expect(activities).toHaveLength(1);
    const [activity] = activities;
    expect(activity.attachments).toBeUndefined();
    expect(activity.suggestedActions).toBeUndefined();
    expect(shown(activity.text!, channel === 'msteams' ? 'teams' : 'webchat').text).toContain('Please choose one or more options: numbers from 1 to');
    expect(activity.channelData).toEqual({ msq: promptOf(replies)!.meta });
  });

  test('webchat — a question with suggested actions: the message brings the buttons back (Web Chat shows them under the latest message only)', () => {
    at('q20');
    const asked = renderReplies('webchat', r.turn.replies, en).at(-1)!;
    const activities = renderReplies('webchat', invalid('seventeen'), en);
    expect(activities).toHaveLength(1);
    expect(activities[0].suggestedActions).toEqual(asked.suggestedActions);
    expect(activities[0].text).not.toContain(verbatimMarkdown(promptOf(r.turn.replies)!.text, 'webchat').slice(0, 40));
  });

  test('msteams — a yes/no card, and a typed question: text only as well', () => {
    at('q4');
    expect(renderReplies('msteams', invalid('perhaps'), en).map((a) => [a.attachments, a.channelData?.msq?.questionId])).toEqual([[undefined, 'q4']]);
    at('respondent.email');
    const [email] = renderReplies('msteams', invalid('not an address'), en);
    expect(shown(email.text!, 'teams').text).toBe('That does not look like an email address. Please type it like name@example.org.');
  });

  test('other channels (no cards) ask the whole question again, numbered options included', () => {
    at('q20');
    const activities = renderReplies('emulator', invalid('seventeen'), en);
    expect(activities).toHaveLength(2);
    expect(activities[1].text).toContain('1. ');
  });

  test('anything else keeps its question: a greeting, help, progress and a language switch render it in full', () => {
    at('q29');
    for (const text of ['Hello', 'help', 'progress', 'idioma es', 'language en']) {
      r.say(text);
      const activities = renderReplies('msteams', r.turn.replies, en);
      expect([text, activities.at(-1)!.attachments?.length]).toEqual([text, 1]);
    }
  });
});

