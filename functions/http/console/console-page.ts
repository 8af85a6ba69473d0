/**
 * GET /console (SPEC v2 "The operators' console"): one HTML page for the people who run the stock,
 * served by the service itself, with its stylesheet and script inline and nothing else: no CDN,
 * no asset route, works offline on a laptop. The Content-Security-Policy allows exactly that
 * stylesheet and that script (by hash), and calls to the service's own origin.
 */
import { createHash } from 'node:crypto';
import { CONSOLE_SCRIPT } from './console-script.js';
import { CONSOLE_STYLE } from './console-style.js';
import { escapeHtml } from '../docs-page.js';

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * How operators sign in, in AWS: the Cognito user pool's hosted sign-in, authorization code with
 * PKCE, for the operators' app client (infra/constructs/access.ts). Given to the console function
 * as CONSOLE_SIGN_IN (JSON); absent locally, where the page asks for a development token instead.
 */
export interface ConsoleSignIn {
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  scopes: string[];
}

/** CONSOLE_SIGN_IN as the page needs it, or undefined when unset; a malformed value is a deploy error. */
export function parseConsoleSignIn(text: string | undefined): ConsoleSignIn | undefined {
  if (!text) return undefined;
  const value = JSON.parse(text) as Partial<ConsoleSignIn>;
  const url = (u: unknown) => typeof u === 'string' && /^https?:\/\/[^/]+/.test(u);
  if (
    !url(value.authorizeUrl) ||
    !url(value.tokenUrl) ||
    typeof value.clientId !== 'string' ||
    !Array.isArray(value.scopes)
  ) {
    throw new Error('CONSOLE_SIGN_IN must be {authorizeUrl, tokenUrl, clientId, scopes}');
  }
  return value as ConsoleSignIn;
}

