import { test, expect, type Locator, type Page } from '@playwright/test';
import { login, secondAgent, watchErrors, ADMIN, ADA } from './helpers';

/** Narrows the list to the Support inbox (everyone may see it); the URL. */
async function supportOnly(page: Page) {
  await page.locator('[data-view="all"]').click();
  await expect(page).toHaveURL(/view=all/);
  await page.locator('select[name="inbox"]').selectOption({ label: 'Support' });
  await expect(page).toHaveURL(/inbox=\d+/);
  return page.url();
}

/** Drags `from` onto `to` with the mouse, as a person does (press, move in steps, release). */
async function drag(page: Page, from: Locator, to: Locator) {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 20, a.y + a.height / 2 + 5, { steps: 4 });
  await page.mouse.move(b.x + b.width / 2, b.y + 60, { steps: 8 });
  await page.mouse.up();
}

const layoutTab = (page: Page, name: string) => page.locator(`.layouts a[data-layout="${name}"]`);

test('switching between inbox, list and cards keeps the filter, sort and search', async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, ADMIN);
  await supportOnly(page);
  await page.getByLabel('Sort').selectOption('oldest');
  await expect(page).toHaveURL(/sort=oldest/);

  await layoutTab(page, 'list').click();
  await expect(page).toHaveURL(/layout=list/);
  await expect(page).toHaveURL(/inbox=\d+.*sort=oldest|sort=oldest.*inbox=\d+/);
  await expect(page.locator('.conv-row').first()).toBeVisible();
  const inboxes = await page.locator('.conv-row td[data-col="inbox"]').allInnerTexts();
  expect(new Set(inboxes)).toEqual(new Set(['Support']));
  await expect(page.getByLabel('Sort')).toHaveValue('oldest');

  await layoutTab(page, 'cards').click();
  await expect(page).toHaveURL(/layout=cards/);
  await expect(page.locator('.lane[data-lane="resolved"]')).toBeVisible();
  const cardInboxes = await page.locator('.card .inbox-name').allInnerTexts();
  expect(cardInboxes.length).toBeGreaterThan(0);
  expect(new Set(cardInboxes)).toEqual(new Set(['Support']));

  await layoutTab(page, 'inbox').click();
  await expect(page).not.toHaveURL(/layout=/);
  await expect(page).toHaveURL(/sort=oldest/);
  await expect(page.locator('.conv').first()).toBeVisible();
  // A bookmarked table opens as a table.
  await page.goto(page.url() + '&layout=list');
  await expect(page.locator('.conv-row').first()).toBeVisible();
  await expect(page.locator('select[name="inbox"]')).not.toHaveValue('');
  expect(errors).toEqual([]);
});

test('the table sorts by a column header, and its columns are remembered', async ({ page }) => {
  await login(page, ADMIN);
  await page.goto('/inbox?view=all&layout=list');
  const times = () => page.locator('.conv-row td[data-col="last_activity"] time').evaluateAll(
    (els) => els.map((e) => Date.parse(e.getAttribute('title')!)));
  await expect(page.locator('.conv-row').first()).toBeVisible();
  const newest = await times();
  expect(newest).toEqual([...newest].sort((a, b) => b - a));
  await page.getByRole('button', { name: /Last activity/ }).click();
  await expect(page).toHaveURL(/sort=oldest/);
  await expect(page.getByRole('button', { name: /Last activity/ })).toContainText('↑');
  await expect.poll(async () => { const t = await times(); return t.length > 0 && t.join() === [...t].sort((a, b) => a - b).join(); }).toBe(true);

  // Columns: drop Priority, add Channel, move Channel left; a reload keeps them.
  await page.locator('.column-chooser summary').click();
  await page.locator('input[name="col_priority"]').uncheck();
  await page.locator('input[name="col_channel"]').check();
  const stored = page.waitForResponse((r) => r.url().includes('/api/save_list_columns') && r.ok());
  await page.getByRole('button', { name: 'Move Channel left' }).click();
  await expect(page.locator('th[data-col="priority"]')).toHaveCount(0);
  const order = () => page.locator('.conv-table thead th[data-col]').evaluateAll((els) => els.map((e) => e.getAttribute('data-col')));
  await expect.poll(order).toEqual(['contact', 'subject', 'inbox', 'status', 'assignee', 'channel', 'last_activity']);
  // Saving is a request of its own: wait for it before reloading.
  await stored;
  await page.reload();
  await expect.poll(order).toEqual(['contact', 'subject', 'inbox', 'status', 'assignee', 'channel', 'last_activity']);
});

