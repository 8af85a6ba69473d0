/**
 * The operators' console (SPEC v2) in a real browser: Chromium driven by Playwright against
 * `npm start` on DynamoDB Local, as an operator would use it. Controls are found by their role
 * and label, so a control without a label fails these tests too.
 *
 * Needs Debian's Chromium (`/usr/bin/chromium`, or CHROMIUM_PATH); `.ci/run` installs it. Without
 * it the tests are skipped locally and fail in CI.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import classic from '../../functions/data/classic-exercise.json' with { type: 'json' };
import { type RunningService, startService } from '../support/npm-start.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI)
  throw new Error(`no Chromium at ${CHROMIUM}: .ci/run installs it (apt-get install chromium)`);
const docsDir = fileURLToPath(new URL('../../docs/', import.meta.url));
// The page refreshes every 3 s and right after each change: wait for it rather than for a fixed time.
vi.setConfig({ expect: { poll: { timeout: 10_000, interval: 100 } } });

let run: ConsoleRun | undefined;
let page: Page;
/** Console errors and uncaught exceptions of the page (a CSP violation is one). */
const errors: string[] = [];

interface ConsoleRun {
  service: RunningService;
  browser: Browser;
}

/** `npm start -- --in-memory` with more arguments and environment, and a Chromium to drive it. */
async function startConsole(args: string[] = [], env: Record<string, string> = {}): Promise<ConsoleRun> {
  const service = await startService(['--in-memory', ...args], (url) => `Operators' console: ${url}/console`, { env });
  return { service, browser: await chromium.launch({ executablePath: CHROMIUM }) };
}

async function stopConsole(run: ConsoleRun | undefined): Promise<void> {
  await run?.browser.close();
  await run?.service.interrupt();
}

