import { test, expect } from '@playwright/test';
import { login, ADMIN } from './helpers';

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

test('on a phone the panes come one at a time with back controls', async ({ page }) => {
  await login(page, ADMIN);
  await expect(page.locator('.list-pane')).toBeVisible();
  await expect(page.locator('.thread-pane')).toBeHidden();

  await page.locator('.conv').first().locator('a').click();
  await expect(page.locator('.thread')).toBeVisible();
  await expect(page.locator('.list-pane')).toBeHidden();

  await page.getByRole('link', { name: 'Details' }).click();
  await expect(page.locator('.details')).toBeVisible();
  await expect(page.locator('.thread')).toBeHidden();

  await page.getByRole('link', { name: 'Back to conversation' }).click();
  await expect(page.locator('.thread')).toBeVisible();
  await page.getByRole('link', { name: 'Back to list' }).click();
  await expect(page.locator('.list-pane')).toBeVisible();
  await expect(page.locator('.thread-pane')).toBeHidden();
});
