import { test, expect } from '@playwright/test';
import { login, startConversation, watchErrors, ADMIN } from './helpers';

// The demo seeds /refund and /thanks (email) and /thanks-sms (SMS / WhatsApp).

test('typing /refund in an email reply previews the template, inserts it and sends it', async ({ page }) => {
  const errors = watchErrors(page);
  await login(page, ADMIN);
  await startConversation(page, 'Rita Lopez', 'rita.templates@example.com', 'Charged twice', 'Hi Rita, looking into your charge.');
  await expect(page.locator('.thread h2')).toHaveText('Charged twice');
  const id = await page.locator('.thread').getAttribute('data-conversation');
  const composer = page.locator('.composer');
  const body = composer.locator('textarea[name="body"]');

  // "/" alone lists the email templates only: this is an email conversation.
  await body.fill('/');
  const picker = composer.locator('.template-picker');
  await expect(picker.locator('[data-shortcut="refund"]')).toBeVisible();
  await expect(picker.locator('[data-shortcut="thanks"]')).toBeVisible();
  await expect(picker.locator('[data-shortcut="thanks-sms"]')).toHaveCount(0);
  // What follows the slash filters.
  await body.fill('/ref');
  await expect(picker.locator('.template-option')).toHaveCount(1);
  await picker.locator('[data-shortcut="refund"]').click();

  // The preview is filled in for this conversation.
  const preview = picker.locator('.template-preview');
  await expect(preview.locator('.preview-subject')).toHaveText(`Subject: Your refund for conversation #${id}`);
  await expect(preview.locator('.preview-body')).toContainText('Hi Rita,');
  await expect(preview.locator('.preview-body')).not.toContainText('{{');
  await preview.getByRole('button', { name: 'Insert' }).click();

  await expect(picker).toHaveCount(0);
  await expect(body).toHaveValue(/^Hi Rita,\n\nI've issued your refund/);
  await expect(composer.locator('input[name="subject"]')).toHaveValue(`Your refund for conversation #${id}`);
  // The agent may still edit before sending.
  await body.fill((await body.inputValue()) + '\nPS: sorry for the trouble.');
  await composer.getByRole('button', { name: 'Send reply' }).click();
  const sent = page.locator('.msg-outbound', { hasText: "I've issued your refund" });
  await expect(sent).toBeVisible();
  await expect(sent).toContainText('PS: sorry for the trouble.');
  await expect(body).toHaveValue('');
  expect(errors).toEqual([]);
});

test('Escape or "No template" closes the picker and keeps free writing', async ({ page }) => {
  await login(page, ADMIN);
  await startConversation(page, 'Sam Free', 'sam.templates@example.com', 'Free text', 'Hello Sam.');
  await expect(page.locator('.thread h2')).toHaveText('Free text');
  const composer = page.locator('.composer');
  const body = composer.locator('textarea[name="body"]');
  await body.fill('/thanks');
  await expect(composer.locator('.template-picker')).toBeVisible();
  await body.press('Escape');
  await expect(composer.locator('.template-picker')).toHaveCount(0);
  await expect(body).toHaveValue('/thanks');
  // Cleared and typed again, it opens again; "No template" closes it too.
  await body.fill('');
  await body.fill('/th');
  await expect(composer.locator('.template-picker')).toBeVisible();
  await composer.getByRole('button', { name: 'No template' }).click();
  await expect(composer.locator('.template-picker')).toHaveCount(0);
  await expect(body).toHaveValue('/th');
  // A slash later in the text is just text.
  await body.fill('See /thanks');
  await expect(composer.locator('.template-picker')).toHaveCount(0);
});

test('an admin adds a template in Settings; an unknown merge field is named', async ({ page }) => {
  await login(page, ADMIN);
  await page.getByRole('link', { name: 'Settings' }).click();
  const form = page.locator('.template-form');
  await form.getByLabel('Name').fill('Shipping delay');
  await form.getByLabel('Shortcut').fill('delay');
  await form.getByLabel('Body').fill('Hi {{contact.frist_name}}, your parcel is late.');
  await form.getByRole('button', { name: 'Add template' }).click();
  await expect(form.getByRole('alert')).toContainText('body: unknown merge field {{contact.frist_name}}');

  await form.getByLabel('Body').fill('Hi {{contact.first_name|there}}, your parcel is late.');
  await form.getByRole('button', { name: 'Add template' }).click();
  await expect(page.locator('.template-table tr[data-template="delay"]')).toContainText('Shipping delay');
  await expect(form.getByLabel('Name')).toHaveValue('');

  // The same shortcut again is refused, naming it.
  await form.getByLabel('Name').fill('Another');
  await form.getByLabel('Shortcut').fill('/DELAY');
  await form.getByLabel('Body').fill('x');
  await form.getByRole('button', { name: 'Add template' }).click();
  await expect(form.getByRole('alert')).toContainText('shortcut: /DELAY is already taken');
});