/** The page's policy: its own style and script, calls to its own origin and to the sign-in's token endpoint. */
export function consoleCsp(signIn?: ConsoleSignIn): string {
  return [
    "default-src 'none'",
    `script-src ${hash(CONSOLE_SCRIPT)}`,
    `style-src ${hash(CONSOLE_STYLE)}`,
    `connect-src 'self'${signIn ? ` ${new URL(signIn.tokenUrl).origin}` : ''}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const WRITE_OFF_REASONS = ['damaged', 'expired', 'recalled', 'temperature_excursion', 'count_correction', 'other'];

/** The page: every control has a label, every section a heading, and results are announced. */
export function renderConsolePage(version: string, signIn?: ConsoleSignIn): string {
  const reasons = WRITE_OFF_REASONS.map((r) => `<option value="${r}">${r.replaceAll('_', ' ')}</option>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fulfillment console</title>
<link rel="icon" href="data:,">
<style>${CONSOLE_STYLE}</style>
</head>
<body${signIn ? ` data-sign-in="${escapeHtml(JSON.stringify(signIn))}"` : ''}>
<header>
  <h1>Fulfillment console</h1>
  <span class="muted">version ${escapeHtml(version)}</span>
  <span id="refreshed" class="muted" role="status"></span>
  <button id="sign-in" type="button" hidden>Sign in</button>
  <button id="sign-out" type="button" hidden>Sign out</button>
  <form id="token-form" aria-label="Development sign-in" hidden>
    <label>Access token (printed by <code>npm start -- --auth</code>)<input name="token" type="password" autocomplete="off" required></label>
    <button type="submit">Use token</button>
  </form>
</header>
<div id="problem" role="alert"></div>
<p id="notice" role="status" aria-live="polite"></p>
<main>
<section aria-labelledby="h-stock" class="wide">
  <h2 id="h-stock">Stock</h2>
  <table aria-labelledby="h-stock">
    <thead><tr><th>Id</th><th>Product</th><th>Mass</th><th>Stock</th><th>On hand</th><th>Reserve</th><th>Waiting</th><th>Written off</th><th>Lots, first out first</th><th></th></tr></thead>
    <tbody id="products"></tbody>
  </table>
  <h3 id="movements-title">Movements</h3>
  <table aria-labelledby="movements-title">
    <thead><tr><th>Movement</th><th>Kind</th><th>Units</th><th>On hand after</th><th>Cause</th><th>At</th></tr></thead>
    <tbody id="movements"><tr><td colspan="6" class="muted">Choose "movements" on a product.</td></tr></tbody>
  </table>
</section>
<section aria-labelledby="h-waiting">
  <h2 id="h-waiting">Waiting orders, in the order restocks serve them</h2>
  <table aria-labelledby="h-waiting">
    <thead><tr><th>Priority</th><th>Order</th><th>Waiting for</th><th>Units waiting</th><th>Packages</th></tr></thead>
    <tbody id="waiting"></tbody>
  </table>
  <h2 id="h-recent">Recent orders</h2>
  <form id="recent-form" aria-labelledby="h-recent">
    <label>Show<select name="status" id="recent-status"><option value="">every order</option><option value="fulfilled">fulfilled</option><option value="cancelled">cancelled</option></select></label>
  </form>
  <table aria-labelledby="h-recent">
    <thead><tr><th>Priority</th><th>Order</th><th>Status</th><th>Created</th><th>Packages</th></tr></thead>
    <tbody id="recent"></tbody>
  </table>
  <h2 id="h-lot">Lot</h2>
  <form id="find-lot-form" aria-labelledby="h-lot">
    <label>Product id<input id="lot-product" name="product" inputmode="numeric" required></label>
    <label>Lot<input id="lot-name" name="lot" required maxlength="64"></label>
    <button type="submit">Show lot</button>
  </form>
  <div id="lot-view" aria-live="polite"></div>
  <h2 id="h-order">Order</h2>
  <form id="find-order-form" aria-labelledby="h-order">
    <label>Order id<input id="order-id" name="id" required></label>
    <button type="submit">Show order</button>
  </form>
  <div id="order-view" aria-live="polite"></div>
</section>
<section aria-labelledby="h-actions">
  <h2 id="h-actions">Change stock and orders</h2>
  <h3 id="h-product">Add or edit a product</h3>
  <form id="product-form" aria-labelledby="h-product">
    <label>Product id (empty: assigned)<input name="id" inputmode="numeric"></label>
    <label>Name<input name="name" required maxlength="200"></label>
    <label>Mass (g)<input name="mass" inputmode="numeric" required></label>
    <label>Emergency reserve<input name="reserve" inputmode="numeric"></label>
    <button type="submit" class="primary">Save product</button>
  </form>
  <h3 id="h-restock">Restock</h3>
  <form id="restock-form" aria-labelledby="h-restock">
    <label>Lines: product id, quantity, then lot and expiry if any, one per line<textarea name="lines" rows="3" required placeholder="0 30&#10;6 12 PLT-2612-01 2026-12-06T00:00:00Z"></textarea></label>
    <button type="submit" class="primary">Restock</button>
  </form>
  <h3 id="h-place">Place an order</h3>
  <form id="order-form" aria-labelledby="h-place">
    <label>Order id (empty: assigned)<input name="id"></label>
    <label>Priority<select name="priority"><option>routine</option><option>urgent</option><option>emergency</option></select></label>
    <label>Lines: product id and quantity, one per line<textarea name="lines" rows="3" required placeholder="10 4"></textarea></label>
    <button type="submit" class="primary">Place order</button>
  </form>
  <h3 id="h-write-off">Write off</h3>
  <form id="write-off-form" aria-labelledby="h-write-off">
    <label>Product id<input name="product" inputmode="numeric" required></label>
    <label>Quantity<input name="quantity" inputmode="numeric" required></label>
    <label>Lot (empty: first expired first)<input name="lot" maxlength="64"></label>
    <label>Reason<select name="reason">${reasons}</select></label>
    <label>Note<input name="note" maxlength="500"></label>
    <button type="submit" class="primary">Write off</button>
  </form>
  <h3 id="h-recall">Recall a lot</h3>
  <form id="recall-form" aria-labelledby="h-recall">
    <label>Product id<input name="product" inputmode="numeric" required></label>
    <label>Lot<input name="lot" required maxlength="64"></label>
    <label>Reason<input name="reason" maxlength="500"></label>
    <button type="submit" class="primary">Recall lot</button>
  </form>
</section>
</main>
<script>${CONSOLE_SCRIPT}</script>
</body>
</html>
`;
}
