import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import JSZip from 'jszip';
import {
  buildTeamsPackage,
  main,
  officialSchemaUrl,
  parseTeamsEnv,
  readPngHeader,
  substitutePlaceholders,
  TeamsPackageError,
  validateLocalization,
  validateManifest,
} from '../../scripts/teams-package';
import { loadDefinition } from '../../dialogs';
import { DOCUMENT_LINK_MINUTES } from '../../src/admin/documentLinks';
import { parseCommand } from '../../src/interview/parse/command';

const ROOT = path.resolve(__dirname, '..', '..');
const APP_PACKAGE = path.join(ROOT, 'appPackage');
const APP_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const DOMAIN = 'msq-bot.azurewebsites.net';
const VALUES = { appId: APP_ID, domain: DOMAIN };

type Json = Record<string, any>;

const template = (file: string): string => fs.readFileSync(path.join(APP_PACKAGE, file), 'utf8');
const filled = (file: string): Json => JSON.parse(substitutePlaceholders(template(file), VALUES, file)) as Json;
const clone = <T>(v: T): T => structuredClone(v);

/** Decodes an 8-bit RGB/RGBA non-interlaced PNG into rows of bytes (enough for the icons). */
function decodePng(png: Buffer): { width: number; height: number; channels: number; pixels: Buffer } {
  const info = readPngHeader(png);
  if (!info) throw new Error('not a PNG');
  const channels = { 2: 3, 6: 4 }[info.colourType as 2 | 6];
  if (!channels || info.bitDepth !== 8) throw new Error(`unsupported PNG (colour type ${info.colourType}, depth ${info.bitDepth})`);
  const idat: Buffer[] = [];
  for (let o = 8; o < png.length; ) {
    const len = png.readUInt32BE(o);
    const type = png.toString('ascii', o + 4, o + 8);
    if (type === 'IDAT') idat.push(png.subarray(o + 8, o + 8 + len));
    o += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = info.width * channels;
  const pixels = Buffer.alloc(stride * info.height);
  for (let y = 0; y < info.height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][filter];
      pixels[y * stride + x] = (v + pred) & 0xff;
    }
  }
  return { width: info.width, height: info.height, channels, pixels };
}

describe('manifest template', () => {
  const manifest = filled('manifest.json');

  it('validates against the official schema of its manifestVersion once the placeholders are filled in', () => {
    expect(validateManifest(manifest)).toEqual({ valid: true, errors: [] });
    expect(manifest.$schema).toBe(officialSchemaUrl('manifest', manifest.manifestVersion));
  });

  it('is a personal-scope conversational bot with the commands a respondent needs (Teams shows at most 10)', () => {
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots).toHaveLength(1);
    const bot = manifest.bots[0];
    expect(bot).toMatchObject({ botId: APP_ID, scopes: ['personal'], supportsFiles: false, isNotificationOnly: false });
    expect(bot.commandLists).toEqual([{ scopes: ['personal'], commands: expect.any(Array) }]);
    expect(bot.commandLists[0].commands.map((c: Json) => c.title)).toEqual(['help', 'review', 'progress', 'edit', 'skip', 'link', 'copy', 'submit', 'language', 'delete my answers']);
    expect(bot.commandLists[0].commands.length).toBeLessThanOrEqual(10);
    // The copy command's description gives the links' real lifetime.
    expect(bot.commandLists[0].commands.find((c: Json) => c.title === 'copy').description).toContain(`${DOCUMENT_LINK_MINUTES} minutes`);
    expect(manifest.validDomains).toEqual([DOMAIN]);
    expect(manifest.developer).toMatchObject({ websiteUrl: `https://${DOMAIN}/`, privacyUrl: `https://${DOMAIN}/privacy`, termsOfUseUrl: `https://${DOMAIN}/terms` });
    expect(manifest.localizationInfo).toEqual({ defaultLanguageTag: 'en', additionalLanguages: [{ languageTag: 'es', file: 'es.json' }] });
  });

  it('keeps placeholders only where they belong', () => {
    const text = template('manifest.json');
    expect([...new Set(text.match(/\{\{\w+\}\}/g))].sort()).toEqual(['{{BOT_DOMAIN}}', '{{MicrosoftAppId}}']);
    expect(() => substitutePlaceholders('{"x": "{{OTHER}}"}', VALUES, 'x.json')).toThrow(/x\.json has unknown placeholder\(s\) \{\{OTHER\}\}/);
  });

  it.each<[string, (m: Json) => void, RegExp]>([
    ['bots[0].botId is missing', (m) => delete m.bots[0].botId, /\/bots\/0 must have required property 'botId'/],
    ['the app id is not a GUID', (m) => (m.id = 'msq-bot'), /^\/id must match pattern/],
    ['the bot id is not a GUID', (m) => (m.bots[0].botId = '{{MicrosoftAppId}}'), /^\/bots\/0\/botId must match pattern/],
    ['a property is unknown', (m) => (m.bots[0].supportsFile = false), /\/bots\/0 has unknown property "supportsFile"/],
    ['a scope is not allowed', (m) => (m.bots[0].scopes = ['personal', 'everyone']), /\/bots\/0\/scopes\/1 must be equal to one of the allowed values/],
    ['name.short is longer than 30', (m) => (m.name.short = 'M'.repeat(31)), /^\/name\/short must NOT have more than 30 characters/],
    ['the icons are missing', (m) => delete m.icons, /must have required property 'icons'/],
    ['$schema does not match manifestVersion', (m) => (m.$schema = officialSchemaUrl('manifest', '1.19')), /\/\$schema should be .*v1\.\d+\/MicrosoftTeams\.schema\.json/],
    ['manifestVersion has no shipped schema', (m) => (m.manifestVersion = '1.999'), /no manifest schema for manifestVersion 1\.999/],
    ['manifestVersion is missing', (m) => delete m.manifestVersion, /manifestVersion/],
  ])('fails validation when %s', (_label, breakIt, error) => {
    const broken = clone(manifest);
    breakIt(broken);
    const result = validateManifest(broken);
    expect(result.valid).toBe(false);
    expect(result.errors.some((e) => error.test(e))).toBe(true);
  });
});

