import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { loadDefinition } from '../dialogs';
import { createI18n, translatorFor } from '../src/i18n';
import { createInterview, currentPromptId } from '../src/interview/engine';
import { renderReplies, answeredCard } from '../src/channels';
import { englishScript, spanishScript } from '../test/fixtures/answers';
const def = loadDefinition(); const i18n = createI18n(); const iv = createInterview(def, i18n);
const NOW = new Date('2026-11-28T10:00:00Z');
const SCRIPTS: any = { en: englishScript, es: spanishScript }; const SKIP: any = { en: 'skip', es: 'omitir' }; const YES: any = { en: 'yes', es: 'sí' };
function words(l: any) { const t = translatorFor(i18n, l); return { send: t('card.send'), answered: t('card.answered') }; }
function q(locale: 'en'|'es', channel: string) {
  const first = iv.start(locale, NOW); let acts = renderReplies(channel, first.replies, words(locale));
  let state = first.state; let at = (acts.at(-1)?.channelData as any)?.msq?.questionId; let n = 0;
  for (; n < 400 && at; n++) {
    const text = at === 'submit' ? YES[locale] : (SCRIPTS[locale][at] ?? SKIP[locale]);
    const loaded = iv.load(state)!; const turn = iv.handle(loaded, { text }, NOW);
    const promptId = currentPromptId(loaded);
    const isAnswered = promptId !== null && (turn.changes.some((c) => c.itemId === promptId) || (promptId === 'submit' && turn.state.phase === 'submitted'));
    const answered = isAnswered && promptId ? iv.describe(turn.state, promptId) : null;
    acts = renderReplies(channel, turn.replies, words(turn.state.locale));
    if (answered && channel === 'msteams') answeredCard(answered.question, answered.answer, words(turn.state.locale));
    state = turn.state; at = at === 'submit' ? undefined : (acts.at(-1)?.channelData as any)?.msq?.questionId;
  }
  return n;
}
function all() { let n = 0; for (const l of ['en', 'es'] as const) for (const c of ['msteams', 'directline', 'test']) n += q(l, c); return n; }
for (let i = 0; i < 5; i++) all();
const s = new Session(); s.connect();
const post = (m: string, p?: object) => { let r: any; s.post(m, p, (e, res) => { if (e) throw e; r = res; }); return r; };
post('HeapProfiler.enable');
post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
let turns = 0; for (let i = 0; i < 5; i++) turns += all();
const { profile } = post('HeapProfiler.stopSampling');
const self = new Map<string, number>(); let total = 0;
const walk = (n: any, parent = '') => { const k0 = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}:${n.callFrame.columnNumber + 1}`; const k = n.callFrame.url ? k0 : `${k0} <- ${parent}`; total += n.selfSize; self.set(k, (self.get(k) ?? 0) + n.selfSize); for (const c of n.children) walk(c, n.callFrame.url ? k0 : parent); };
walk(profile.head);
console.log('KB per turn', (total / turns / 1024).toFixed(1), 'turns', turns);
console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 45).map(([k, v]) => `${(v / turns / 1024).toFixed(2).padStart(6)} KB ${k}`).join('\n'));
