import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { wellFormedString } from '../core/well-formed.js';
import type { Keyring } from './keyring.js';

/**
 * Encryption at rest (AES-256-GCM, a fresh 96-bit nonce each time). A sealed column holds
 * `sg1:<key id>:<base64 of nonce | tag | ciphertext>`; a sealed file starts with the
 * bytes `SGE1`, then the key id (4 bytes), nonce, tag and ciphertext. The "associated
 * data" binds each ciphertext to where it belongs (e.g. `reports.form_json:<report id>`),
 * so one report's text cannot be swapped for another's unseen.
 *
 * Values written before encryption existed (plain JSON, plain text, plain files) are
 * read as they are: `isSealed` tells them apart.
 */
const textPrefix = 'sg1:';
const fileMagic = Buffer.from('SGE1', 'latin1');
const nonceBytes = 12;
const tagBytes = 16;

export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

/** Each key as OpenSSL holds it, made once (a cipher made from raw key bytes costs several times more). */
const keyObjects = new WeakMap<Buffer, KeyObject>();
function keyObject(raw: Buffer): KeyObject {
  let k = keyObjects.get(raw);
  if (!k) keyObjects.set(raw, (k = createSecretKey(raw)));
  return k;
}

function encrypt(keys: Keyring, plain: Buffer, aad: string): { id: number; body: Buffer } {
  const id = keys.currentId;
  const key = keyObject(keys.encryptionKey(id) as Buffer);
  const nonce = randomBytes(nonceBytes);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { id, body: Buffer.concat([nonce, cipher.getAuthTag(), ct]) };
}

function decrypt(keys: Keyring, id: number, body: Buffer, aad: string): Buffer {
  const raw = keys.encryptionKey(id);
  if (!raw) throw new SealError(`sealed with key ${id}, which the key file does not hold`);
  const key = keyObject(raw);
  if (body.length < nonceBytes + tagBytes) throw new SealError('sealed value is too short');
  const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, nonceBytes));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(body.subarray(nonceBytes, nonceBytes + tagBytes));
  try {
    return Buffer.concat([decipher.update(body.subarray(nonceBytes + tagBytes)), decipher.final()]);
  } catch {
    throw new SealError('sealed value does not open: altered, moved, or sealed with another key');
  }
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(textPrefix);
}

/** Encrypts text (UTF-8; a lone surrogate becomes U+FFFD, as SQLite would store it anyway). */
export function sealText(keys: Keyring, plain: string, aad: string): string {
  const { id, body } = encrypt(keys, Buffer.from(wellFormedString(plain), 'utf8'), aad);
  return `${textPrefix}${id}:${body.toString('base64')}`;
}

/** Decrypts a sealed column; a value written before encryption is returned as it is. */
export function openText(keys: Keyring, stored: string, aad: string): string {
  if (!isSealed(stored)) return stored;
  const m = /^sg1:(\d+):([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) throw new SealError('sealed value is malformed');
  return decrypt(keys, Number(m[1]), Buffer.from(m[2] as string, 'base64'), aad).toString('utf8');
}

/** JSON, sealed. Exported for the outbox payload (`outbox.payload_json`, aad e.g. `outbox.payload_json:<id>`). */
export function sealJson(keys: Keyring, value: unknown, aad = 'json'): string {
  return sealText(keys, JSON.stringify(value ?? null), aad);
}

/** Reads `sealJson`'s output, or plain JSON written before encryption. */
export function openJson<T>(keys: Keyring, stored: string, aad = 'json'): T {
  return JSON.parse(openText(keys, stored, aad)) as T;
}

export function isSealedFile(bytes: Uint8Array): boolean {
  return bytes.length >= fileMagic.length && Buffer.from(bytes.subarray(0, fileMagic.length)).equals(fileMagic);
}

export function sealBytes(keys: Keyring, plain: Uint8Array, aad: string): Buffer {
  const { id, body } = encrypt(keys, Buffer.from(plain), aad);
  const idBytes = Buffer.alloc(4);
  idBytes.writeUInt32BE(id);
  return Buffer.concat([fileMagic, idBytes, body]);
}

/** Decrypts a sealed file; a file written before encryption is returned as it is. */
export function openBytes(keys: Keyring, stored: Buffer, aad: string): Buffer {
  if (!isSealedFile(stored)) return stored;
  if (stored.length < fileMagic.length + 4) throw new SealError('sealed file is too short');
  const id = stored.readUInt32BE(fileMagic.length);
  return decrypt(keys, id, stored.subarray(fileMagic.length + 4), aad);
}