describe('Spanish localization file', () => {
  const manifest = filled('manifest.json');
  const es = filled('es.json');

  it('validates against the official localization schema of the same version', () => {
    expect(validateLocalization(es, manifest.manifestVersion)).toEqual({ valid: true, errors: [] });
    expect(es.$schema).toBe(officialSchemaUrl('localization', manifest.manifestVersion));
  });

  it('translates the name, the descriptions and every command', () => {
    expect(es['name.full']).toBe('Cuestionario para los Estados Miembros — Encuesta de las Naciones Unidas sobre Gobierno Electrónico');
    for (const key of ['name.short', 'description.short', 'description.full']) expect(es[key]).toEqual(expect.any(String));
    expect(es['description.full']).not.toBe(manifest.description.full);
    manifest.bots[0].commandLists[0].commands.forEach((_: unknown, i: number) => {
      for (const field of ['title', 'description']) expect(es[`bots[0].commandLists[0].commands[${i}].${field}`]).toEqual(expect.any(String));
    });
    const keys = Object.keys(es).filter((k) => k.startsWith('bots['));
    expect(keys).toHaveLength(manifest.bots[0].commandLists[0].commands.length * 2);
  });

  it('gives command titles the bot understands, meaning the same in both languages', () => {
    const def = loadDefinition();
    const commands: Json[] = manifest.bots[0].commandLists[0].commands;
    const expected = ['HELP', 'REVIEW', 'PROGRESS', 'EDIT', 'SKIP', 'LINK', 'COPY', 'SUBMIT', 'LANGUAGE', 'ERASE'];
    expect(commands.map((c) => parseCommand(def, c.title)?.type)).toEqual(expected);
    expect(commands.map((_, i) => parseCommand(def, es[`bots[0].commandLists[0].commands[${i}].title`])?.type)).toEqual(expected);
  });

  it.each<[string, (l: Json) => void, RegExp]>([
    ['name.short is too long', (l) => (l['name.short'] = 'B'.repeat(31)), /\/name\.short must NOT have more than 30 characters/],
    ['description.short is empty', (l) => (l['description.short'] = ''), /\/description\.short/],
    ['a key is unknown', (l) => (l['bots[0].title'] = 'x'), /has unknown property "bots\[0\]\.title"/],
  ])('fails validation when %s', (_label, breakIt, error) => {
    const broken = clone(es);
    breakIt(broken);
    const result = validateLocalization(broken, manifest.manifestVersion);
    expect(result.valid).toBe(false);
    expect(result.errors.some((e) => error.test(e))).toBe(true);
  });
});

