import { createHash } from 'node:crypto';
import { DomainError } from './errors.js';

export const acceptedMediaTypes = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'] as const;
export type EvidenceMediaType = (typeof acceptedMediaTypes)[number];

export interface EvidenceLimits {
  maxBytes: number;
  maxFilesPerReport: number;
}

const startsWith = (bytes: Uint8Array, signature: number[], offset = 0) =>
  bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The file's type from its first bytes, whatever its name says; undefined if not one we accept. */
export function sniffMediaType(bytes: Uint8Array): EvidenceMediaType | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(bytes, ascii('%PDF-'))) return 'application/pdf';
  return undefined;
}

export interface CheckedEvidence {
  sha256: string;
  size: number;
  mediaType: EvidenceMediaType;
}

/** Checks a file by its content and size, and hashes it. */
export function checkEvidence(bytes: Uint8Array, limits: EvidenceLimits): CheckedEvidence {
  if (bytes.length === 0) throw new DomainError('EVIDENCE_TYPE', 'the file is empty');
  if (bytes.length > limits.maxBytes)
    throw new DomainError('EVIDENCE_TOO_LARGE', `the file is ${bytes.length} bytes; the limit is ${limits.maxBytes}`);
  const mediaType = sniffMediaType(bytes);
  if (!mediaType) throw new DomainError('EVIDENCE_TYPE', 'only PNG, JPEG, GIF, WebP and PDF files are accepted');
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, mediaType };
}
