import { test, expect } from '@playwright/test';
import { login, secondAgent, openConversation, startConversation, ADMIN, ADA } from './helpers';


test('two agents see each other\'s work live', async ({ page, browser }) => {
  await login(page, ADMIN);
  const ada = await secondAgent(browser, ADA);
  const id = await openConversation(page, 0);
  // Ada opens the same conversation.
  await ada.page.locator(`.conv[data-id="${id}"] a`).click();
  await expect(ada.page.locator(`.thread[data-conversation="${id}"]`)).toBeVisible();

  await page.locator('.composer textarea').fill('Live reply from Alex');
  await page.locator('.composer').getByRole('button', { name: 'Send reply' }).click();
  await expect(ada.page.locator('.msg-outbound', { hasText: 'Live reply from Alex' })).toBeVisible();

  await page.locator('.actions select[name="priority"]').selectOption('high');
  await expect(ada.page.locator(`.conv[data-id="${id}"] .prio-high`)).toBeVisible();

  // A conversation started by one appears in the other's list.
  await startConversation(page, 'Live Newcomer', 'newcomer@example.org', 'Hello from live', 'Welcome aboard');
  await expect(ada.page.locator('.conv', { hasText: 'Live Newcomer' })).toBeVisible();
  await ada.ctx.close();
});

test('after the connection drops, the client catches up without doubles', async ({ page, browser }) => {
  await login(page, ADMIN);
  // Ada's socket goes through a switch the test can open: while "offline",
  // the connection is cut and reconnects are refused.
  const adaCtx = await browser.newContext();
  let offline = false;
  const sockets: { close: () => Promise<void> }[] = [];
  await adaCtx.routeWebSocket(/\/ws/, (ws) => {
    if (offline) { ws.close(); return; }
    ws.connectToServer();
    sockets.push(ws);
  });
  const adaPage = await adaCtx.newPage();
  await login(adaPage, ADA);
  const ada = { ctx: adaCtx, page: adaPage };
  const id = await openConversation(page, 1);
  await ada.page.locator(`.conv[data-id="${id}"] a`).click();
  await expect(ada.page.locator(`.thread[data-conversation="${id}"]`)).toBeVisible();

  offline = true;
  await Promise.all(sockets.map((s) => s.close()));
  await expect(ada.page.locator('.app')).not.toHaveAttribute('data-live', 'live');
  await page.locator('.composer textarea').fill('Sent while Ada was offline');
  await page.locator('.composer').getByRole('button', { name: 'Send reply' }).click();
  await expect(page.locator('.msg-outbound', { hasText: 'while Ada was offline' })).toBeVisible();

  // Nothing arrived while cut off.
  await expect(ada.page.locator('.msg-outbound', { hasText: 'while Ada was offline' })).toHaveCount(0);
  offline = false;
  await expect(ada.page.locator('.app')).toHaveAttribute('data-live', 'live', { timeout: 30_000 });
  await expect(ada.page.locator('.msg-outbound', { hasText: 'while Ada was offline' })).toHaveCount(1);
  await expect(ada.page.locator(`.conv[data-id="${id}"]`)).toHaveCount(1);
  await ada.ctx.close();
});
