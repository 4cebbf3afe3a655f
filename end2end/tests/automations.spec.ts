import { test, expect } from '@playwright/test';
import { login, ADMIN } from './helpers';

// An admin sets up routing, round robin, an auto-responder and an
// automation in Settings; a message through the REST API then lands in the
// right inbox, is assigned, auto-replied and labelled, and the thread shows
// each of those as an activity line.
test('routing, assignment, auto-reply and an automation act on an API message', async ({ page, request }) => {
  await login(page, ADMIN);
  await page.goto('/settings');

  // A routing rule, checked with the test box.
  const rule = page.locator('form.routing-form');
  await rule.locator('input[name="rule_name"]').fill('Refund route');
  await rule.locator('input[name="keywords"]').fill('refund, chargeback');
  await rule.locator('select[name="route_inbox"]').selectOption({ label: 'Sales' });
  await rule.getByRole('button', { name: 'Add rule' }).click();
  const ruleRow = page.locator('.routing-rules tr', { hasText: 'Refund route' });
  await expect(ruleRow).toContainText('words: refund, chargeback');
  const probe = page.locator('form.routing-test');
  await probe.locator('input[name="test_subject"]').fill('A REFUND please');
  await probe.getByRole('button', { name: 'Test' }).click();
  await expect(probe.getByRole('status')).toHaveText('Matches rule #1 “Refund route”');
  await probe.locator('input[name="test_subject"]').fill('refunded already');
  await probe.getByRole('button', { name: 'Test' }).click();
  await expect(probe.getByRole('status')).toContainText('No rule matches');

  // Sales assigns by round robin and answers at once.
  const sales = page.locator('.inbox-assignment tr', { hasText: 'Sales' });
  await sales.locator('select[name="assignment"]').selectOption('round_robin');
  await sales.getByRole('button', { name: 'Save' }).click();
  await expect(sales.getByRole('status')).toHaveText(/Saved/);
  const policy = page.locator('form.inbox-policy', { hasText: 'Sales: hours and auto-reply' });
  await policy.locator('input[name="autoresponder_enabled"]').check();
  await policy.locator('textarea[name="autoresponder_message"]').fill('Thanks {{contact.first_name}}, we are on it.');
  await policy.locator('input[name="autoresponder_delay"]').fill('0');
  await policy.getByRole('button', { name: 'Save hours and auto-reply' }).click();
  await expect(policy.getByRole('status')).toHaveText(/Saved/);

  // An automation written in the form: label refund requests.
  const form = page.locator('form.automation-form');
  await form.locator('input[name="automation_name"]').fill('Tag refunds');
  await form.locator('select[name="trigger"]').selectOption('message_received');
  await form.getByRole('button', { name: '+ Add condition' }).click();
  await form.locator('select[name="condition_subject"]').selectOption('message_text');
  await form.locator('select[name="condition_op"]').selectOption('contains');
  await form.locator('input[name="condition_value"]').fill('refund');
  await form.locator('select[name="action_kind"]').selectOption('add_label');
  await form.locator('input[name="action_value"]').fill('refund');
  await form.getByRole('button', { name: 'Create automation' }).click();
  const autoRow = page.locator('.automation-list tr', { hasText: 'Tag refunds' });
  await expect(autoRow).toContainText('Message received, if 1 conditions hold');
  await expect(autoRow.locator('.last-run')).toHaveText('Never ran');

  // A key, and a message through the API with no inbox named.
  await page.locator('input[name="key_name"]').fill('Automation test');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = await page.locator('.new-key code').innerText();
  const res = await request.post('/api/v1/conversations', {
    headers: { 'X-API-Key': key },
    data: { contact: { name: 'Rita Moreno', email: 'rita@example.com' }, subject: 'Order 77',
            message: { body: 'I would like a refund for order 77.' } },
  });
  expect(res.status()).toBe(201);
  const conv = (await res.json()).data;

  await page.goto(`/inbox?view=all&c=${conv.id}`);
  const thread = page.locator(`.thread[data-conversation="${conv.id}"]`);
  await expect(thread.locator('.thread-head')).toContainText('Sales');
  const lines = thread.locator('li.activity');
  await expect(lines.filter({ hasText: "Routed to Sales by rule 'Refund route'" })).toHaveCount(1);
  await expect(lines.filter({ hasText: /Assigned to .+ by round robin/ })).toHaveCount(1);
  await expect(lines.filter({ hasText: 'Auto-reply sent' })).toHaveCount(1);
  await expect(lines.filter({ hasText: "Label refund added by rule 'Tag refunds'" })).toHaveCount(1);
  await expect(thread.locator('.msg-outbound .body')).toHaveText('Thanks Rita, we are on it.');
  await expect(thread.locator('.msg-outbound .kind')).toContainText('Auto-reply');

  // Settings shows what the rule last did.
  await page.goto('/settings');
  await expect(page.locator('.automation-list tr', { hasText: 'Tag refunds' }).locator('.last-run'))
    .toContainText(`on conversation #${conv.id}`);

  // Put the demo back as it was for the tests that follow.
  await page.locator('.automation-list tr', { hasText: 'Tag refunds' }).getByRole('button', { name: 'Delete' }).click();
  await expect(page.locator('.automation-list tr', { hasText: 'Tag refunds' })).toHaveCount(0);
  await page.locator('.routing-rules tr', { hasText: 'Refund route' }).getByRole('button', { name: 'Delete' }).click();
  await expect(page.locator('.routing-rules tr', { hasText: 'Refund route' })).toHaveCount(0);
  const again = page.locator('.inbox-assignment tr', { hasText: 'Sales' });
  await again.locator('select[name="assignment"]').selectOption('manual');
  await again.getByRole('button', { name: 'Save' }).click();
  await expect(again.getByRole('status')).toHaveText(/Saved/);
  const p2 = page.locator('form.inbox-policy', { hasText: 'Sales: hours and auto-reply' });
  await p2.locator('input[name="autoresponder_enabled"]').uncheck();
  await p2.getByRole('button', { name: 'Save hours and auto-reply' }).click();
  await expect(p2.getByRole('status')).toHaveText(/Saved/);
});
