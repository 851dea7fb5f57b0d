import { buildApp, startApp } from './app/build-app.js';
import { createLogger } from './app/logger.js';
import { ConfigError, loadConfig } from './config.js';
import { FileProblemError } from './files/yaml-file.js';
import { DatabaseOutOfSyncError } from './store/database.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  try {
    const app = buildApp(config, log);
    const running = await startApp(app, log);
    log.info({ url: running.url, school: app.school.config.school.name, database: config.databasePath }, 'safeguarding-bot is running');
    console.log(`safeguarding-bot is running at ${running.url} (health: ${running.url}healthz)`);
    const shutdown = (signal: string) => {
      log.info({ signal }, 'stopping');
      running.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  } catch (err) {
    if (err instanceof FileProblemError || err instanceof DatabaseOutOfSyncError) {
      console.error(err.message);
      process.exit(1);
    }
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`Port ${config.port} on ${config.host} is in use: stop the other program, or set PORT to another port.`);
      process.exit(1);
    }
    throw err;
  }
}

await main();
