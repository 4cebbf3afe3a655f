// Email end to end: an admin connects a channel in Settings, mail sent with
// Debian's swaks appears live for an agent, the agent's reply reaches a real
// SMTP server with the threading headers, and the customer's answer lands
// in the same conversation. A failed send shows why and Retry sends it.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { ADA, ADMIN, login, secondAgent } from './helpers';
import { Capture } from './smtp-capture';
import { SMTP_PORT, INBOUND_DOMAIN } from '../playwright.config';

const CAPTURE_PORT = Number(process.env.PARLEY_E2E_CAPTURE_PORT ?? 2608);

/** Sends a mail to Parley's listener with swaks; swaks' transcript. */
function swaks(args: string[]) {
  const out = execFileSync('swaks', ['--server', `127.0.0.1:${SMTP_PORT}`, '--timeout', '30', ...args], { encoding: 'utf8' });
  expect(out).toContain('<-  250 2.0.0 OK stored');
  return out;
}

test.describe('email channel', () => {
  test.describe.configure({ mode: 'serial' });
  const capture = new Capture(CAPTURE_PORT);
  let forwarding = '';
  const subject = `Parcel late ${Date.now()}`;

  test.beforeAll(async () => { await capture.start(); });
  test.afterAll(async () => { await capture.stop(); });

  test('an admin connects an email channel in Settings', async ({ page }) => {
    await login(page, ADMIN);
    await page.goto('/settings');
    const form = page.locator('form.channel-form');
    await form.locator('input[name="channel_name"]').fill('E2E email');
    await form.locator('input[name="address"]').fill('help@shop.test');
    await form.locator('input[name="from_name"]').fill('Shop Help');
    await form.locator('select[name="inbox"]').selectOption({ label: 'Support' });
    await form.locator('input[name="smtp_host"]').fill('127.0.0.1');
    await form.locator('input[name="smtp_port"]').fill(String(CAPTURE_PORT));
    await form.locator('select[name="smtp_security"]').selectOption('none');
    await form.getByRole('button', { name: 'Add channel' }).click();
    const row = page.locator('li.channel', { hasText: 'E2E email' });
    await expect(row.locator('.health')).toHaveText('Working');
    forwarding = (await row.locator('code.forwarding-address').textContent()) ?? '';
    expect(forwarding).toMatch(new RegExp(`^help-[0-9a-f]{8}@${INBOUND_DOMAIN.replace('.', '\\.')}$`));
  });

  test('mail from swaks appears live, the reply goes out threaded, the answer threads back', async ({ browser }) => {
    const { ctx, page } = await secondAgent(browser, ADA);
    const sent = swaks(['--to', forwarding, '--from', 'casey@example.test',
      '--h-From', '"Casey Customer" <casey@example.test>', '--h-Subject', subject, '--body', 'My parcel is late']);
    const swaksId = (sent.match(/^ -> Message-Id: (<[^>]+>)/m) ?? [])[1];
    expect(swaksId).toBeTruthy();

    // Live: the row appears in Ada's open list without a reload.
    const row = page.locator('.conv', { hasText: subject });
    await expect(row).toHaveCount(1);
    const id = await row.getAttribute('data-id');
    await row.locator('a').click();
    const thread = page.locator(`.thread[data-conversation="${id}"]`);
    await expect(thread.locator('.msg', { hasText: 'My parcel is late' })).toBeVisible();

    await page.locator('.composer textarea[name="body"]').fill('It is on its way.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    const out = await capture.waitFor((m) => m.body.includes('It is on its way.'));
    expect(out.headers['to']).toContain('casey@example.test');
    expect(out.headers['from']).toBe('"Ada Park from Shop Help" <help@shop.test>');
    expect(out.headers['subject']).toBe(`Re: ${subject}`);
    expect(out.headers['reply-to']).toBe(`${forwarding.split('@')[0]}+${id}@${INBOUND_DOMAIN}`);
    expect(out.headers['message-id']).toMatch(new RegExp(`^<parley-${id}-\\d+-[0-9a-f]+@inbound\\.test>$`));
    expect(out.headers['in-reply-to']).toBe(swaksId);
    await expect(thread.locator('.msg-outbound', { hasText: 'It is on its way.' }).locator('.delivery')).toHaveText('Sent');

    // The customer answers the reply: same conversation, live in the open thread.
    swaks(['--to', out.headers['reply-to'], '--from', 'casey@example.test',
      '--h-From', '"Casey Customer" <casey@example.test>', '--h-Subject', `Re: ${subject}`,
      '--header', `In-Reply-To: ${out.headers['message-id']}`, '--body', 'Thanks, it arrived']);
    await expect(thread.locator('.msg-inbound', { hasText: 'Thanks, it arrived' })).toBeVisible();
    await expect(page.locator('.conv', { hasText: subject })).toHaveCount(1);
    await ctx.close();
  });

  test('a failed send shows the reason and Retry sends it', async ({ page }) => {
    await login(page, ADA);
    await page.locator('.conv', { hasText: subject }).locator('a').click();
    await capture.stop();
    await page.locator('.composer textarea[name="body"]').fill('Second try.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    const msg = page.locator('.msg-outbound', { hasText: 'Second try.' });
    await expect(msg.locator('.delivery')).toHaveText('Failed');
    await expect(msg.locator('.failure')).toContainText('mail server');

    await capture.start();
    await msg.getByRole('button', { name: 'Retry' }).click();
    await expect(msg.locator('.delivery')).toHaveText('Sent');
    await capture.waitFor((m) => m.body.includes('Second try.'));
  });
});