describe.skipIf(!available)("the operators' console in Chromium", () => {
  beforeAll(async () => {
    run = await startConsole();
    page = await run.browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
  }, 120_000);

  afterAll(() => stopConsole(run));

  const form = (name: string) => page.getByRole('form', { name });
  const stockRow = (id: number) => page.locator(`#products tr[data-product="${id}"]`);

  it('loads under its Content-Security-Policy with no console error', async () => {
    const res = await page.goto(`${run!.service.url}/console`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'sha256-/);
    await expect.poll(() => page.locator('#refreshed').textContent()).toMatch(/^Updated/);
    await expect(page.getByRole('heading', { name: 'Fulfillment console' })).toBeDefined();
    // Every input, select and textarea is labelled (screen readers, and these tests, find them by label).
    const unlabelled = await page
      .locator('input, select, textarea')
      .evaluateAll(
        (fields) => fields.filter((f) => (f as unknown as { labels: unknown[] }).labels.length === 0).length,
      );
    expect(unlabelled).toBe(0);
    // No access control without --auth: nothing asks to sign in.
    for (const control of ['#token-form', '#sign-in', '#sign-out'])
      expect(await page.locator(control).isVisible()).toBe(false);
    expect(errors).toEqual([]);
  });

  it('adds a product, restocks it and ships an order, showing its packages', async () => {
    const product = form('Add or edit a product');
    await product.getByLabel('Product id').fill('7');
    await product.getByLabel('Name').fill('Platelets A+');
    await product.getByLabel('Mass (g)').fill('300');
    await product.getByLabel('Emergency reserve').fill('1');
    await product.getByRole('button', { name: 'Save product' }).click();
    await expect.poll(() => stockRow(7).textContent()).toContain('Platelets A+');

    await form('Restock').getByLabel('Lines').fill('7 10');
    await form('Restock').getByRole('button', { name: 'Restock' }).click();
    await expect.poll(() => stockRow(7).locator('td').nth(4).textContent()).toBe('10');

    const order = form('Place an order');
    await order.getByLabel('Order id').fill('ward-3');
    await order.getByLabel('Lines').fill('7 7');
    await order.getByRole('button', { name: 'Place order' }).click();
    await expect.poll(() => page.locator('#order-view [data-status]').getAttribute('data-status')).toBe('fulfilled');
    // 7 x 300 g = 2100 g: two packages of at most 1800 g.
    await expect.poll(() => page.locator('#order-view .packages li').count()).toBe(2);
    await expect.poll(() => stockRow(7).locator('td').nth(4).textContent()).toBe('3');
    expect(errors).toEqual([]);
  });

  it('lists waiting orders by priority, then age, and cancels one', async () => {
    const order = form('Place an order');
    for (const [id, priority] of [
      ['routine-1', 'routine'],
      ['icu-1', 'emergency'],
    ] as const) {
      await order.getByLabel('Order id').fill(id);
      await order.getByLabel('Priority').selectOption(priority);
      await order.getByLabel('Lines').fill('7 5');
      await order.getByRole('button', { name: 'Place order' }).click();
      await expect.poll(() => page.locator('#notice').textContent()).toContain(`Order ${id}`);
    }
    // Of the 3 units on hand (reserve 1), the routine order took the 2 above the reserve and waits
    // for 3; the emergency order took the reserve's unit and waits for 4, and is served first.
    await expect
      .poll(() => page.locator('#waiting tr').allTextContents())
      .toEqual([expect.stringMatching(/^emergencyicu-1.*4 x 7/), expect.stringMatching(/^routineroutine-1.*3 x 7/)]);

    await page.locator('#waiting').getByRole('button', { name: 'routine-1' }).click();
    const cancel = form('Cancel order routine-1');
    await cancel.getByLabel('Reason').fill('ward closed');
    await cancel.getByRole('button', { name: 'Cancel order' }).click();
    await expect.poll(() => page.locator('#order-view [data-status]').getAttribute('data-status')).toBe('cancelled');
    await expect
      .poll(() => page.locator('#waiting tr').allTextContents())
      .toEqual([expect.stringMatching(/^emergencyicu-1/)]);
    // Recent orders, newest first; then only the cancelled ones (filed by the stream's follower).
    await expect
      .poll(() => page.locator('#recent tr td:nth-child(2)').allTextContents())
      .toEqual(['icu-1', 'routine-1', 'ward-3']);
    await page.getByLabel('Show').selectOption('cancelled');
    await expect
      .poll(() => page.locator('#recent tr').allTextContents())
      .toEqual([expect.stringMatching(/^routineroutine-1cancelled/)]);
    await page.getByLabel('Show').selectOption('');
    expect(errors).toEqual([]);
  });

  it("shows the API's problem details when a change is refused, and changes nothing", async () => {
    await form('Restock').getByLabel('Lines').fill('404404 1');
    await form('Restock').getByRole('button', { name: 'Restock' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^404 .*unknown product_id 404404/);

    await form('Write off').getByLabel('Product id').fill('7');
    await form('Write off').getByLabel('Quantity').fill('99');
    await form('Write off').getByRole('button', { name: 'Write off' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^422 .*on hand/);
    expect(await stockRow(7).locator('td').nth(7).textContent()).toBe('0');
    // The browser logs each refused call; nothing else went wrong.
    expect(errors.splice(0)).toEqual([expect.stringMatching(/status of 404/), expect.stringMatching(/status of 422/)]);
  });

  it("writes off a unit and shows the product's movements", async () => {
    await form('Restock').getByLabel('Lines').fill('7 6');
    await form('Restock').getByRole('button', { name: 'Restock' }).click();
    await expect
      .poll(() => page.locator('#waiting tr').allTextContents())
      .toEqual([expect.stringMatching(/^Nobody waits/)]);

    await form('Write off').getByLabel('Product id').fill('7');
    await form('Write off').getByLabel('Quantity').fill('1');
    await form('Write off').getByLabel('Reason').selectOption('damaged');
    await form('Write off').getByLabel('Note').fill('bag punctured');
    await form('Write off').getByRole('button', { name: 'Write off' }).click();
    await expect.poll(() => stockRow(7).locator('td').nth(7).textContent()).toBe('1');

    await page.getByRole('button', { name: 'Movements of product 7' }).click();
    // Newest first: the write-off, the fill of icu-1 and its restock, the three orders' shipments, the first restock.
    await expect
      .poll(() => page.locator('#movements tr td:nth-child(2)').allTextContents())
      .toEqual(['write_off', 'shipment', 'restock', 'shipment', 'shipment', 'shipment', 'restock']);
    expect(errors).toEqual([]);
  });

  it('restocks two lots, ships the one that expires first, and recalls it with every package that carried it', async () => {
    const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
    await form('Restock')
      .getByLabel('Lines')
      .fill(`7 4 PLT-B ${inDays(4)}\n7 4 PLT-A ${inDays(1)}`);
    await form('Restock').getByRole('button', { name: 'Restock' }).click();
    // Lots first out first, with their expiry in words: the one due within 48 h is marked.
    await expect
      .poll(() => stockRow(7).locator('ul.lots li').allTextContents())
      .toEqual([
        expect.stringMatching(/^PLT-A 4 expires in 2\d h$/),
        expect.stringMatching(/^PLT-B 4 expires in 4 d$/),
        'no lot 1 never expires',
      ]);
    const order = form('Place an order');
    await order.getByLabel('Order id').fill('ward-9');
    await order.getByLabel('Priority').selectOption('routine');
    await order.getByLabel('Lines').fill('7 3');
    await order.getByRole('button', { name: 'Place order' }).click();
    await expect
      .poll(() => page.locator('#order-view .packages li').allTextContents())
      .toEqual([expect.stringContaining('3 x 7 (3 from PLT-A)')]);

    await page.getByRole('button', { name: 'Lot PLT-A of product 7' }).click();
    await expect.poll(() => page.locator('#lot-view h3').textContent()).toContain('Lot PLT-A of product 7');
    const recall = form('Recall a lot');
    await recall.getByLabel('Product id').fill('7');
    await recall.getByLabel('Lot').fill('PLT-A');
    await recall.getByLabel('Reason').fill('donor tested positive');
    await recall.getByRole('button', { name: 'Recall lot' }).click();
    await expect.poll(() => page.locator('#lot-view h3').textContent()).toContain('recalled');
    // The packages come from the stream's follower a moment later: the view refreshes itself.
    await expect
      .poll(() =>
        page.getByRole('table', { name: 'Packages that carried lot PLT-A' }).locator('tbody tr').allTextContents(),
      )
      .toEqual([expect.stringMatching(/^ward-9\S+3/)]);
    await expect
      .poll(() => stockRow(7).locator('ul.lots li').allTextContents())
      .toEqual([expect.stringMatching(/^PLT-B 4 /), 'no lot 1 never expires']);
    expect(errors).toEqual([]);
  });
});

describe.skipIf(!available)("the operators' console under npm start -- --auth", () => {
  let authRun: ConsoleRun | undefined;
  afterAll(() => stopConsole(authRun));

  it('asks for a development token, then shows the stock with it', async () => {
    authRun = await startConsole(['--auth']);
    const token = /all scopes\s+(\S+)/.exec(authRun.service.output())?.[1];
    expect(token).toBeDefined();
    const authPage = await authRun.browser.newPage();
    await authPage.goto(`${authRun.service.url}/console`);
    // Without a token every call answers 401: the page asks for one.
    const signIn = authPage.getByRole('form', { name: 'Development sign-in' });
    await expect.poll(() => signIn.getByLabel(/Access token/).isVisible()).toBe(true);
    await expect.poll(() => authPage.locator('#refreshed').textContent()).toMatch(/^Not updated/);
    await signIn.getByLabel(/Access token/).fill(token!);
    await signIn.getByRole('button', { name: 'Use token' }).click();
    await expect.poll(() => authPage.locator('#refreshed').textContent()).toMatch(/^Updated/);
    await expect.poll(() => authPage.locator('#products').textContent()).toContain('No products yet.');
  }, 120_000);
});

/**
 * Sign-in as in AWS: the page sends the operator to the authorization server (Cognito's hosted
 * sign-in there; here a small stand-in on loopback that checks what Cognito checks: the client,
 * the redirect, the PKCE challenge), comes back with a code and trades it, with its verifier, for
 * the token its calls then carry. The stand-in hands out a development token of `npm start -- --auth`.
 */
describe.skipIf(!available)("the operators' console signing in with authorization code and PKCE", () => {
  let oauth: Server | undefined;
  let signInRun: ConsoleRun | undefined;
  afterAll(async () => {
    await stopConsole(signInRun);
    oauth?.close();
  });

  it('signs in through the authorization server and shows the stock', async () => {
    const issued = new Map<string, { challenge: string; redirect: string }>();
    let token = '';
    const seen: string[] = [];
    oauth = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      seen.push(`${req.method} ${url.pathname}`);
      if (url.pathname === '/oauth2/authorize') {
        const q = url.searchParams;
        const ok =
          q.get('response_type') === 'code' &&
          q.get('client_id') === 'operators' &&
          q.get('code_challenge_method') === 'S256' &&
          q.get('redirect_uri')?.endsWith('/console');
        if (!ok) return void res.writeHead(400).end('bad authorize request');
        const code = `code-${issued.size}`;
        issued.set(code, { challenge: q.get('code_challenge')!, redirect: q.get('redirect_uri')! });
        return void res
          .writeHead(302, { location: `${q.get('redirect_uri')}?code=${code}&state=${q.get('state')}` })
          .end();
      }
      if (url.pathname === '/oauth2/token' && req.method === 'POST') {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          const form = new URLSearchParams(body);
          const grant = issued.get(form.get('code') ?? '');
          const verifier = form.get('code_verifier') ?? '';
          const proves = grant && createHash('sha256').update(verifier).digest('base64url') === grant.challenge;
          const headers = { 'content-type': 'application/json', 'access-control-allow-origin': '*' };
          if (
            !proves ||
            form.get('redirect_uri') !== grant.redirect ||
            form.get('grant_type') !== 'authorization_code'
          ) {
            return void res.writeHead(400, headers).end(JSON.stringify({ error: 'invalid_grant' }));
          }
          issued.delete(form.get('code')!);
          res
            .writeHead(200, headers)
            .end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600 }));
        });
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => oauth!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(oauth.address() as { port: number }).port}`;
    const signIn = {
      authorizeUrl: `${base}/oauth2/authorize`,
      tokenUrl: `${base}/oauth2/token`,
      clientId: 'operators',
      scopes: ['fulfillment/inventory:read'],
    };
    signInRun = await startConsole(['--auth'], { CONSOLE_SIGN_IN: JSON.stringify(signIn) });
    const signInService = signInRun.service;
    token = /all scopes\s+(\S+)/.exec(signInService.output())?.[1] ?? '';
    expect(token).not.toBe('');

    const signInPage = await signInRun.browser.newPage();
    const pageErrors: string[] = [];
    signInPage.on('pageerror', (e) => pageErrors.push(String(e)));
    await signInPage.goto(`${signInService.url}/console`);
    await signInPage.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => signInPage.locator('#refreshed').textContent()).toMatch(/^Updated/);
    expect(seen).toEqual(['GET /oauth2/authorize', 'POST /oauth2/token']);
    expect(signInPage.url()).toBe(`${signInService.url}/console`);
    await expect.poll(() => signInPage.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});

/** SPEC's classic exercise, done by hand in the page: the catalog, order 123 on empty stock, the restock. */
describe.skipIf(!available)("the classic exercise from the operators' console", () => {
  let classicRun: ConsoleRun | undefined;
  afterAll(() => stopConsole(classicRun));

  it('ships order 123 in the known two packages once the restock arrives', async () => {
    classicRun = await startConsole();
    // A context of its own: axe (below) needs one to inject its checks.
    const p = await (await classicRun.browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
    await p.goto(`${classicRun.service.url}/console`);
    const product = p.getByRole('form', { name: 'Add or edit a product' });
    for (const entry of classic.product_info) {
      await product.getByLabel('Product id').fill(String(entry.product_id));
      await product.getByLabel('Name').fill(entry.product_name);
      await product.getByLabel('Mass (g)').fill(String(entry.mass_g));
      await product.getByRole('button', { name: 'Save product' }).click();
      await expect.poll(() => p.locator('#notice').textContent()).toBe(`Product ${entry.product_id} saved.`);
    }
    await expect.poll(() => p.locator('#products tr').count()).toBe(classic.product_info.length);

    const order = p.getByRole('form', { name: 'Place an order' });
    await order.getByLabel('Order id').fill(String(classic.order.order_id));
    await order
      .getByLabel('Lines')
      .fill(classic.order.requested.map((l) => `${l.product_id} ${l.quantity}`).join('\n'));
    await order.getByRole('button', { name: 'Place order' }).click();
    await expect.poll(() => p.locator('#order-view [data-status]').getAttribute('data-status')).toBe('backordered');

    const restock = p.getByRole('form', { name: 'Restock' });
    await restock.getByLabel('Lines').fill(classic.restock.map((l) => `${l.product_id} ${l.quantity}`).join('\n'));
    await restock.getByRole('button', { name: 'Restock' }).click();
    await expect.poll(() => p.locator('#notice').textContent()).toMatch(/2 package\(s\) shipped/);
    await expect.poll(() => p.locator('#order-view [data-status]').getAttribute('data-status')).toBe('fulfilled');
    // The known answer: {0: 2, 10: 1} in 1700 g and {10: 3} in 900 g.
    const packages = await p.locator('#order-view .packages li').allTextContents();
    expect(packages.map((text) => text.replace(/^\S+ /, '').replace(/ \d{4}-.*$/, '')).sort()).toEqual([
      '1700 g: 2 x 0, 1 x 10',
      '900 g: 3 x 10',
    ]);

    // The README's picture: an emergency that waits, a routine order behind it, product 10's ledger.
    for (const [id, priority, lines] of [
      ['icu-7', 'emergency', '3 20\n9 4'],
      ['ward-2', 'routine', '3 2'],
    ] as const) {
      await order.getByLabel('Order id').fill(id);
      await order.getByLabel('Priority').selectOption(priority);
      await order.getByLabel('Lines').fill(lines);
      await order.getByRole('button', { name: 'Place order' }).click();
      await expect.poll(() => p.locator('#notice').textContent()).toContain(`Order ${id}`);
    }
    await expect.poll(() => p.locator('#waiting tr').count()).toBe(2);
    // Platelets in two lots, so the picture shows lots with their expiry.
    const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
    await restock.getByLabel('Lines').fill(`6 12 PLT-2612-02 ${inDays(4)}\n6 8 PLT-2612-01 ${inDays(1.5)}`);
    await restock.getByRole('button', { name: 'Restock' }).click();
    await expect
      .poll(() => p.locator('#products tr[data-product="6"] ul.lots li').allTextContents())
      .toEqual([
        expect.stringMatching(/^PLT-2612-01 8 expires in 3\d h$/),
        expect.stringMatching(/^PLT-2612-02 12 /),
        expect.stringMatching(/^no lot /),
      ]);
    await p.getByRole('button', { name: 'Movements of product 10' }).click();
    await expect.poll(() => p.locator('#movements tr').allTextContents()).toHaveLength(2);
    await p.locator('#waiting').getByRole('button', { name: 'icu-7' }).click();
    await expect.poll(() => p.locator('#order-view h3').textContent()).toContain('icu-7');
    mkdirSync(docsDir, { recursive: true });
    await p.screenshot({ path: `${docsDir}console.png`, fullPage: true });

    // Screen-reader and keyboard basics on the full page (WCAG 2.1 A and AA rules axe checks:
    // names and labels, contrast, landmarks, headings): no violation.
    const audit = await new AxeBuilder({ page: p }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(audit.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    // The keyboard reaches the controls: Tab moves the focus onto one.
    await p.keyboard.press('Tab');
    expect(await p.locator('button:focus, input:focus, select:focus, textarea:focus').count()).toBe(1);
  }, 120_000);
});
