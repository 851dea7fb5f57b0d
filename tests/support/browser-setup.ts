import type { TestProject } from 'vitest/node';
import { findBrowser, type BrowserChoice } from './browser.js';

declare module 'vitest' {
  export interface ProvidedContext {
    browser: BrowserChoice;
  }
}

/** Vitest global setup: finds (or unpacks) the browser once per run, for every test file. */
export default async function setup(project: TestProject): Promise<void> {
  const browser = await findBrowser();
  console.log('error' in browser ? `No browser for the sandbox tests: ${browser.error}` : `Browser for the sandbox tests: ${browser.executablePath} (${browser.source})`);
  project.provide('browser', browser);
}
