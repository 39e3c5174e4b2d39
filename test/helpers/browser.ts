// Debian's chromium through playwright-core (no browser download exists on these machines).
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { until } from './processes.js';

export const SCREENSHOTS = path.resolve('.vloop', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath))
    throw new Error(`e2e tests need chromium at ${executablePath}: apt-get install -y chromium`);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

type OptionName = string | RegExp;

// Vuetify's menu can swallow a pick made while it is still opening: the field is read back, and the pick made again.
export async function chooseOption(page: Page, field: Locator, option: OptionName, attempts = 3): Promise<void> {
  const openMenus = page.locator('.v-overlay--active .v-list');
  const shown = () => field.locator('.v-select__selection, .v-chip').allTextContents();
  const matches = (texts: string[]) =>
    texts.some((t) => (typeof option === 'string' ? t.trim() === option : option.test(t.trim())));
  for (let attempt = 1; attempt <= attempts; attempt++) {
    await field.click();
    const item = page
      .locator('.v-overlay--active')
      .getByRole('option', typeof option === 'string' ? { name: option, exact: true } : { name: option });
    await item.first().click();
    // A menu left open (a pick during its opening) would cover what comes next.
    if (await openMenus.count()) await page.keyboard.press('Escape');
    await openMenus.first().waitFor({ state: 'detached', timeout: 20_000 });
    const showsIt = await until(async () => matches(await shown()), `the field to show ${String(option)}`, 3_000).then(
      () => true,
      () => false,
    );
    if (showsIt) return;
  }
  throw new Error(`the field never showed the option ${String(option)} after ${attempts} picks: ${await shown()}`);
}
