// Browser tests against one release build of `parley`, started on a fresh
// demo database, in Debian's Chromium (Playwright never downloads a browser here).
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.PARLEY_E2E_PORT ?? 3107);
export const BASE = `http://127.0.0.1:${PORT}`;
// Parley's inbound SMTP listener and the domain of its forwarding addresses.
export const SMTP_PORT = Number(process.env.PARLEY_E2E_SMTP_PORT ?? 2607);
export const INBOUND_DOMAIN = 'inbound.test';

export default defineConfig({
  testDir: './tests',
  // One server and one database: tests run one after another.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: BASE,
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  webServer: {
    command: `rm -rf ../target/e2e && mkdir -p ../target/e2e && ../target/release/parley serve --demo ` +
      `--addr 127.0.0.1:${PORT} --public-url ${BASE} --smtp-addr 127.0.0.1:${SMTP_PORT} ` +
      `--inbound-domain ${INBOUND_DOMAIN} --data-dir ../target/e2e/data ` +
      `--database-url "sqlite://../target/e2e/parley.db?mode=rwc"`,
    env: { LEPTOS_SITE_ROOT: '../target/site', RUST_LOG: 'warn' },
    url: `${BASE}/login`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
  },
});
