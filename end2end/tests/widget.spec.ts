// The website widget end to end: a shop's page on another origin embeds the
// one-line snippet; a visitor chats through the launcher's panel; an agent
// in a second browser sees the message live and replies; the visitor sees
// the reply and, after a reload, the whole chat. The same site's plain HTML
// form (no script) starts a conversation and lands on the thank-you page.
import { test, expect, type Page } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import { ADMIN, login, secondAgent } from './helpers';
import { BASE } from '../playwright.config';

const SHOP_PORT = Number(process.env.PARLEY_E2E_SHOP_PORT ?? 3117);
const SHOP = `http://127.0.0.1:${SHOP_PORT}`;

/** The shop's page: the snippet and a plain contact form. */
function shopPage(token: string) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head><body>
<h1>Our shop</h1>
<form method="post" action="${BASE}/widget/${token}/messages" class="contact">
  <input name="name" aria-label="Name"><input name="email" aria-label="Email">
  <textarea name="message" aria-label="Message"></textarea>
  <input type="hidden" name="pageUrl" value="${SHOP}/contact">
  <input name="website" tabindex="-1" autocomplete="off" style="position:absolute;left:-9999px">
  <button>Send</button>
</form>
<script src="${BASE}/widget.js" data-channel="${token}" data-attr-plan="pro" async></script>
</body></html>`;
}

test.describe('website widget', () => {
  test.describe.configure({ mode: 'serial' });
  let shop: Server | null = null;
  let token = '';
  let key = '';

  test.afterAll(async () => { await new Promise((r) => (shop ? shop.close(r) : r(null))); });

  test('an admin allows the shop\'s site; the shop serves the snippet', async ({ page, request }) => {
    await login(page, ADMIN);
    await page.goto('/settings');
    await page.locator('input[name="key_name"]').fill('Widget test');
    await page.getByRole('button', { name: 'Create key' }).click();
    key = await page.locator('.new-key code').innerText();
    const headers = { 'X-API-Key': key };
    const channels = (await (await request.get('/api/v1/channels', { headers })).json()).data;
    const widget = channels.find((c: { kind: string }) => c.kind === 'widget');
    const put = await request.put(`/api/v1/channels/${widget.id}`, {
      headers,
      data: { name: widget.name, kind: 'widget', inboxId: widget.inboxId, enabled: true,
              settings: { allowedOrigins: [SHOP], greeting: 'Hi! Ask us anything.' } },
    });
    expect(put.status()).toBe(200);
    token = widget.token;
    shop = createServer((_, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end(shopPage(token)); });
    await new Promise<void>((r) => shop!.listen(SHOP_PORT, '127.0.0.1', () => r()));
  });

  test('a visitor chats from the shop\'s page and an agent answers live', async ({ browser }) => {
    const agent = await secondAgent(browser, ADMIN);
    const visitorCtx = await browser.newContext();
    const visitor = await visitorCtx.newPage();
    await visitor.goto(SHOP);
    const launcher = visitor.getByRole('button', { name: 'Chat with us' });
    await launcher.click();
    const panel = visitor.frameLocator('iframe[title="Chat with us"]');
    await expect(panel.locator('.greeting')).toHaveText('Hi! Ask us anything.');
    const text = `Do you ship to Norway? ${Date.now()}`;
    // Every read of the thread the panel makes, to tell a pushed reply from a polled one.
    const reads: number[] = [];
    visitor.on('request', (r) => { if (r.url().includes('/conversation?visitor=')) reads.push(Date.now()); });
    const streamOpened = visitor.waitForResponse((r) => r.url().includes('/events?visitor='));
    await panel.locator('textarea[name="message"]').fill(text);
    await panel.getByRole('button', { name: 'Send' }).click();
    expect((await streamOpened).headers()['content-type']).toContain('text/event-stream');
    await expect(panel.locator('.msg.mine', { hasText: text })).toBeVisible();

    // The agent's inbox shows it without a reload, and the reply goes back.
    const row = agent.page.locator('.conv', { hasText: text });
    await expect(row).toBeVisible();
    await row.locator('a').click();
    // The details pane says where the visitor wrote from and the snippet's attributes.
    const visit = agent.page.locator('.details .context');
    await expect(visit.locator('.page-url a')).toHaveAttribute('href', `${SHOP}/`);
    await expect(visit).toContainText('plan');
    await expect(visit).toContainText('pro');
    await agent.page.locator('.composer textarea').fill('Yes, in 3 to 5 days.');
    const sentAt = Date.now();
    await agent.page.locator('.composer').getByRole('button', { name: 'Send reply' }).click();
    await expect(agent.page.locator('.msg-outbound', { hasText: 'Yes, in 3 to 5 days.' })).toBeVisible();
    await expect(panel.locator('.msg.theirs', { hasText: 'Yes, in 3 to 5 days.' })).toBeVisible();
    expect(reads.filter((t) => t >= sentAt), 'the reply was pushed on the stream, not read by polling').toEqual([]);

    // The chat survives a reload of the shop's page.
    await visitor.reload();
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    await expect(panel.locator('.msg.mine', { hasText: text })).toBeVisible();
    await expect(panel.locator('.msg.theirs', { hasText: 'Yes, in 3 to 5 days.' })).toBeVisible();

    await visitorCtx.close();
    await agent.ctx.close();
  });

  test('the shop\'s plain HTML form starts a conversation without any script', async ({ browser, request }) => {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page: Page = await ctx.newPage();
    await page.goto(SHOP);
    const subject = `Form ${Date.now()}`;
    await page.getByLabel('Name').fill('Frida Form');
    await page.getByLabel('Email').fill('frida@customer.test');
    await page.getByLabel('Message').fill(`${subject}: please call me back`);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page).toHaveURL(`${BASE}/widget/${token}/thanks`);
    await expect(page.locator('h1')).toHaveText('Thank you');
    const list = await request.get(`/api/v1/conversations?q=${encodeURIComponent(subject)}`, { headers: { 'X-API-Key': key } });
    const found = (await list.json()).data;
    expect(found.length).toBe(1);
    await ctx.close();
  });
});
