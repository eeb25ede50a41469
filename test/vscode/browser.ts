/**
 * Headless Chromium (Debian's) through playwright-core, which .ci/install-e2e.sh
 * installs into .e2e/tools rather than into the project's dependencies: it is
 * loaded from there at run time, and typed here by the few calls the runner uses.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface Locator {
  click(options?: { position?: { x: number; y: number }; timeout?: number }): Promise<void>;
  dblclick(options?: { timeout?: number }): Promise<void>;
  count(): Promise<number>;
  first(): Locator;
  nth(index: number): Locator;
  filter(options: { hasText: string | RegExp }): Locator;
  locator(selector: string): Locator;
  innerText(options?: { timeout?: number }): Promise<string>;
  allInnerTexts(): Promise<string[]>;
  waitFor(options?: { state?: 'attached' | 'visible' | 'hidden'; timeout?: number }): Promise<void>;
  fill(value: string, options?: { timeout?: number }): Promise<void>;
  isVisible(): Promise<boolean>;
}

export interface FrameLocator {
  locator(selector: string, options?: { hasText?: string | RegExp }): Locator;
  frameLocator(selector: string): FrameLocator;
}

export interface Page {
  frameLocator(selector: string): FrameLocator;
  goto(url: string, options?: { timeout?: number }): Promise<unknown>;
  locator(selector: string, options?: { hasText?: string | RegExp }): Locator;
  waitForSelector(selector: string, options?: { timeout?: number; state?: 'attached' | 'visible' }): Promise<unknown>;
  waitForFunction<A>(fn: (arg: A) => boolean, arg: A, options?: { timeout?: number; polling?: number }): Promise<unknown>;
  exposeFunction(name: string, fn: (...args: never[]) => unknown): Promise<void>;
  keyboard: { press(key: string): Promise<void>; type(text: string, options?: { delay?: number }): Promise<void> };
  screenshot(options: { path: string; fullPage?: boolean }): Promise<Buffer>;
  on(event: 'console', listener: (message: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', listener: (error: Error) => void): void;
  close(): Promise<void>;
}

export interface Browser {
  newPage(options?: { viewport?: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

interface Playwright {
  chromium: { launch(options: { executablePath: string; headless: boolean; args: string[] }): Promise<Browser> };
}

/** Flags this network needs: no sandbox as root, and no background connections the closed network would refuse. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export async function launchChromium(toolsDir: string, executablePath: string): Promise<Browser> {
  const module = path.join(toolsDir, 'node_modules', 'playwright-core');
  if (!fs.existsSync(module)) throw new Error(`playwright-core is not installed in ${toolsDir}: run .ci/install-e2e.sh`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const playwright = require(module) as Playwright;
  return playwright.chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}
