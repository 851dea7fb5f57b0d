import path from 'node:path';
import type { Command } from 'commander';
import { commandLinePaths } from '../config.js';
import { backup, restore } from '../store/backup.js';
import { Keyring } from '../store/keyring.js';

const fileOptions = (c: Command) =>
  c
    .option('--db <file>', 'the database (default: DATABASE_PATH, else data/safeguarding.db)')
    .option('--evidence <dir>', 'the evidence folder (default: EVIDENCE_DIR, else data/evidence)')
    .option('--key-file <file>', 'the key file (default: KEY_FILE, else ~/.config/safeguarding-bot/keys.json)');

type FileOpts = { db?: string; evidence?: string; keyFile?: string };

/** `backup DIR` and `restore DIR`. */
export function addBackupCommands(program: Command, out: (s: string) => void, setExitCode: (code: number) => void): void {
  const defaults = commandLinePaths();
  const files = (o: FileOpts) => ({
    databasePath: path.resolve(o.db ?? defaults.databasePath),
    evidenceDir: path.resolve(o.evidence ?? defaults.evidenceDir),
    keys: Keyring.load(o.keyFile ?? defaults.keyFile),
  });

  fileOptions(
    program
      .command('backup')
      .description('a consistent copy while the bot runs: the database (SQLite online backup), the evidence files, a manifest of hashes; NOT the key file (keep it apart)')
      .argument('<dir>', 'a new, empty folder for this backup'),
  ).action(async (dir: string, o: FileOpts) => {
    const { manifest, check } = await backup({ dir, ...files(o) });
    const figures = `${manifest.audit.entries} audit entries, ${manifest.evidence.length} evidence files, head ${manifest.audit.head ? `${manifest.audit.head.seq}:${manifest.audit.head.hash}` : 'none'}`;
    if (check.ok) out(`OK: backed up ${manifest.source} to ${path.resolve(dir)} (${figures}); the copy's audit log verifies. Keep the key file apart from it.`);
    else {
      out(`WARNING: backed up ${manifest.source} to ${path.resolve(dir)} (${figures}), but the copy's audit log has problems; run "audit verify" on the database:`);
      for (const p of check.chain.problems) out(`  - entry ${p.seq}: ${p.problem}`);
      for (const c of check.content) out(`  - ${c.where}: ${c.problem}`);
      setExitCode(2);
    }
  });

  fileOptions(
    program
      .command('restore')
      .description('checks a backup (manifest hashes, audit chain, report text and evidence) and only then puts it in place; never over an existing database')
      .argument('<dir>', 'the backup folder (with manifest.json)'),
  ).action(async (dir: string, o: FileOpts) => {
    const target = files(o);
    const manifest = await restore({ dir, ...target });
    out(`OK: restored the backup of ${manifest.createdAt} to ${target.databasePath} and ${target.evidenceDir} (${manifest.audit.entries} audit entries, ${manifest.evidence.length} evidence files; manifest and audit log checked)`);
  });
}
