import { test, expect } from '@playwright/test';
import { login, openConversation, watchErrors, startConversation, ADMIN } from './helpers';

test('a wrong password is refused with a clear message', async ({ page }) => {
  await page.goto('/login');
  await expect(page.locator('form.login-card')).toHaveAttribute('data-ready', 'true');
  await page.getByLabel('Email').fill(ADMIN);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('email or password is wrong');
  await expect(page).toHaveURL(/\/login/);
});

test('the inbox lists the demo conversations and opens one', async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, ADMIN);
  await expect(page.locator('.conv').first()).toBeVisible();
  const count = Number((await page.getByTestId('count').innerText()).split(' ')[0]);
  expect(count).toBeGreaterThan(5);
  await openConversation(page, 0);
  await expect(page.locator('.msg-inbound').first()).toBeVisible();
  // The details pane shows the contact, editable.
  await expect(page.locator('input[name="contact_email"]')).toHaveValue(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
  expect(errors).toEqual([]);
});

test('views and filters change the list, and the URL keeps them', async ({ page }) => {
  await login(page, ADMIN);
  await page.locator('[data-view="all"]').click();
  await expect(page).toHaveURL(/view=all/);
  await page.getByLabel('Status').selectOption('closed');
  await expect(page).toHaveURL(/status=closed/);
  const statuses = () => page.locator('.conv').evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-status')))]);
  await expect.poll(statuses).toEqual(['closed']);
  await page.reload();
  await expect(page.getByLabel('Status')).toHaveValue('closed');
});

test('a reply and a note appear in the thread, styled apart', async ({ page }) => {
  await login(page, ADMIN);
  await openConversation(page, 2);
  const composer = page.locator('.composer');
  await composer.locator('textarea').fill('Thanks for writing in — we are on it.');
  await composer.getByRole('button', { name: 'Send reply' }).click();
  const reply = page.locator('.msg-outbound', { hasText: 'we are on it' });
  await expect(reply).toBeVisible();
  await expect(composer.locator('textarea')).toHaveValue('');

  await composer.getByRole('tab', { name: 'Note' }).click();
  await composer.locator('textarea').fill('Customer is on the legacy plan.');
  await composer.getByRole('button', { name: 'Add note' }).click();
  const note = page.locator('.msg-note', { hasText: 'legacy plan' });
  await expect(note).toBeVisible();
  await expect(note).toContainText('staff only');
  // Notes and replies look different.
  const bg = async (sel: string) => page.locator(sel).last().evaluate((e) => getComputedStyle(e).backgroundColor);
  expect(await bg('.msg-note')).not.toEqual(await bg('.msg-outbound'));
});

test('an empty reply is refused and adds nothing', async ({ page }) => {
  await login(page, ADMIN);
  await openConversation(page, 1);
  const before = await page.locator('.msg').count();
  await page.locator('.composer textarea').fill('   ');
  await page.locator('.composer').getByRole('button', { name: 'Send reply' }).click();
  await expect(page.locator('.composer').getByRole('alert')).toContainText('body: must not be empty');
  await expect(page.locator('.msg')).toHaveCount(before);
});

test('assigning and changing status show in the details', async ({ page }) => {
  await login(page, ADMIN);
  await openConversation(page, 3);
  // Someone other than the current assignee, from those the picker offers.
  const picker = page.locator('.actions select[name="assignee"]');
  const current = await picker.inputValue();
  const options = await picker.locator('option').evaluateAll((os) =>
    os.map((o) => ({ value: (o as HTMLOptionElement).value, label: o.textContent ?? '' })));
  const pick = options.find((o) => o.value !== '' && o.value !== current)!;
  await picker.selectOption(pick.value);
  await expect(page.getByTestId('assignee')).toHaveText(pick.label);
  await expect(page.locator('.actions').getByRole('alert')).toHaveCount(0);
  await page.locator('.actions select[name="status"]').selectOption('pending');
  await expect(page.getByTestId('status')).toContainText('Pending');
  await page.locator('.actions select[name="priority"]').selectOption('urgent');
  await expect(page.locator('.conv.selected .prio-urgent')).toBeVisible();
});

test('the assignee picker offers only people who can see the inbox', async ({ page }) => {
  await login(page, ADMIN);
  // Billing is restricted to Chloe (and admins).
  await page.getByLabel('Inbox').selectOption({ label: 'Billing' });
  await expect(page).toHaveURL(/inbox=\d+/);
  await openConversation(page, 0);
  const names = await page.locator('.actions select[name="assignee"] option').allTextContents();
  expect(names).toContain('Chloe Martin');
  expect(names).not.toContain('Ben Ortiz');
  expect(names).not.toContain('Ada Park');
  expect(names).toContain('Alex Admin');
});

