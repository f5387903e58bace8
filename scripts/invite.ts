/**
 * Invitations from the command line, on the same store as the bot (MONGODB_URI, or the embedded store under
 * DATA_DIR — safe beside a running bot: both stores serialise writes between processes).
 *
 *   npm run invite -- --country <name or ISO code> [--email <address>] [--expires 30d] [--lead] [--sections C,D]
 *   npm run invite -- --list
 *   npm run invite -- --revoke <id>
 *
 * A new code is printed once, with the web chat link that carries it; only its hash is stored.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createInvitation, DEFAULT_EXPIRY_DAYS, invitationLink, invitationView, MAX_EXPIRY_DAYS, parseDuration } from '../src/admin/invitations';
import { sectionIdSchema } from '../dialogs/schema';
import { ConfigError, loadEnv } from '../src/config/env';
import { createStore } from '../src/store';
import type { Store } from '../src/store/port';

const USAGE = `Usage:
  npm run invite -- --country <name or ISO code> [--email <address>] [--expires 30d] [--lead] [--sections C,D]
  npm run invite -- --list
  npm run invite -- --revoke <id>

--expires takes days (30 or 30d), weeks (2w) or hours (12h); default ${DEFAULT_EXPIRY_DAYS}d, at most ${MAX_EXPIRY_DAYS}d.
Every invitation of a country adds a participant to the country's one response. --lead names the participant who
submits it (without it, the first participant to join leads); --sections assigns them sections (letters A–H), which
they are walked through first.`;

/** A mistake in the command line: printed with the usage, exit code 2. */
class UsageError extends Error {}

export async function main(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  let values: { country?: string; email?: string; expires?: string; lead?: boolean; sections?: string; list?: boolean; revoke?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        country: { type: 'string' },
        email: { type: 'string' },
        expires: { type: 'string' },
        lead: { type: 'boolean' },
        sections: { type: 'string' },
        list: { type: 'boolean' },
        revoke: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const actions = [values.country !== undefined, values.list === true, values.revoke !== undefined].filter(Boolean).length;
  if (actions !== 1) throw new UsageError('Give exactly one of --country, --list or --revoke.');

  const env = loadEnv();
  const store = createStore({ mongodbUri: env.MONGODB_URI, mongodbDb: env.MONGODB_DB, dataDir: env.DATA_DIR });
  try {
    await store.init();
    if (values.list) return await list(store, out);
    if (values.revoke !== undefined) return await revoke(store, values.revoke, out);
    const baseUrl = env.PUBLIC_URL ?? `http://localhost:${env.PORT}`;
    return await create(store, { country: values.country!, email: values.email, expires: values.expires, lead: values.lead, sections: values.sections }, baseUrl, out);
  } finally {
    await store.close();
  }
}

async function create(
  store: Store,
  args: { country: string; email?: string; expires?: string; lead?: boolean; sections?: string },
  baseUrl: string,
  out: (line: string) => void,
): Promise<number> {
  const validForMs = args.expires === undefined ? undefined : parseDuration(args.expires);
  if (validForMs === null) throw new UsageError(`--expires ${args.expires}: give days (30d), weeks (2w) or hours (12h), up to ${MAX_EXPIRY_DAYS} days.`);
  if (args.email !== undefined && !z.email().safeParse(args.email.trim()).success) throw new UsageError(`--email ${args.email}: not an email address.`);
  const sections = args.sections === undefined ? undefined : parseSections(args.sections);
  if (sections === null) throw new UsageError(`--sections ${args.sections}: give section letters A to H separated by commas (e.g. C,D).`);
  const made = await createInvitation(store, { country: args.country, email: args.email, ...(validForMs ? { validForMs } : {}), ...(args.lead ? { lead: true } : {}), ...(sections ? { sections } : {}) });
  if (!made.ok) {
    out(`"${args.country}" is not a UN Member State (give its English or Spanish name, or its ISO alpha-3 code, e.g. PRY).`);
    return 1;
  }
  const { invitation, code } = made;
  out(`Invitation for ${invitation.country.name} (${invitation.country.code}), valid until ${invitation.expiresAt.toISOString()}`);
  out(`  id:    ${invitation.id}`);
  if (invitation.email) out(`  email: ${invitation.email}`);
  if (invitation.lead) out('  lead:  yes (submits the country\'s response)');
  if (invitation.sections) out(`  sections: ${invitation.sections.join(', ')}`);
  out(`  code:  ${code}`);
  out(`  link:  ${invitationLink(baseUrl, code)}`);
  out('The code is shown only now (it is stored hashed). Send the link, or the code for Microsoft Teams, to the respondent.');
  return 0;
}

/** Section letters such as `C,D` or `c d`, upper-cased and unique; null when one is not a section. */
function parseSections(text: string): string[] | null {
  const letters = text.split(/[\s,;]+/).filter(Boolean).map((l) => l.toUpperCase());
  if (letters.length === 0 || letters.some((l) => !sectionIdSchema.safeParse(l).success || l === 'RESPONDENT')) return null;
  return [...new Set(letters)];
}

async function list(store: Store, out: (line: string) => void): Promise<number> {
  const now = new Date();
  const all = await store.listInvitations();
  if (all.length === 0) {
    out('No invitations yet.');
    return 0;
  }
  const rows = all.map((i) => {
    const view = invitationView(i, now);
    return [view.id, `${view.country.code} ${view.country.name}`, view.state, view.expiresAt.slice(0, 10), view.email ?? '', view.lead ? 'lead' : '', (view.sections ?? []).join(','), view.usedBy?.respondentKey ?? ''];
  });
  const header = ['id', 'country', 'state', 'expires', 'email', 'role', 'sections', 'used by'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  for (const row of [header, ...rows]) out(row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
  return 0;
}

async function revoke(store: Store, id: string, out: (line: string) => void): Promise<number> {
  const revoked = await store.revokeInvitation(id.trim(), new Date());
  if (!revoked) {
    out(`No invitation has the id ${id} (see npm run invite -- --list).`);
    return 1;
  }
  out(`Revoked the invitation ${revoked.id} for ${revoked.country.name}; its code no longer works.`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        console.error(`${error.message}\n\n${USAGE}`);
        process.exitCode = 2;
      } else if (error instanceof ConfigError) {
        console.error(error.message);
        process.exitCode = 2;
      } else {
        console.error(`The invitation could not be made: ${(error as Error)?.message ?? String(error)}`);
        process.exitCode = 1;
      }
    },
  );
}
