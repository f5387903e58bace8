/**
 * Builds the Microsoft Teams app package (dist/teams/msq-bot-teams.zip) from appPackage/.
 *
 *   MicrosoftAppId=<bot app id> BOT_DOMAIN=<host> npm run teams:package   (values may also come from .env)
 *
 * The placeholders {{MicrosoftAppId}} and {{BOT_DOMAIN}} in appPackage/*.json are replaced, the result is validated
 * offline against the official JSON schemas shipped in @microsoft/app-manifest (no network fetch of `$schema`),
 * and manifest.json, the icons and the localization files are zipped at the zip root, as Teams expects.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { config as loadDotenv } from 'dotenv';
import JSZip from 'jszip';
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------------------------
// Settings (environment)
// ---------------------------------------------------------------------------------------------------------------

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
/** DNS host name with at least one dot, e.g. msq-bot.azurewebsites.net (no scheme, port or path). */
const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** What is wrong with a BOT_DOMAIN value (the first problem only), or null. */
function domainProblem(v: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return 'must be a host name without a scheme (drop "https://")';
  if (/[/?#]/.test(v)) return 'must be a host name without a path';
  if (/:\d*$/.test(v)) return 'must be a host name without a port';
  if (!HOST.test(v)) return 'must be a host name such as msq-bot.azurewebsites.net';
  return null;
}

const required = (iss: { input?: unknown }) => (iss.input === undefined ? 'is missing' : 'must be a string');

export const teamsEnvSchema = z.object({
  MicrosoftAppId: z
    .string({ error: required })
    .trim()
    .min(1, 'is empty')
    .regex(GUID, 'must be a GUID such as 00000000-0000-0000-0000-000000000000 (the bot’s Microsoft App ID)'),
  BOT_DOMAIN: z
    .string({ error: required })
    .trim()
    .min(1, 'is empty')
    .transform((v) => v.toLowerCase())
    .superRefine((v, ctx) => {
      const problem = domainProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
});

export interface TeamsPackageOptions {
  /** The bot's Microsoft App ID (Azure Bot resource); also used as the Teams app id. */
  appId: string;
  /** Public host name of the bot's web app, without scheme, e.g. msq-bot.azurewebsites.net. */
  domain: string;
  /** Folder holding the manifest template, localization files and icons (default: <repo>/appPackage). */
  appPackageDir?: string;
}

/** A problem with the inputs or the package contents; `message` is a single line, `details` has one entry per problem. */
export class TeamsPackageError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'TeamsPackageError';
  }
}

/** Parses the two settings; throws a TeamsPackageError whose message is one line naming the bad variable(s). */
export function parseTeamsEnv(env: Record<string, string | undefined>): { appId: string; domain: string } {
  const result = teamsEnvSchema.safeParse({ MicrosoftAppId: env.MicrosoftAppId, BOT_DOMAIN: env.BOT_DOMAIN });
  if (!result.success) {
    // First problem per variable only ("is empty" makes "must be a GUID" noise).
    const first = new Map<string, string>();
    for (const issue of result.error.issues) {
      const name = issue.path.join('.');
      if (!first.has(name)) first.set(name, `${name} ${issue.message}`);
    }
    const problems = [...first.values()];
    throw new TeamsPackageError(problems.join('; '), problems);
  }
  return { appId: result.data.MicrosoftAppId, domain: result.data.BOT_DOMAIN };
}

// ---------------------------------------------------------------------------------------------------------------
// Official schemas (shipped in @microsoft/app-manifest) and validation
// ---------------------------------------------------------------------------------------------------------------

export type SchemaKind = 'manifest' | 'localization';

const SCHEMA_FILE: Record<SchemaKind, string> = {
  manifest: 'MicrosoftTeams.schema.json',
  localization: 'MicrosoftTeams.Localization.schema.json',
};

/** The official URL of a schema, as `$schema` should give it. */
export function officialSchemaUrl(kind: SchemaKind, manifestVersion: string): string {
  return `https://developer.microsoft.com/json-schemas/teams/v${manifestVersion}/${SCHEMA_FILE[kind]}`;
}

function schemaDir(): string {
  return path.join(path.dirname(require.resolve('@microsoft/app-manifest')), 'json-schemas', 'teams');
}

/** Manifest versions whose schemas are shipped (numbered ones only; devPreview is not for production). */
export function shippedManifestVersions(): string[] {
  return fs
    .readdirSync(schemaDir())
    .filter((d) => /^v1\.\d+$/.test(d))
    .map((d) => d.slice(1))
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
}

/** The official schema of a manifest version, read from @microsoft/app-manifest (never fetched). */
export function loadOfficialSchema(kind: SchemaKind, manifestVersion: string): Record<string, unknown> {
  if (!/^1\.\d+$/.test(manifestVersion)) throw new TeamsPackageError(`manifestVersion "${manifestVersion}" is not a numbered version such as 1.30`);
  const file = path.join(schemaDir(), `v${manifestVersion}`, SCHEMA_FILE[kind]);
  if (!fs.existsSync(file)) {
    throw new TeamsPackageError(`no ${kind} schema for manifestVersion ${manifestVersion} in @microsoft/app-manifest (shipped: ${shippedManifestVersions().join(', ')})`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

const validators = new Map<string, ValidateFunction>();

function validatorFor(kind: SchemaKind, manifestVersion: string): ValidateFunction {
  const key = `${kind}@${manifestVersion}`;
  let validate = validators.get(key);
  if (!validate) {
    // The schemas declare draft-04 but use no draft-04-only keywords (no boolean exclusiveMinimum/Maximum, no `id`),
    // so Ajv's default dialect validates them identically once the draft-04 `$schema` marker is dropped.
    // unicodeRegExp is off because some official patterns (e.g. `…\b]\.description$`) are invalid with the `u` flag.
    const { $schema: _dialect, ...schema } = loadOfficialSchema(kind, manifestVersion);
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false, validateSchema: false });
    addFormats(ajv);
    validate = ajv.compile(schema);
    validators.set(key, validate);
  }
  return validate;
}

export interface ValidationResult {
  valid: boolean;
  /** One readable line per problem, e.g. `/bots/0 must have required property 'botId'`. */
  errors: string[];
}

function formatAjvError(e: ErrorObject): string {
  const where = e.instancePath || '/';
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') return `${where} has unknown property "${String(params.additionalProperty)}"`;
  if (e.keyword === 'enum') return `${where} ${e.message} (${JSON.stringify(params.allowedValues)})`;
  return `${where} ${e.message}`;
}

function checkSchemaUrl(doc: Record<string, unknown>, kind: SchemaKind, manifestVersion: string): string[] {
  if (doc.$schema === undefined) return [];
  const expected = officialSchemaUrl(kind, manifestVersion);
  const accepted = [expected, expected.replace('developer.microsoft.com/', 'developer.microsoft.com/en-us/')];
  return accepted.includes(String(doc.$schema)) ? [] : [`/$schema should be ${expected} (manifestVersion ${manifestVersion})`];
}

function validateAgainst(kind: SchemaKind, doc: unknown, manifestVersion: string): ValidationResult {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { valid: false, errors: ['/ must be a JSON object'] };
  let validate: ValidateFunction;
  try {
    validate = validatorFor(kind, manifestVersion);
  } catch (e) {
    return { valid: false, errors: [`/manifestVersion: ${(e as Error).message}`] };
  }
  const errors = validate(doc) ? [] : (validate.errors ?? []).map(formatAjvError);
  errors.push(...checkSchemaUrl(doc as Record<string, unknown>, kind, manifestVersion));
  return { valid: errors.length === 0, errors };
}

/** Validates a manifest against the official schema of its own `manifestVersion` (and checks `$schema` matches it). */
export function validateManifest(manifest: unknown): ValidationResult {
  const version = (manifest as { manifestVersion?: unknown } | null)?.manifestVersion;
  if (typeof version !== 'string') return { valid: false, errors: ['/ must have required property \'manifestVersion\' (a string such as "1.30")'] };
  return validateAgainst('manifest', manifest, version);
}

/** Validates a localization file against the official localization schema of the manifest's version. */
export function validateLocalization(localization: unknown, manifestVersion: string): ValidationResult {
  return validateAgainst('localization', localization, manifestVersion);
}

// ---------------------------------------------------------------------------------------------------------------
// Package
// ---------------------------------------------------------------------------------------------------------------

/** The repository root: the nearest folder above this file holding appPackage/manifest.json (works from dist/ too). */
export function repoRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'appPackage', 'manifest.json'))) return dir;
    if (path.dirname(dir) === dir) throw new TeamsPackageError(`appPackage/manifest.json not found above ${from}`);
  }
}