test('bulk-assigning three conversations picked with a shift-click', async ({ page }) => {
  await login(page, ADMIN);
  await supportOnly(page);
  await layoutTab(page, 'list').click();
  const rows = page.locator('.conv-row');
  await expect(rows.nth(3)).toBeVisible();
  const ids = [await rows.nth(0).getAttribute('data-id'), await rows.nth(1).getAttribute('data-id'), await rows.nth(2).getAttribute('data-id')];
  await rows.nth(0).locator('td.pick input').click();
  await rows.nth(2).locator('td.pick input').click({ modifiers: ['Shift'] });
  await expect(page.getByTestId('selected-count')).toHaveText('3 selected');
  await page.getByLabel('Assign selected').selectOption({ label: 'Ada Park' });
  await expect(page.locator('.bulk-outcome')).toHaveText('3 changed');
  for (const id of ids) {
    await expect(page.locator(`.conv-row[data-id="${id}"] td[data-col="assignee"]`)).toHaveText('Ada Park');
  }
  await expect(page.getByTestId('selected-count')).toHaveCount(0);
});

test('dragging a card to Resolved resolves it, and another browser sees it move', async ({ page, browser }) => {
  await login(page, ADMIN);
  const url = await supportOnly(page);
  await layoutTab(page, 'cards').click();
  const ada = await secondAgent(browser, ADA);
  await ada.page.goto(page.url());
  // The whole board fits a 1280-pixel screen: every lane is in view.
  await expect(page.locator('.lane[data-lane="closed"]')).toBeInViewport();
  const card = page.locator('.lane[data-lane="open"] .card, .lane[data-lane="new"] .card').first();
  await expect(card).toBeVisible();
  const id = await card.getAttribute('data-id');
  await expect(ada.page.locator(`.card[data-id="${id}"]`)).toBeVisible();
  await expect(ada.page.locator('.app')).toHaveAttribute('data-live', 'live');

  await drag(page, card, page.locator('.lane[data-lane="resolved"]'));
  await expect(page.locator(`.lane[data-lane="resolved"] .card[data-id="${id}"]`)).toBeVisible();
  await expect(page.locator(`.card[data-id="${id}"]`)).toHaveCount(1);
  // Ada's board moves the card without a reload.
  await expect(ada.page.locator(`.lane[data-lane="resolved"] .card[data-id="${id}"]`)).toBeVisible();
  await expect(ada.page.locator(`.card[data-id="${id}"]`)).toHaveCount(1);
  expect(url).toContain('inbox=');
  await ada.ctx.close();
});

test('a filter saved as a shared view opens again, for the team too', async ({ page, browser }) => {
  await login(page, ADMIN);
  await supportOnly(page);
  await page.getByLabel('Status').selectOption('pending');
  await expect(page).toHaveURL(/status=pending/);
  await page.locator('.save-view summary').click();
  await page.getByLabel('View name').fill('Support waiting');
  await page.locator('input[name="view_shared"]').check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const saved = page.locator('.saved-view[data-view-name="Support waiting"] .view-tab');
  await expect(saved).toBeVisible();
  await expect(saved).toHaveClass(/active/);

  await page.getByLabel('Status').selectOption('');
  await expect(page).not.toHaveURL(/status=pending/);
  await expect(saved).not.toHaveClass(/active/);
  await saved.click();
  await expect(page).toHaveURL(/status=pending/);
  await expect(page.getByLabel('Status')).toHaveValue('pending');

  const ada = await secondAgent(browser, ADA);
  await ada.page.locator('.saved-view[data-view-name="Support waiting"] .view-tab').click();
  await expect(ada.page).toHaveURL(/status=pending/);
  await ada.ctx.close();
});
