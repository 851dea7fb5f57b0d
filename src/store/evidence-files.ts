import { createHash, randomUUID } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { EvidenceFiles } from '../core/ports.js';
import type { Keyring } from './keyring.js';
import { openBytes, sealBytes } from './sealed.js';

/** The associated data of an evidence file's ciphertext: its name. */
export const evidenceAad = (sha256: string) => `evidence:${sha256}`;

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Evidence files on disk, named by the SHA-256 of their plain bytes under a folder
 * (two-letter fan-out), encrypted (AES-256-GCM, see sealed.ts). A file is written once,
 * 0600 in 0700 folders, to a temporary name, synced, then linked into place; an existing
 * file is never overwritten, and nothing here deletes one. `read` decrypts and checks
 * the bytes still hash to the name. Files from before encryption are read as they are.
 */
export class DiskEvidenceFiles implements EvidenceFiles {
  constructor(
    private readonly root: string,
    private readonly keys: Keyring,
  ) {}

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a sha256');
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    if (sha256Hex(bytes) !== sha256) throw new Error('evidence bytes do not match their hash');
    const file = this.pathOf(sha256);
    await privateDir(this.root);
    await privateDir(path.dirname(file));
    const temp = path.join(path.dirname(file), `.incoming-${randomUUID()}`);
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(sealBytes(this.keys, bytes, evidenceAad(sha256)));
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await link(temp, file); // fails if the file exists: never overwritten
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // same hash: the same bytes are already kept
      }
      await syncDirectory(path.dirname(file));
    } finally {
      await rm(temp, { force: true }); // the temporary name only; the evidence stays under its hash
    }
  }

  /** The plain bytes; throws if the file was altered or replaced (they no longer hash to its name). */
  async read(sha256: string): Promise<Buffer> {
    const bytes = openBytes(this.keys, await readFile(this.pathOf(sha256)), evidenceAad(sha256));
    if (sha256Hex(bytes) !== sha256) throw new Error(`evidence file ${sha256} does not match its hash (replaced or altered)`);
    return bytes;
  }
}

/** A folder only the bot's user can open (0700), made if missing. */
async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/** Makes a new name in a folder durable (the file's own bytes were synced before). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
