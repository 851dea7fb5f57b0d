// One load cell: autocannon at N connections for a few seconds, every request built and
// signed afresh; latencies of every answer kept for p50 / p95 / p99.
import autocannon from 'autocannon';

export interface Figures {
  p50: number;
  p95: number;
  p99: number;
  rps: number;
  requests: number;
  /** Answers other than 2xx, plus errors and timeouts. */
  bad: number;
}

export interface Wire {
  body: string;
  headers: Record<string, string>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const round = (n: number) => Math.round(n * 100) / 100;

export async function load(opts: { url: string; path: string; connections: number; seconds: number; next: () => Wire }): Promise<Figures> {
  const times: number[] = [];
  let bad = 0;
  const options: autocannon.Options = {
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: opts.path,
        setupRequest: (req) => {
          const w = opts.next();
          return { ...req, body: w.body, headers: w.headers };
        },
      },
    ],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (err, res) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_client, status, _bytes, ms) => {
      times.push(ms);
      if (status < 200 || status >= 300) bad += 1;
    });
  });
  times.sort((a, b) => a - b);
  return {
    p50: round(percentile(times, 50)),
    p95: round(percentile(times, 95)),
    p99: round(percentile(times, 99)),
    rps: round(times.length / opts.seconds),
    requests: times.length,
    bad: bad + result.errors + result.timeouts,
  };
}

/** Requests one after another for `seconds` (beside another load: what one person feels). */
export async function oneAtATime(url: string, seconds: number, next: () => Wire): Promise<Figures> {
  const times: number[] = [];
  let bad = 0;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const w = next();
    const t0 = performance.now();
    const res = await fetch(url, { method: 'POST', body: w.body, headers: w.headers });
    await res.arrayBuffer();
    times.push(performance.now() - t0);
    if (res.status < 200 || res.status >= 300) bad += 1;
  }
  times.sort((a, b) => a - b);
  return { p50: round(percentile(times, 50)), p95: round(percentile(times, 95)), p99: round(percentile(times, 99)), rps: round(times.length / seconds), requests: times.length, bad };
}
