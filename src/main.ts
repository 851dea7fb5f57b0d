import { buildApp, startApp } from './app/build-app.js';
import { createLogger } from './logger.js';
import { ConfigError, loadConfig } from './config.js';
import { FileProblemError } from './files/yaml-file.js';
import { DatabaseOpenError, DatabaseOutOfSyncError } from './store/database.js';
import { KeyFileError } from './store/keyring.js';

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
  // Which settings file was read, never its values.
  if (config.envFile) log.info({ envFile: config.envFile }, 'settings read from the environment and the .env file');
  else log.info({ envFile: null }, 'settings read from the environment (no .env file)');
  try {
    const app = buildApp(config, log);
    const running = await startApp(app, log);
    log.info({ url: running.url, school: app.school.config.school.name, database: config.databasePath }, 'safeguarding-bot is running');
    console.log(`safeguarding-bot is running at ${running.url} (health: ${running.url}healthz)`);
    if (config.sandbox) {
      const local = ['127.0.0.1', 'localhost', '::1'].includes(config.host);
      const page = local ? running.url.replace(/\/\/(127\.0\.0\.1|\[::1\])/, '//localhost') : running.url;
      console.log(`Sandbox: open ${page} in a browser and choose who you are. Data goes to ${config.databasePath}.`);
      console.log(
        local
          ? `The sandbox listens on ${config.host} only: no other computer can reach it.`
          : `WARNING: the sandbox listens on ${config.host}: anyone who can reach it can act as anyone in the school file. Use HOST=127.0.0.1 unless you mean this.`,
      );
    }
    if (config.slack)
      console.log(config.slack.appToken ? 'Slack: Socket Mode (no public URL needed)' : `Slack: POST ${running.url}slack/events (commands, interactivity and events)`);
    if (config.teams) console.log(`Microsoft Teams: POST ${running.url}api/messages${config.teams.appId ? '' : ' (unauthenticated: local testing only)'}`);
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
    if (err instanceof FileProblemError || err instanceof DatabaseOutOfSyncError || err instanceof DatabaseOpenError || err instanceof KeyFileError) {
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