export const defaultAppPackageDir = (): string => path.join(repoRoot(), 'appPackage');
export const defaultOutFile = (): string => path.join(repoRoot(), 'dist', 'teams', 'msq-bot-teams.zip');

/** Replaces {{MicrosoftAppId}} and {{BOT_DOMAIN}}; any other `{{…}}` left over is an error. */
export function substitutePlaceholders(text: string, values: { appId: string; domain: string }, file = 'template'): string {
  const out = text.replaceAll('{{MicrosoftAppId}}', values.appId).replaceAll('{{BOT_DOMAIN}}', values.domain);
  const left = [...new Set(out.match(/\{\{[^}]*\}\}/g) ?? [])];
  if (left.length) throw new TeamsPackageError(`${file} has unknown placeholder(s) ${left.join(', ')}`);
  return out;
}

function readJsonTemplate(dir: string, file: string, values: { appId: string; domain: string }): Record<string, unknown> {
  const full = path.join(dir, file);
  if (!fs.existsSync(full)) throw new TeamsPackageError(`${file} not found in ${dir}`);
  const text = substitutePlaceholders(fs.readFileSync(full, 'utf8'), values, file);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new TeamsPackageError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  /** 2 = RGB, 6 = RGBA, 3 = palette, 0 = grey, 4 = grey + alpha. */
  colourType: number;
}

