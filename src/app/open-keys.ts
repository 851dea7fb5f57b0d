import path from 'node:path';
import type { Logger } from '../logger.js';
import type { Config } from '../config.js';
import { Keyring } from '../store/keyring.js';

/** Inside `folder` (or the folder itself)? */
const inside = (file: string, folder: string) => {
  const rel = path.relative(path.resolve(folder), path.resolve(file));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/**
 * The keys for this start: the key file at KEY_FILE, made at the first start (0600, in a
 * 0700 folder) and announced with its path (never its contents), with a reminder to
 * back it up apart from the data. A key file beside the data is allowed but warned about.
 */
export function openKeys(config: Pick<Config, 'keyFile' | 'databasePath' | 'evidenceDir' | 'nodeEnv'>, log: Logger): Keyring {
  const { keyring, created } = Keyring.loadOrCreate(config.keyFile);
  if (created)
    log.warn(
      { keyFile: path.resolve(config.keyFile) },
      'created the key file (encryption and audit keys): back it up now, apart from the data; without it the reports cannot be read',
    );
  const dataFolder = path.dirname(path.resolve(config.databasePath));
  if (config.nodeEnv !== 'test' && (inside(config.keyFile, dataFolder) || inside(config.keyFile, config.evidenceDir)))
    log.warn({ keyFile: path.resolve(config.keyFile) }, 'the key file is inside the data folder: a copy of the data then carries its key; keep KEY_FILE elsewhere');
  return keyring;
}
