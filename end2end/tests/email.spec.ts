// Email end to end: an admin connects a channel in Settings, mail sent with
// Debian's swaks appears live for an agent, the agent's reply reaches a real
// SMTP server (tests/smtp-capture.ts) with the threading headers, and the
// customer's answer lands in the same conversation. A failed send shows why
// and Retry sends it.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { ADA, ADMIN, login, secondAgent } from './helpers';
import { start, type Capture } from './smtp-capture';
import { SMTP_PORT, INBOUND_DOMAIN } from '../playwright.config';

// The channel's outgoing mail server: the capture server, on this port.
const CAPTURE_PORT = Number(process.env.PARLEY_E2E_CAPTURE_PORT ?? 2608);
const DOMAIN_RE = INBOUND_DOMAIN.replace(/\./g, '\\.');

/** Sends a mail to Parley's SMTP listener with swaks; returns swaks' transcript. */
function swaks(args: string[]) {
  const out = execFileSync('swaks', ['--server', `127.0.0.1:${SMTP_PORT}`, '--timeout', '30', ...args],
    { encoding: 'utf8', timeout: 45_000 });
  // The listener accepted the message (the reply to the final ".").
  expect(out).toMatch(/^<-  250 .*$/m);
  expect(out).not.toMatch(/^<\*\* /m);
  return out;
}

test.describe('email channel', () => {
  test.describe.configure({ mode: 'serial' });
  // Shared by the serial tests below (one worker, in order).
  let capture: Capture | null = null;
  let forwarding = '';
  let conversationId = '';
  const subject = `Parcel late ${Date.now()}`;

  test.afterAll(async () => { await capture?.stop(); });

  test('an admin sets up the email channel in Settings', async ({ page }) => {
    capture = await start(CAPTURE_PORT);
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
    const code = row.locator('code.forwarding-address');
    await expect(code).toHaveText(new RegExp(`@${DOMAIN_RE}$`));
    forwarding = ((await code.textContent()) ?? '').trim();
    expect(forwarding).toMatch(new RegExp(`^help-[0-9a-z]+@${DOMAIN_RE}$`));
  });

  test('mail sent with swaks appears live, the reply goes out threaded, the answer threads back', async ({ browser }) => {
    const { ctx, page } = await secondAgent(browser, ADA);
    const row = page.locator('.conv', { hasText: subject });
    await expect(row).toHaveCount(0);

    const sent = swaks(['--to', forwarding, '--from', 'casey@example.test',
      '--h-From', '"Casey Customer" <casey@example.test>', '--h-Subject', subject, '--body', 'My parcel is late']);
    const swaksId = (sent.match(/^ -> Message-Id: (<[^>]+>)/im) ?? [])[1];
    expect(swaksId, 'swaks prints the Message-Id it generated').toBeTruthy();

    // Live: the row appears in Ada's open list without a reload.
    await expect(row).toHaveCount(1);
    conversationId = (await row.getAttribute('data-id')) ?? '';
    expect(conversationId).toMatch(/^\d+$/);
    await row.locator('a').click();
    const thread = page.locator(`.thread[data-conversation="${conversationId}"]`);
    await expect(thread.locator('.msg-inbound', { hasText: 'My parcel is late' })).toBeVisible();

    await page.locator('.composer textarea[name="body"]').fill('It is on its way.');
    await page.locator('.composer').getByRole('button', { name: 'Send reply' }).click();
    const out = await capture!.waitFor((m) => m.body.includes('It is on its way.'));
    expect(out.to).toContain('casey@example.test');
    expect(out.headers['to']).toContain('casey@example.test');
    expect(out.headers['from']).toContain('help@shop.test');
    expect(out.headers['from']).toContain('Shop Help');
    expect(out.headers['subject']).toBe(`Re: ${subject}`);
    expect(out.headers['reply-to']).toMatch(new RegExp(`\\+${conversationId}@${DOMAIN_RE}`));
    expect(out.headers['message-id']).toMatch(new RegExp(`^<parley-${conversationId}-\\d+-[0-9a-f]+@${DOMAIN_RE}>$`));
    expect(out.headers['in-reply-to']).toBe(swaksId);
    await expect(thread.locator('.msg-outbound', { hasText: 'It is on its way.' }).locator('.delivery')).toHaveText('Sent');

    // The customer answers the reply: same conversation, live in the open thread.
    const replyTo = (out.headers['reply-to'].match(/<([^>]+)>/) ?? [])[1] ?? out.headers['reply-to'];
    swaks(['--to', replyTo, '--from', 'casey@example.test',
      '--h-From', '"Casey Customer" <casey@example.test>', '--h-Subject', `Re: ${subject}`,
      '--header', `In-Reply-To: ${out.headers['message-id']}`, '--body', 'Thanks, it arrived']);
    await expect(thread.locator('.msg-inbound', { hasText: 'Thanks, it arrived' })).toBeVisible();
    await expect(page.locator('.conv', { hasText: subject })).toHaveCount(1);
    await ctx.close();
  });

  test('a failed send shows the reason and Retry sends it', async ({ page }) => {
    await login(page, ADA);
    await page.locator('.conv', { hasText: subject }).locator('a').click();
    const thread = page.locator(`.thread[data-conversation="${conversationId}"]`);
    await expect(thread.locator('.msg', { hasText: 'Thanks, it arrived' })).toBeVisible();

    // The outgoing server is down: the reply is kept, marked failed, with why.
    await capture!.stop();
    await page.locator('.composer textarea[name="body"]').fill('Second try.');
    await page.locator('.composer').getByRole('button', { name: 'Send reply' }).click();
    const msg = thread.locator('.msg-outbound', { hasText: 'Second try.' });
    await expect(msg.locator('.delivery')).toHaveText('Failed');
    await expect(msg.locator('.failure')).toHaveText(/\S/);

    // Back up: Retry sends it.
    capture = await start(CAPTURE_PORT);
    await msg.locator('button.retry').click();
    await expect(msg.locator('.delivery')).toHaveText('Sent');
    const again = await capture.waitFor((m) => m.body.includes('Second try.'));
    expect(again.headers['to']).toContain('casey@example.test');
    await expect(msg.locator('.failure')).toHaveCount(0);
  });
});