/** Width, height and colour type from a PNG's IHDR chunk; null when the bytes are not a PNG. */
export function readPngHeader(png: Buffer): PngInfo | null {
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  if (png.length < 33 || !png.subarray(0, 8).equals(signature) || png.toString('ascii', 12, 16) !== 'IHDR') return null;
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), bitDepth: png[24], colourType: png[25] };
}

function checkIcon(name: string, png: Buffer, size: number, needsAlpha: boolean): string[] {
  const info = readPngHeader(png);
  if (!info) return [`${name} is not a PNG file`];
  const errors: string[] = [];
  if (info.width !== size || info.height !== size) errors.push(`${name} is ${info.width}×${info.height}, Teams requires ${size}×${size}`);
  if (needsAlpha && info.colourType !== 6 && info.colourType !== 4) errors.push(`${name} needs a transparent background (PNG with alpha)`);
  return errors;
}

/** Localization keys that point at a bot command must point at one that exists in the manifest. */
function checkLocalizationTargets(file: string, localization: Record<string, unknown>, manifest: Record<string, unknown>): string[] {
  const bots = (manifest.bots ?? []) as Array<{ commandLists?: Array<{ commands?: unknown[] }> }>;
  const errors: string[] = [];
  for (const key of Object.keys(localization)) {
    const m = /^bots\[(\d+)\]\.commandLists\[(\d+)\]\.commands\[(\d+)\]\./.exec(key);
    if (m && !bots[+m[1]]?.commandLists?.[+m[2]]?.commands?.[+m[3]]) errors.push(`${file}: "${key}" has no matching command in manifest.json`);
  }
  return errors;
}

/** A fixed timestamp so the same inputs give a byte-identical zip. */
const ZIP_DATE = new Date(Date.UTC(2022, 0, 1));

