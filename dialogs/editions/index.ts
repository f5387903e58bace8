/**
 * Editions of the questionnaire, and the maps between them (`<from>--<to>.json` in this folder), so that the
 * answers of a previous round can be carried into the current one (src/carryForward/).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { msq2022 } from '../index';
import type { QuestionnaireInput } from '../schema';
import { editionMapSchema, type EditionMap } from './schema';

/** Every edition the bot knows, by id: the current one and those a previous round may have been answered in. */
export const knownEditions: Readonly<Record<string, QuestionnaireInput>> = {
  [msq2022.id]: msq2022,
};

/** This folder, beside the sources or beside `dist/dialogs/editions` (JSON files are not compiled). */
export const editionMapsDir: string =
  [__dirname, join(__dirname, '../../../dialogs/editions')].find((dir) => {
    try {
      return readdirSync(dir).includes('schema.ts') || readdirSync(dir).some(isMapFile);
    } catch {
      return false;
    }
  }) ?? __dirname;

/** Thrown for a map file that is not valid JSON or does not pass its schema; the message names the file. */
export class EditionMapError extends Error {}

/** Every map file of a folder, parsed and validated (not yet checked against the editions: see checkEditionMap). */
export function loadEditionMaps(dir: string = editionMapsDir): EditionMap[] {
  return readdirSync(dir)
    .filter(isMapFile)
    .sort()
    .map((file) => {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      } catch (error) {
        throw new EditionMapError(`${file}: not valid JSON (${(error as Error).message})`);
      }
      const parsed = editionMapSchema.safeParse(raw);
      if (!parsed.success) {
        throw new EditionMapError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`);
      }
      const expected = `${parsed.data.from}--${parsed.data.to}.json`;
      if (file !== expected) throw new EditionMapError(`${file}: a map from ${parsed.data.from} to ${parsed.data.to} must be named ${expected}`);
      return parsed.data;
    });
}

const isMapFile = (file: string): boolean => /^[a-z0-9-]+--[a-z0-9-]+\.json$/.test(file);
