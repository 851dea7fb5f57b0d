// Teams equivalents through the real adapter: not measured yet (see the README's Performance section).
import type { Cell } from './run.js';

export async function benchTeams(_size: number, _dir: string, _seconds: number, _connections: number[]): Promise<Cell[]> {
  return [];
}
