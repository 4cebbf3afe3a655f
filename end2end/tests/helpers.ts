import { expect, type Page, type Browser } from '@playwright/test';

export const PASSWORD = 'parley-demo';
export const ADMIN = 'admin@demo.parley';
export const ADA = 'ada@demo.parley';

/** Signs in and waits for the inbox to be live (hydrated, socket open). */
export async function login(page: Page, email: string) {
  await page.goto('/login');
  // Wait for hydration: a click before it would be a plain form post.
  await expect(page.locator('form.login-card')).toHaveAttribute('data-ready', 'true');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/inbox/);
  await expect(page.locator('.app')).toHaveAttribute('data-live', 'live');
}

/** A second signed-in browser context. */
export async function secondAgent(browser: Browser, email: string) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await login(page, email);
  return { ctx, page };
}

/** Opens the conversation with the given list position (0 = top). */
export async function openConversation(page: Page, index = 0) {
  const row = page.locator('.conv').nth(index);
  const id = await row.getAttribute('data-id');
  await row.locator('a').click();
  await expect(page.locator(`.thread[data-conversation="${id}"] .msg`).first()).toBeVisible();
  return id!;
}

/** Collects console errors and failed requests so a test can assert there were none. */
export function watchErrors(page: Page) {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

/** Starts a conversation from the "+ New" form as a new contact. */
export async function startConversation(page: Page, name: string, email: string, subject: string, body: string) {
  await page.getByRole('link', { name: '+ New' }).click();
  const form = page.locator('.new-conversation');
  await form.locator('input[name="name"]').fill(name);
  await form.locator('input[name="email"]').fill(email);
  await form.locator('input[name="subject"]').fill(subject);
  await form.locator('textarea[name="body"]').fill(body);
  await page.getByRole('button', { name: 'Start conversation' }).click();
}
