import type { EngineState, Flag } from '../interview/state';
import type { ResponseDoc } from '../store/port';

/**
 * A team's response after one participant's turn: the flags that turn resolved are resolved for every participant,
 * and a participant left with none open is back to submitted (a flagged item is answered once, by anyone).
 */
export function shareResolutions(doc: ResponseDoc, by: EngineState): ResponseDoc {
  if (!doc.team) return doc;
  const resolved = new Map((by.flags ?? []).filter((f) => f.resolvedAt !== null).map((f) => [f.id, f.resolvedAt]));
  if (resolved.size === 0) return doc;
  const participants = doc.team.participants.map((p) => {
    const flags = Array.isArray(p.state.flags) ? (p.state.flags as Flag[]) : [];
    if (!flags.some((f) => f.resolvedAt === null && resolved.has(f.id))) return p;
    const updated = flags.map((f) => (f.resolvedAt === null && resolved.has(f.id) ? { ...f, resolvedAt: resolved.get(f.id) ?? null } : f));
    const open = updated.find((f) => f.resolvedAt === null);
    const moved = p.state.phase !== 'revising' ? {} : open ? { current: open.itemId } : { phase: 'submitted', current: null, submittedAt: by.submittedAt };
    return { ...p, state: { ...p.state, flags: updated, ...moved } };
  });
  return { ...doc, team: { participants } };
}
