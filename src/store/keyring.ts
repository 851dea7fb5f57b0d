import { hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * The bot's keys: one file (0600, in a 0700 folder) kept OUTSIDE the data folder, holding
 * versioned key material. Each version gives two separate keys by HKDF-SHA256: one for
 * the audit log's HMAC, one for AES-256-GCM encryption of report text and evidence.
 * New data uses the newest version; every older version stays readable. The file is
 * never logged; only its path is.
 */
const keyFileSchema = z.object({
  format: z.literal('safeguarding-bot keys'),
  version: z.literal(1),
  keys: z
    .array(
      z.object({
        id: z.number().int().positive(),
        createdAt: z.string(),
        secret: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes in base64'),
      }),
    )
    .min(1),
});
type KeyFile = z.infer<typeof keyFileSchema>;

export class KeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFileError';
  }
}

const derive = (secret: Buffer, purpose: string): Buffer =>
  Buffer.from(hkdfSync('sha256', secret, Buffer.from('safeguarding-bot'), Buffer.from(purpose), 32));

export class Keyring {
  private readonly audit = new Map<number, Buffer>();
  private readonly encryption = new Map<number, Buffer>();
  /** The newest key version: new entries and new ciphertext use it. */
  readonly currentId: number;

  constructor(file: KeyFile) {
    for (const k of file.keys) {
      const secret = Buffer.from(k.secret, 'base64');
      this.audit.set(k.id, derive(secret, 'audit-hmac'));
      this.encryption.set(k.id, derive(secret, 'encryption aes-256-gcm'));
    }
    this.currentId = Math.max(...file.keys.map((k) => k.id));
  }

  get ids(): number[] {
    return [...this.audit.keys()].sort((a, b) => a - b);
  }

  auditKey(id: number): Buffer | undefined {
    return this.audit.get(id);
  }

  encryptionKey(id: number): Buffer | undefined {
    return this.encryption.get(id);
  }

  /** Reads a key file; a missing or damaged one is an error that says what to do. */
  static load(file: string): Keyring {
    if (!existsSync(file)) throw new KeyFileError(`the key file ${file} does not exist (set KEY_FILE to where it is kept)`);
    return new Keyring(readKeyFile(file));
  }

  /** The first start: creates the key file when there is none. `created` says whether it did. */
  static loadOrCreate(file: string, now = new Date()): { keyring: Keyring; created: boolean } {
    if (existsSync(file)) return { keyring: Keyring.load(file), created: false };
    const content: KeyFile = { format: 'safeguarding-bot keys', version: 1, keys: [newKey(1, now)] };
    writeKeyFile(file, content, 'wx');
    return { keyring: new Keyring(content), created: true };
  }

  /** Adds a new key version to the file (the newest is used from the next start); returns its id. */
  static rotate(file: string, now = new Date()): number {
    const content = readKeyFile(file);
    const id = Math.max(...content.keys.map((k) => k.id)) + 1;
    writeKeyFile(file, { ...content, keys: [...content.keys, newKey(id, now)] }, 'replace');
    return id;
  }
}

function newKey(id: number, now: Date): KeyFile['keys'][number] {
  return { id, createdAt: now.toISOString(), secret: randomBytes(32).toString('base64') };
}

function readKeyFile(file: string): KeyFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new KeyFileError(`the key file ${file} cannot be read: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = keyFileSchema.safeParse(raw);
  if (!parsed.success) throw new KeyFileError(`the key file ${file} is damaged (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  const ids = parsed.data.keys.map((k) => k.id);
  if (new Set(ids).size !== ids.length) throw new KeyFileError(`the key file ${file} has two keys with the same id`);
  return parsed.data;
}

/** Writes the file 0600 in a 0700 folder: a new file, or a whole replacement by rename (never half written). */
function writeKeyFile(file: string, content: KeyFile, mode: 'wx' | 'replace'): void {
  const dir = path.dirname(path.resolve(file));
  ensurePrivateDir(dir);
  const target = mode === 'wx' ? file : `${file}.${process.pid}.tmp`;
  const fd = openSync(target, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(content, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (mode === 'replace') renameSync(target, file);
}

/** Makes a folder (and its parents) if missing, 0700; an existing folder of ours is tightened to 0700. */
export function ensurePrivateDir(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    chmodSync(dir, 0o700);
  } catch (err) {
    // A folder owned by someone else (e.g. made by the admin for the bot): leave its mode to them.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  }
}
