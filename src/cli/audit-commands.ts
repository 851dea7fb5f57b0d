import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { commandLinePaths } from '../config.js';
import { openExistingDatabase } from '../store/database.js';
import { verifyAll } from '../store/audit-verify.js';
import { Keyring } from '../store/keyring.js';

/** `--head SEQ:HASH`, as the checkpoint message and `audit verify` print it. */
function parseHead(value: string): { seq: number; hash: string } {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(value.trim());
  if (!m) throw new Error(`--head: give the entry and hash as printed, like 42:${'0'.repeat(8)}… (SEQ:HASH with a 64-digit hex hash)`);
  return { seq: Number(m[1]), hash: m[2] as string };
}

/** `audit verify` and `keys rotate`. */
export function addAuditCommands(program: Command, out: (s: string) => void, setExitCode: (code: number) => void): void {
  const defaults = commandLinePaths();
  const audit = program.command('audit').description('the audit log');
  audit
    .command('verify')
    .description('check the audit log (keyed hash chain, report text, reasons and evidence files); lists every problem')
    .option('--db <file>', 'the database (default: DATABASE_PATH, else data/safeguarding.db)')
    .option('--evidence <dir>', 'the evidence folder (default: EVIDENCE_DIR, else data/evidence)')
    .option('--key-file <file>', 'the key file (default: KEY_FILE, else ~/.config/safeguarding-bot/keys.json)')
    .option('--head <seq:hash>', 'a head kept outside the database (a checkpoint message): the log must still hold it')
    .action(async (opts: { db?: string; evidence?: string; keyFile?: string; head?: string }) => {
      const file = path.resolve(opts.db ?? defaults.databasePath);
      const anchor = opts.head === undefined ? undefined : parseHead(opts.head);
      const keyFile = opts.keyFile ?? defaults.keyFile;
      const keys = Keyring.load(keyFile);
      const db = openExistingDatabase(file);
      try {
        const evidenceDir = opts.evidence ?? defaults.evidenceDir;
        const check = await verifyAll(db, keys, evidenceDir, anchor, { keyFile });
        const problems = [
          ...check.chain.problems.map((p) => (p.seq > 0 ? `entry ${p.seq}: ${p.problem}` : p.problem)),
          ...check.content.map((c) => `${c.where}: ${c.problem}`),
        ];
        const figures = `${check.chain.count} entries, ${check.evidenceChecked} evidence files re-hashed${anchor ? `, anchored at entry ${anchor.seq}` : ''}`;
        if (problems.length === 0) out(`OK: the audit log of ${file} verifies (${figures})`);
        else {
          out(`BROKEN: the audit log of ${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'} (${figures}):`);
          for (const p of problems) out(`  - ${p}`);
          setExitCode(2);
        }
        if (check.evidenceChecked > 0 && !existsSync(evidenceDir)) out(`Hint: the evidence folder ${path.resolve(evidenceDir)} does not exist; give --evidence (the sandbox's is data/sandbox-evidence).`);
        if (check.disposed.length > 0)
          out(`Disposed: ${check.disposed.length} case${check.disposed.length === 1 ? '' : 's'} (${check.disposed.map((d) => `${d.reference}: ${d.entries} entries`).join(', ')}) were disposed of under the retention rules; their entries stay, the content they hash is gone by design (not tampering).`);
        if (check.chain.unkeyed > 0) out(`Note: entries 1–${check.chain.unkeyed} were written before the log was keyed (plain SHA-256, sealed by "audit.keyed").`);
        const head = check.chain.head;
        if (head) out(`Head: ${head.seq}:${head.hash} (keep it outside the database; "audit verify --head ${head.seq}:${head.hash}" checks the log still holds it)`);
      } finally {
        db.close();
      }
    });

  const keys = program.command('keys').description('the key file (encryption and audit keys)');
  keys
    .command('rotate')
    .description('add a new key version: new data uses it from the next start; older versions stay to read older data')
    .option('--key-file <file>', 'the key file (default: KEY_FILE, else ~/.config/safeguarding-bot/keys.json)')
    .action((opts: { keyFile?: string }) => {
      const file = path.resolve(opts.keyFile ?? defaults.keyFile);
      const id = Keyring.rotate(file);
      out(`OK: key ${id} added to ${file}; restart the bot to use it, and back up the key file again (keep every older key: older data needs them)`);
    });
}