describe('icons', () => {
  it('color.png is an opaque 192×192 image in UN blue', () => {
    const png = fs.readFileSync(path.join(APP_PACKAGE, 'color.png'));
    expect(readPngHeader(png)).toEqual({ width: 192, height: 192, bitDepth: 8, colourType: 2 });
    const { pixels } = decodePng(png);
    expect([...pixels.subarray(0, 3)]).toEqual([0x00, 0x9e, 0xdb]); // top-left corner: background
  });

  it('outline.png is a 32×32 white-on-transparent image', () => {
    const png = fs.readFileSync(path.join(APP_PACKAGE, 'outline.png'));
    expect(readPngHeader(png)).toEqual({ width: 32, height: 32, bitDepth: 8, colourType: 6 });
    const { pixels } = decodePng(png);
    const alphas: number[] = [];
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i + 3] > 0) expect([...pixels.subarray(i, i + 3)]).toEqual([255, 255, 255]);
      alphas.push(pixels[i + 3]);
    }
    expect(alphas.filter((a) => a === 0).length).toBeGreaterThan(alphas.length / 2);
    expect(alphas.filter((a) => a === 255).length).toBeGreaterThan(50);
  });
});

describe('buildTeamsPackage', () => {
  let zipBuffer: Buffer;
  let zip: JSZip;
  beforeAll(async () => {
    zipBuffer = await buildTeamsPackage(VALUES);
    zip = await JSZip.loadAsync(zipBuffer);
  });

  it('puts manifest, icons and localization at the zip root', () => {
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'es.json', 'manifest.json', 'outline.png']);
  });

  it('fills in the bot id and domain everywhere, leaving no placeholder', async () => {
    for (const name of ['manifest.json', 'es.json']) {
      const text = await zip.file(name)!.async('string');
      expect(text).not.toContain('{{');
      expect(text).not.toContain('}}');
    }
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string')) as Json;
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots[0].botId).toBe(APP_ID);
    expect(manifest.validDomains).toEqual([DOMAIN]);
    expect(manifest.developer.websiteUrl).toBe(`https://${DOMAIN}/`);
    expect(validateManifest(manifest).valid).toBe(true);
    const es = JSON.parse(await zip.file('es.json')!.async('string')) as Json;
    expect(validateLocalization(es, manifest.manifestVersion).valid).toBe(true);
  });

  it('ships the icons unchanged, with the right sizes', async () => {
    const color = await zip.file('color.png')!.async('nodebuffer');
    const outline = await zip.file('outline.png')!.async('nodebuffer');
    expect(color.equals(fs.readFileSync(path.join(APP_PACKAGE, 'color.png')))).toBe(true);
    expect(readPngHeader(color)).toMatchObject({ width: 192, height: 192 });
    expect(readPngHeader(outline)).toMatchObject({ width: 32, height: 32, colourType: 6 });
  });

  it('is reproducible: the same inputs give the same bytes', async () => {
    expect((await buildTeamsPackage(VALUES)).equals(zipBuffer)).toBe(true);
  });

  it('rejects a bad app id or domain', async () => {
    await expect(buildTeamsPackage({ appId: 'not-a-guid', domain: DOMAIN })).rejects.toThrow(/MicrosoftAppId must be a GUID/);
    await expect(buildTeamsPackage({ appId: APP_ID, domain: 'https://msq.example.org' })).rejects.toThrow(/BOT_DOMAIN must be a host name without a scheme/);
  });

  it('refuses a package whose files are wrong, naming each problem', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'msq-teams-'));
    try {
      for (const f of fs.readdirSync(APP_PACKAGE)) fs.copyFileSync(path.join(APP_PACKAGE, f), path.join(dir, f));
      fs.copyFileSync(path.join(APP_PACKAGE, 'color.png'), path.join(dir, 'outline.png'));
      const manifest = JSON.parse(template('manifest.json')) as Json;
      delete manifest.bots[0].botId;
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
      const error = await buildTeamsPackage({ ...VALUES, appPackageDir: dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TeamsPackageError);
      const details = (error as TeamsPackageError).details;
      expect(details).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^manifest\.json: \/bots\/0 must have required property 'botId'/),
          'outline.png is 192×192, Teams requires 32×32',
          'outline.png needs a transparent background (PNG with alpha)',
        ]),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CLI', () => {
  const run = async (env: Record<string, string | undefined>, outFile?: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(env, { outFile, log: (l) => out.push(l), error: (l) => err.push(l) });
    return { code, out, err };
  };

  it.each<[string, Record<string, string | undefined>, RegExp]>([
    ['MicrosoftAppId is missing', { BOT_DOMAIN: DOMAIN }, /^teams:package: MicrosoftAppId is missing$/],
    ['MicrosoftAppId is empty', { MicrosoftAppId: '  ', BOT_DOMAIN: DOMAIN }, /^teams:package: MicrosoftAppId is empty$/],
    ['MicrosoftAppId is not a GUID', { MicrosoftAppId: 'msq-bot', BOT_DOMAIN: DOMAIN }, /^teams:package: MicrosoftAppId must be a GUID/],
    ['BOT_DOMAIN is missing', { MicrosoftAppId: APP_ID }, /^teams:package: BOT_DOMAIN is missing$/],
    ['BOT_DOMAIN has a scheme', { MicrosoftAppId: APP_ID, BOT_DOMAIN: `https://${DOMAIN}` }, /^teams:package: BOT_DOMAIN must be a host name without a scheme/],
    ['BOT_DOMAIN has a path', { MicrosoftAppId: APP_ID, BOT_DOMAIN: `${DOMAIN}/api/messages` }, /^teams:package: BOT_DOMAIN must be a host name without a path/],
    ['BOT_DOMAIN is not a host name', { MicrosoftAppId: APP_ID, BOT_DOMAIN: 'msq bot' }, /^teams:package: BOT_DOMAIN must be a host name such as/],
  ])('exits 1 with one line when %s', async (_label, env, line) => {
    const { code, out, err } = await run(env, path.join(os.tmpdir(), 'never-written.zip'));
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(line);
  });

  it('names both variables on the one line when both are missing', async () => {
    const { code, err } = await run({});
    expect(code).toBe(1);
    expect(err).toEqual(['teams:package: MicrosoftAppId is missing; BOT_DOMAIN is missing']);
  });

  it('accepts surrounding blanks and an upper-case domain', () => {
    expect(parseTeamsEnv({ MicrosoftAppId: ` ${APP_ID} `, BOT_DOMAIN: ' MSQ-Bot.AzureWebsites.net ' })).toEqual(VALUES);
  });

  it('writes the zip and prints its path', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'msq-teams-'));
    try {
      const outFile = path.join(dir, 'nested', 'msq-bot-teams.zip');
      const { code, out, err } = await run({ MicrosoftAppId: APP_ID, BOT_DOMAIN: DOMAIN }, outFile);
      expect({ code, err }).toEqual({ code: 0, err: [] });
      expect(out).toHaveLength(1);
      expect(path.resolve(out[0])).toBe(outFile);
      expect(fs.readFileSync(outFile).equals(await buildTeamsPackage(VALUES))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('as a process', () => {
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    const script = path.join(ROOT, 'scripts', 'teams-package.ts');
    const spawn = (extra: Record<string, string>) => {
      const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
      delete env.MicrosoftAppId;
      delete env.BOT_DOMAIN;
      Object.assign(env, extra);
      // Run from an empty folder so that a developer's .env cannot supply the variables.
      const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'msq-teams-cli-'));
      try {
        return spawnSync(tsx, [script], { cwd, env, encoding: 'utf8', timeout: 60_000 });
      } finally {
        fs.rmSync(cwd, { recursive: true, force: true });
      }
    };

    it('exits 1 with one line, no stack trace, when MicrosoftAppId is missing', () => {
      const result = spawn({ BOT_DOMAIN: DOMAIN });
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd().split('\n')).toEqual(['teams:package: MicrosoftAppId is missing']);
    });

    it('exits 1 with one line, no stack trace, when MicrosoftAppId is not a GUID', () => {
      const result = spawn({ MicrosoftAppId: '12345', BOT_DOMAIN: DOMAIN });
      expect(result.status).toBe(1);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^teams:package: MicrosoftAppId must be a GUID/);
    });
  });
});