/**
 * Builds the Teams app package: substitutes the placeholders, validates manifest and localization files against the
 * official schemas, checks the icons, and returns the zip (manifest.json, color.png, outline.png, localization files).
 */
export async function buildTeamsPackage(options: TeamsPackageOptions): Promise<Buffer> {
  const values = parseTeamsEnv({ MicrosoftAppId: options.appId, BOT_DOMAIN: options.domain });
  const dir = options.appPackageDir ?? defaultAppPackageDir();
  const manifest = readJsonTemplate(dir, 'manifest.json', values);
  const problems = validateManifest(manifest).errors.map((e) => `manifest.json: ${e}`);
  const version = String(manifest.manifestVersion);

  const files = new Map<string, Buffer>();
  files.set('manifest.json', Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));

  const localizationInfo = (manifest.localizationInfo ?? {}) as { defaultLanguageFile?: string; additionalLanguages?: Array<{ file: string }> };
  const localizationFiles = [localizationInfo.defaultLanguageFile, ...(localizationInfo.additionalLanguages ?? []).map((l) => l.file)].filter(
    (f): f is string => typeof f === 'string',
  );
  for (const file of localizationFiles) {
    if (path.basename(file) !== file) {
      problems.push(`manifest.json: localization file "${file}" must be at the package root`);
      continue;
    }
    const localization = readJsonTemplate(dir, file, values);
    problems.push(...validateLocalization(localization, version).errors.map((e) => `${file}: ${e}`));
    problems.push(...checkLocalizationTargets(file, localization, manifest));
    files.set(file, Buffer.from(JSON.stringify(localization, null, 2) + '\n'));
  }

  const icons = (manifest.icons ?? {}) as { color?: string; outline?: string };
  for (const [kind, size, alpha] of [['color', 192, false], ['outline', 32, true]] as const) {
    const file = icons[kind];
    if (typeof file !== 'string') continue; // already reported by the schema
    if (path.basename(file) !== file) {
      problems.push(`manifest.json: icon "${file}" must be at the package root`);
      continue;
    }
    const full = path.join(dir, file);
    if (!fs.existsSync(full)) {
      problems.push(`${file} not found in ${dir}`);
      continue;
    }
    const png = fs.readFileSync(full);
    problems.push(...checkIcon(file, png, size, alpha));
    files.set(file, png);
  }

  if (problems.length) throw new TeamsPackageError(`the Teams package is invalid (${problems.length} problem${problems.length > 1 ? 's' : ''})`, problems);

  const zip = new JSZip();
  for (const [name, data] of files) zip.file(name, data, { date: ZIP_DATE });
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 }, platform: 'UNIX' });
}

// ---------------------------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------------------------

export interface MainOptions {
  outFile?: string;
  appPackageDir?: string;
  log?: (line: string) => void;
  error?: (line: string) => void;
}

/** Runs the CLI with the given environment; returns the exit code. Problems are printed without stack traces. */
export async function main(env: Record<string, string | undefined> = process.env, options: MainOptions = {}): Promise<number> {
  const log = options.log ?? ((line: string) => console.log(line));
  const error = options.error ?? ((line: string) => console.error(line));
  try {
    const { appId, domain } = parseTeamsEnv(env);
    const zip = await buildTeamsPackage({ appId, domain, appPackageDir: options.appPackageDir });
    const outFile = options.outFile ?? defaultOutFile();
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, zip);
    log(path.relative(process.cwd(), outFile) || outFile);
    return 0;
  } catch (e) {
    if (e instanceof TeamsPackageError && e.details.length > 0 && !e.message.includes(e.details[0])) {
      error(`teams:package: ${e.message}:`);
      for (const d of e.details) error(`  ${d}`);
    } else {
      error(`teams:package: ${e instanceof Error ? e.message : String(e)}`);
    }
    return 1;
  }
}

if (require.main === module) {
  // dotenv 17 logs a banner unless told to be quiet; variables already set in the environment win over .env.
  loadDotenv({ quiet: true });
  void main(process.env).then((code) => {
    process.exitCode = code;
  });
}
