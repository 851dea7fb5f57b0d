import { DomainError } from '../core/errors.js';

/**
 * Fetches an evidence file from a chat platform, reading no more than `maxBytes`: a
 * larger file is refused as it arrives, never held in memory whole. With a bearer token
 * redirects are not followed, so the token cannot be carried to another host.
 */
export async function downloadLimited(url: URL, opts: { token?: string | undefined; maxBytes: number }): Promise<Uint8Array> {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DomainError('EVIDENCE_TYPE', 'unsupported address');
  const res = await fetch(url, {
    headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
    redirect: opts.token ? 'manual' : 'follow',
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok || !res.body) throw new Error(`download failed with HTTP ${res.status}`);
  const tooLarge = () => new DomainError('EVIDENCE_TOO_LARGE', 'the file is too large');
  if (Number(res.headers.get('content-length') ?? '0') > opts.maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.byteLength;
    if (size > opts.maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
