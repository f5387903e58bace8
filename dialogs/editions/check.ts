import type { Definition } from '../index';
import type { EditionMap } from './schema';

/**
 * The problems of a map between two editions, each naming the entry at fault; none when the map is sound:
 * every id it names exists on its side, no old item is mapped twice, no two old items land on the same new one,
 * option maps name real options, and every item of `from` missing from `to` is renamed, split or removed.
 */
export function checkEditionMap(map: EditionMap, from: Definition, to: Definition): string[] {
  const problems: string[] = [];
  const problem = (message: string) => problems.push(message);
  if (map.from !== from.questionnaire.id) problem(`"from" is ${map.from}, but the old edition is ${from.questionnaire.id}`);
  if (map.to !== to.questionnaire.id) problem(`"to" is ${map.to}, but the new edition is ${to.questionnaire.id}`);
  const oldItem = (where: string, id: string) => from.byId.has(id) || (problem(`${where} "${id}": not an item of ${from.questionnaire.id}`), false);
  const newItem = (where: string, id: string) => to.byId.has(id) || (problem(`${where}: "${id}" is not an item of ${to.questionnaire.id}`), false);

  const mapped = new Map<string, string>();
  const claim = (oldId: string, how: string) => {
    const before = mapped.get(oldId);
    if (before) problem(`"${oldId}" is both ${before} and ${how}`);
    else mapped.set(oldId, how);
  };
  const landing = new Map<string, string>();
  const land = (newId: string, oldId: string) => {
    const before = landing.get(newId);
    if (before && before !== oldId) problem(`"${before}" and "${oldId}" both become "${newId}"`);
    landing.set(newId, oldId);
  };

  for (const [oldId, newId] of Object.entries(map.renamed)) {
    claim(oldId, 'renamed');
    if (oldItem('renamed', oldId) && newItem(`renamed "${oldId}"`, newId)) land(newId, oldId);
  }
  for (const [oldId, newIds] of Object.entries(map.split)) {
    claim(oldId, 'split');
    if (!oldItem('split', oldId)) continue;
    for (const newId of newIds) if (newItem(`split "${oldId}"`, newId)) land(newId, oldId);
  }
  for (const oldId of map.removed) {
    claim(oldId, 'removed');
    oldItem('removed', oldId);
  }
  for (const item of from.items) {
    if (mapped.has(item.id)) continue;
    if (to.byId.has(item.id)) land(item.id, item.id);
    else problem(`"${item.id}" of ${from.questionnaire.id} is not in ${to.questionnaire.id}: list it under renamed, split or removed`);
  }

  for (const [oldId, options] of Object.entries(map.options)) {
    const before = from.byId.get(oldId);
    if (!before) {
      oldItem('options', oldId);
      continue;
    }
    if (!before.options) {
      problem(`options "${oldId}": not a choice or multi-choice item`);
      continue;
    }
    const after = to.byId.get(map.renamed[oldId] ?? oldId);
    if (!after?.options) {
      problem(`options "${oldId}": it is not a choice or multi-choice item in ${to.questionnaire.id}`);
      continue;
    }
    for (const [oldOption, newOption] of Object.entries(options)) {
      if (!before.options.includes(oldOption)) problem(`options "${oldId}": "${oldOption}" is not one of its options in ${from.questionnaire.id}`);
      if (newOption !== null && !after.options.includes(newOption)) problem(`options "${oldId}": "${newOption}" is not one of the options of "${after.id}" in ${to.questionnaire.id}`);
    }
  }
  return problems;
}