test('a search finds a conversation by a word in its messages and opens it at the match', async ({ page }) => {
  await login(page, ADMIN);
  await startConversation(page, 'Quinn Search', 'quinn@example.com', 'Blender', 'My blender makes a zorbling noise');
  await expect(page.locator('.msg').first()).toContainText('zorbling');
  await page.locator('[data-view="all"]').click();
  await page.getByLabel('Search conversations').fill('zorbling');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page).toHaveURL(/q=zorbling/);
  await expect(page.locator('.conv')).toHaveCount(1);
  await expect(page.locator('.conv mark')).toHaveText('zorbling');
  // The search survives a reload (it is in the URL), and the result opens at the message.
  await page.reload();
  await expect(page.getByLabel('Search conversations')).toHaveValue('zorbling');
  await page.locator('.conv a').click();
  await expect(page.locator('.msg.hit')).toContainText('zorbling');
  // Clearing the search brings the whole list back.
  await page.getByRole('button', { name: 'Clear' }).click();
  await expect.poll(() => page.locator('.conv').count()).toBeGreaterThan(1);
});

test('an invalid contact email is refused, naming the field', async ({ page }) => {
  await login(page, ADMIN);
  await openConversation(page, 4);
  await page.locator('input[name="contact_email"]').fill('not-an-email');
  await page.getByRole('button', { name: 'Save contact' }).click();
  await expect(page.locator('.contact-form [role="status"]')).toContainText('email: is not a valid email address');
});

test('an agent starts a new conversation', async ({ page }) => {
  await login(page, ADMIN);
  await startConversation(page, 'Walt Whitman', 'walt@example.org', 'Your trial is ready', 'Hi Walt, your trial account is set up.');
  await expect(page.locator('.thread h2')).toHaveText('Your trial is ready');
  await expect(page.locator('.msg-outbound')).toContainText('trial account is set up');
  await expect(page.locator('.conv', { hasText: 'Walt Whitman' })).toBeVisible();
});

test('an admin adds an agent and creates an API key in Settings', async ({ page, browser, request }) => {
  await login(page, ADMIN);
  await page.getByRole('link', { name: 'Settings' }).click();
  const form = page.locator('.add-member');
  await form.getByLabel('Name').fill('Dana Fox');
  await form.getByLabel('Email').fill('dana@demo.parley');
  await form.getByLabel('Password').fill('short');
  await form.getByRole('button', { name: 'Add member' }).click();
  await expect(form.getByRole('alert')).toContainText('password: must be at least 8 characters');
  await form.getByLabel('Password').fill('dana-password-1');
  await form.getByRole('button', { name: 'Add member' }).click();
  await expect(page.locator('.members td', { hasText: 'dana@demo.parley' })).toBeVisible();

  // The new agent can sign in.
  const ctx = await browser.newContext();
  const dana = await ctx.newPage();
  await dana.goto('/login');
  await expect(dana.locator('form.login-card')).toHaveAttribute('data-ready', 'true');
  await dana.getByLabel('Email').fill('dana@demo.parley');
  await dana.getByLabel('Password').fill('dana-password-1');
  await dana.getByRole('button', { name: 'Sign in' }).click();
  await expect(dana.locator('.conv').first()).toBeVisible();
  await ctx.close();

  // A key created here works against the REST API.
  await page.locator('input[name="key_name"]').fill('Zapier');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = await page.locator('.new-key code').innerText();
  expect(key).toMatch(/^pk_/);
  const res = await request.get('/api/v1/me', { headers: { 'X-API-Key': key } });
  expect(res.status()).toBe(200);
  expect((await res.json()).data.email).toBe(ADMIN);
});

test('an admin sets an inbox to round robin and an agent sets their availability', async ({ page }) => {
  await login(page, ADMIN);
  await page.goto('/settings');
  const row = page.locator('.inbox-assignment tr', { hasText: 'Sales' });
  await row.locator('select[name="assignment"]').selectOption('round_robin');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(row.getByRole('status')).toHaveText(/Saved/);
  const mine = page.locator('section.availability select[name="availability"]');
  await mine.selectOption('away');
  await expect(page.locator('section.availability').getByRole('status')).toHaveText(/Saved/);

  // Both are stored: a fresh page shows them.
  await page.reload();
  await expect(page.locator('.inbox-assignment tr', { hasText: 'Sales' }).locator('select[name="assignment"]')).toHaveValue('round_robin');
  await expect(page.locator('section.availability select[name="availability"]')).toHaveValue('away');

  // Put the demo back as it was for the tests that follow.
  const again = page.locator('.inbox-assignment tr', { hasText: 'Sales' });
  await again.locator('select[name="assignment"]').selectOption('manual');
  await again.getByRole('button', { name: 'Save' }).click();
  await expect(again.getByRole('status')).toHaveText(/Saved/);
  await page.locator('section.availability select[name="availability"]').selectOption('available');
  await expect(page.locator('section.availability').getByRole('status')).toHaveText(/Saved/);
});

test('what someone types before the page has finished loading is kept', async ({ page }) => {
  // Hold the app's WebAssembly until the email is typed, as on a slow phone.
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => { release = resolve; });
  await page.route('**/pkg/*.wasm', async (route) => { await gate; await route.continue(); });
  await page.goto('/login');
  await page.getByLabel('Email').fill(ADMIN);
  release();
  await expect(page.locator('form.login-card')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByLabel('Email')).toHaveValue(ADMIN);
  await page.getByLabel('Password').fill('parley-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/inbox/);
});
