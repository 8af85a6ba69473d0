/**
 * The console's script: plain browser JavaScript, inline in the page and allowed by its hash
 * (console-page.ts). It calls the same HTTP API as any client, with the same scopes, and renders
 * with DOM calls and `textContent` only (nothing from the API is ever parsed as HTML). It refreshes
 * what is on screen every few seconds.
 *
 * Kept as text rather than a bundled module: the page must work from the one function that serves
 * it (no asset route, no CDN), and a hashed inline script is what a strict CSP allows.
 */
export const CONSOLE_SCRIPT = String.raw`
'use strict';
const REFRESH_MS = 3000;
const state = { token: sessionStorage.getItem('console-token') || '', order: null, product: null, lot: null, busy: false, again: false };
const $ = (id) => document.getElementById(id);

/** An element with attributes and children (strings become text nodes, never HTML). */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'onclick') node.addEventListener('click', v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) node.append(c instanceof Node ? c : String(c));
  return node;
}

class Problem extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title || body.message)) || 'HTTP ' + status);
    this.status = status;
    this.body = body || {};
  }
}

async function api(method, path, body, headers) {
  const h = Object.assign({}, headers);
  if (body !== undefined) h['content-type'] = 'application/json';
  if (state.token) h.authorization = 'Bearer ' + state.token;
  const res = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data;
  try { data = text ? JSON.parse(text) : undefined; } catch { data = { title: text }; }
  if (res.status === 401) askToSignIn();
  if (!res.ok) throw new Problem(res.status, data);
  return data;
}

function showProblem(error) {
  const box = $('problem');
  box.replaceChildren();
  if (!error) return;
  const b = error.body || {};
  box.append(el('strong', {}, (error.status ? error.status + ' ' : '') + (b.title || 'Error')), ': ', error.message);
  if (Array.isArray(b.errors) && b.errors.length > 0) {
    box.append(el('ul', {}, b.errors.map((e) => el('li', {}, (e.path ? e.path + ': ' : '') + e.message))));
  }
}
function notice(text) { $('notice').textContent = text; }

// ---- the views -------------------------------------------------------------------------------

async function allProducts() {
  const out = [];
  let cursor = null;
  for (let page = 0; page < 20; page++) {
    const body = await api('GET', '/inventory/products?limit=1000' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    out.push(...body.products);
    cursor = body.next_cursor;
    if (!cursor) break;
  }
  return out;
}

function stockBar(p, scale) {
  const short = p.backordered > 0;
  const pct = (n) => Math.min(100, (100 * n) / scale) + '%';
  const bar = el('div', { class: 'bar' + (short ? ' short' : ''), role: 'img',
    'aria-label': p.quantity + ' on hand, reserve ' + p.emergency_reserve + ', ' + p.backordered + ' waiting' });
  bar.append(el('span', { class: 'on' }));
  bar.lastChild.style.width = pct(p.quantity);
  if (p.emergency_reserve > 0) {
    bar.append(el('span', { class: 'reserve' }));
    bar.lastChild.style.width = pct(p.emergency_reserve);
  }
  return bar;
}

/** A lot's expiry in words: "expired", "expires in 30 h", "expires in 4 d" (soon: under 48 h). */
function expiry(l) {
  if (l.expires_at === null) return { text: 'never expires', cls: '' };
  if (l.expired) return { text: 'expired', cls: 'short' };
  const h = (Date.parse(l.expires_at) - Date.now()) / 3600000;
  return { text: 'expires in ' + (h < 48 ? Math.max(0, Math.round(h)) + ' h' : Math.round(h / 24) + ' d'), cls: h < 48 ? 'low' : '' };
}

function renderLots(p) {
  if (p.lots.length === 0) return el('span', { class: 'muted' }, '-');
  return el('ul', { class: 'lots' }, p.lots.map((l) => {
    const e = expiry(l);
    const name = l.lot === null ? el('span', { class: 'muted' }, 'no lot')
      : el('button', { type: 'button', class: 'link', 'aria-label': 'Lot ' + l.lot + ' of product ' + p.product_id,
        onclick: () => openLot(p.product_id, l.lot) }, l.lot);
    return el('li', {}, name, ' ', String(l.quantity), ' ', e.cls ? el('span', { class: 'tag ' + e.cls }, e.text) : el('span', { class: 'muted' }, e.text));
  }));
}

function renderProducts(products) {
  const scale = Math.max(1, ...products.map((p) => Math.max(p.quantity + p.backordered, p.emergency_reserve)));
  const rows = products.map((p) => {
    const tags = [];
    if (p.backordered > 0) tags.push(el('span', { class: 'tag short' }, 'short ' + p.backordered));
    else if (p.emergency_reserve > 0 && p.quantity <= p.emergency_reserve) tags.push(el('span', { class: 'tag low' }, 'reserve only'));
    return el('tr', { 'data-product': p.product_id },
      el('td', { class: 'num' }, p.product_id),
      el('td', {}, p.product_name),
      el('td', { class: 'num' }, p.mass_g + ' g'),
      el('td', {}, stockBar(p, scale)),
      el('td', { class: 'num' }, p.quantity),
      el('td', { class: 'num' }, p.emergency_reserve),
      el('td', { class: 'num' }, p.backordered),
      el('td', { class: 'num' }, p.written_off),
      el('td', {}, renderLots(p)),
      el('td', {}, tags, ' ', el('button', { type: 'button', class: 'link',
        'aria-label': 'Movements of product ' + p.product_id,
        onclick: () => { state.product = p.product_id; refreshMovements().catch(showProblem); } }, 'movements')));
  });
  $('products').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 10, class: 'muted' }, 'No products yet.'))]));
}

function age(iso) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 120 ? s + ' s' : s < 7200 ? Math.round(s / 60) + ' min' : Math.round(s / 3600) + ' h';
}
const lines = (ls) => ls.map((l) => l.quantity + ' x ' + l.product_id).join(', ') || '-';
/** A package's lines with the lots they came from, where a lot was named. */
const shippedLines = (ls) => ls.map((l) => {
  const named = (l.lots || []).filter((t) => t.lot !== null).map((t) => t.quantity + ' from ' + t.lot);
  return l.quantity + ' x ' + l.product_id + (named.length ? ' (' + named.join(', ') + ')' : '');
}).join(', ');

function renderWaiting(orders) {
  const rows = orders.map((o) => el('tr', {},
    el('td', {}, el('span', { class: 'tag ' + o.priority }, o.priority)),
    el('td', {}, el('button', { type: 'button', class: 'link', onclick: () => openOrder(String(o.order_id)) }, String(o.order_id))),
    el('td', {}, age(o.created_at)),
    el('td', {}, lines(o.backordered)),
    el('td', { class: 'num' }, o.packages)));
  $('waiting').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 5, class: 'muted' }, 'Nobody waits.'))]));
}

function renderRecent(orders) {
  const rows = orders.map((o) => el('tr', {},
    el('td', {}, el('span', { class: 'tag ' + o.priority }, o.priority)),
    el('td', {}, el('button', { type: 'button', class: 'link', onclick: () => openOrder(String(o.order_id)) }, String(o.order_id))),
    el('td', {}, o.status),
    el('td', {}, age(o.created_at) + ' ago'),
    el('td', { class: 'num' }, o.packages)));
  $('recent').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 5, class: 'muted' }, 'No order yet.'))]));
}

function renderOrder(o) {
  const box = $('order-view');
  if (!o) { box.replaceChildren(); return; }
  const packages = o.shipments.map((s) => el('li', {}, el('code', {}, s.shipment_id), ' ', s.mass_g + ' g: ', shippedLines(s.shipped), ' ', el('span', { class: 'muted' }, s.shipped_at)));
  const cancel = el('form', { 'aria-label': 'Cancel order ' + o.order_id },
    el('label', {}, 'Reason', el('input', { name: 'reason', maxlength: 500 })),
    el('button', { type: 'submit' }, 'Cancel order'));
  cancel.addEventListener('submit', (e) => {
    e.preventDefault();
    const reason = new FormData(cancel).get('reason');
    act(async () => {
      const view = await api('POST', '/inventory/orders/' + encodeURIComponent(o.order_id) + '/cancel', reason ? { reason } : undefined);
      notice('Order ' + view.order_id + ' is ' + view.status + '.');
      state.order = String(view.order_id);
      renderOrder(view);
    });
  });
  box.replaceChildren(
    el('h3', {}, 'Order ' + o.order_id + ' ', el('span', { class: 'tag ' + o.priority }, o.priority)),
    el('p', { 'data-status': o.status }, 'Status: ', el('strong', {}, o.status), ' (created ' + o.created_at + (o.cancelled_at ? ', cancelled ' + o.cancelled_at : '') + ')'),
    el('table', {}, el('tbody', {},
      el('tr', {}, el('th', {}, 'requested'), el('td', {}, lines(o.requested))),
      el('tr', {}, el('th', {}, 'shipped'), el('td', {}, lines(o.shipped))),
      el('tr', {}, el('th', {}, 'waiting'), el('td', {}, lines(o.backordered))),
      el('tr', {}, el('th', {}, 'cancelled'), el('td', {}, lines(o.cancelled))))),
    el('h4', {}, o.shipments.length + ' package' + (o.shipments.length === 1 ? '' : 's')),
    el('ul', { class: 'packages' }, packages),
    o.status === 'backordered' || o.status === 'partially_shipped' ? cancel : '');
}

function renderLot(v) {
  const box = $('lot-view');
  if (!v) { box.replaceChildren(); return; }
  const packages = v.shipments.map((s) => el('tr', {},
    el('td', {}, el('button', { type: 'button', class: 'link', onclick: () => openOrder(String(s.order_id)) }, String(s.order_id))),
    el('td', {}, el('code', {}, s.shipment_id)), el('td', { class: 'num' }, s.quantity), el('td', { class: 'muted' }, s.shipped_at)));
  box.replaceChildren(
    el('h3', {}, 'Lot ' + v.lot + ' of product ' + v.product_id + ' ', v.recalled ? el('span', { class: 'tag short' }, 'recalled') : ''),
    el('p', {}, (v.expires_at ? 'Expires ' + v.expires_at : 'Never expires') + '. Restocked ' + v.restocked + ', on hand ' + v.on_hand
      + ', shipped ' + v.shipped + ', written off ' + v.written_off + '.'),
    el('h4', {}, v.shipments.length + ' package' + (v.shipments.length === 1 ? '' : 's') + ' carried it' + (v.next_cursor ? ' (first 1000)' : '')),
    el('table', { 'aria-label': 'Packages that carried lot ' + v.lot },
      el('thead', {}, el('tr', {}, el('th', {}, 'Order'), el('th', {}, 'Package'), el('th', {}, 'Units'), el('th', {}, 'Shipped'))),
      el('tbody', {}, packages)));
}

async function openLot(productId, lot) {
  state.lot = { productId, lot };
  $('lot-product').value = productId;
  $('lot-name').value = lot;
  renderLot(await api('GET', '/inventory/products/' + productId + '/lots/' + encodeURIComponent(lot)));
}

async function openOrder(id) {
  state.order = id;
  $('order-id').value = id;
  renderOrder(await api('GET', '/inventory/orders/' + encodeURIComponent(id)));
}

async function refreshMovements() {
  if (state.product === null) return;
  const all = [];
  let cursor = null;
  for (let page = 0; page < 10; page++) {
    const body = await api('GET', '/inventory/products/' + state.product + '/movements?limit=1000' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    all.push(...body.movements);
    cursor = body.next_cursor;
    if (!cursor) break;
  }
  const ref = (m) => m.ref.order_id !== undefined ? 'order ' + m.ref.order_id : m.ref.reason ? m.ref.reason : m.ref.restock_key || '';
  const rows = all.slice(-50).reverse().map((m) => el('tr', {},
    el('td', {}, m.movement_id), el('td', {}, m.kind), el('td', { class: 'num' }, (m.quantity > 0 ? '+' : '') + m.quantity),
    el('td', { class: 'num' }, m.on_hand_after), el('td', {}, ref(m)), el('td', { class: 'muted' }, m.at)));
  $('movements-title').textContent = 'Movements of product ' + state.product + ' (newest first)';
  $('movements').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 6, class: 'muted' }, 'No movement yet.'))]));
}

/** One refresh at a time; a refresh asked for meanwhile (after a change) runs right after it. */
async function refresh() {
  if (state.busy) { state.again = true; return; }
  state.busy = true;
  state.again = false;
  try {
    const status = $('recent-status').value;
    const [products, waiting, recent] = await Promise.all([
      allProducts(),
      api('GET', '/inventory/orders?status=waiting&limit=100'),
      api('GET', '/inventory/orders?limit=10' + (status ? '&status=' + status : '')),
    ]);
    renderProducts(products);
    renderWaiting(waiting.orders);
    renderRecent(recent.orders);
    if (state.order) renderOrder(await api('GET', '/inventory/orders/' + encodeURIComponent(state.order)));
    if (state.lot) renderLot(await api('GET', '/inventory/products/' + state.lot.productId + '/lots/' + encodeURIComponent(state.lot.lot)));
    await refreshMovements();
    $('refreshed').textContent = 'Updated ' + new Date().toLocaleTimeString();
  } catch (error) {
    $('refreshed').textContent = 'Not updated: ' + error.message;
  } finally {
    state.busy = false;
    if (state.again) refresh();
  }
}

/** Runs a change, shows its problem details on a refusal, then refreshes. */
async function act(change) {
  showProblem(null);
  notice('');
  try { await change(); } catch (error) { showProblem(error); return; }
  await refresh();
}

// ---- the forms --------------------------------------------------------------------------------

const int = (v) => (v === '' || v === null ? undefined : Number(v));
/** "10 4" per line (or "10 x 4", "10:4", separated by newlines, commas or semicolons) as API lines. */
function parseLines(text) {
  return String(text).split(/[\n,;]+/).map((s) => s.trim()).filter(Boolean).map((s) => {
    const [p, q] = s.split(/[\sx:*]+/).filter(Boolean);
    return { product_id: int(p), quantity: int(q) };
  });
}
/** A restock line may go on with a lot and its expiry: "6 12 PLT-2612-01 2026-12-06T00:00:00Z". */
function parseRestockLines(text) {
  return String(text).split(/[\n;]+/).map((s) => s.trim()).filter(Boolean).map((s) => {
    const [p, q, lot, expires] = s.split(/\s+/);
    const line = { product_id: int(p), quantity: int(q) };
    if (lot) line.lot = lot;
    if (expires) line.expires_at = expires;
    return line;
  });
}
function onSubmit(id, handler) {
  const form = $(id);
  form.addEventListener('submit', (e) => { e.preventDefault(); act(() => handler(new FormData(form), form)); });
}

onSubmit('product-form', async (f) => {
  const entry = { product_name: f.get('name'), mass_g: int(f.get('mass')) };
  if (f.get('id') !== '') entry.product_id = int(f.get('id'));
  if (f.get('reserve') !== '') entry.emergency_reserve = int(f.get('reserve'));
  const body = await api('POST', '/inventory/init_catalog', [entry]);
  notice('Product ' + body.products[0].product_id + ' saved.');
});
onSubmit('restock-form', async (f) => {
  const body = await api('POST', '/inventory/process_restock', parseRestockLines(f.get('lines')),
    { 'Idempotency-Key': 'console-' + crypto.randomUUID() });
  notice('Restocked ' + body.restocked.length + ' product(s); ' + body.shipments.length + ' package(s) shipped to waiting orders'
    + (body.draining ? ', more on the way.' : '.'));
});
onSubmit('order-form', async (f) => {
  const order = { priority: f.get('priority'), requested: parseLines(f.get('lines')) };
  if (f.get('id') !== '') order.order_id = /^[0-9]+$/.test(f.get('id')) ? Number(f.get('id')) : f.get('id');
  const view = await api('POST', '/inventory/process_order', order);
  notice('Order ' + view.order_id + ' is ' + view.status + ' with ' + view.shipments.length + ' package(s).');
  state.order = String(view.order_id);
  renderOrder(view);
});
$('recent-status').addEventListener('change', () => refresh());
onSubmit('recent-form', async () => {});
onSubmit('find-order-form', async (f) => { await openOrder(String(f.get('id')).trim()); });
onSubmit('write-off-form', async (f) => {
  const line = { product_id: int(f.get('product')), quantity: int(f.get('quantity')), reason: f.get('reason') };
  if (f.get('lot') !== '') line.lot = f.get('lot');
  if (f.get('note') !== '') line.note = f.get('note');
  await api('POST', '/inventory/write_offs', [line], { 'Idempotency-Key': 'console-' + crypto.randomUUID() });
  notice('Written off.');
});
onSubmit('find-lot-form', async (f) => { await openLot(int(f.get('product')), String(f.get('lot')).trim()); });
onSubmit('recall-form', async (f) => {
  const body = { product_id: int(f.get('product')), lot: String(f.get('lot')).trim() };
  if (f.get('reason') !== '') body.reason = f.get('reason');
  const view = await api('POST', '/inventory/recalls', body);
  notice('Lot ' + view.lot + ' recalled: ' + view.shipments.length + ' package(s) carried it.');
  state.lot = { productId: view.product_id, lot: view.lot };
  renderLot(view);
});
onSubmit('token-form', async (f) => {
  useToken(String(f.get('token')).trim());
  $('token-form').hidden = true;
});

// ---- signing in -------------------------------------------------------------------------------
// In AWS (the page carries data-sign-in): Cognito's hosted sign-in, authorization code with PKCE.
// Locally under --auth: a development token pasted into the page. The token lives in this tab only.

const signIn = document.body.dataset.signIn ? JSON.parse(document.body.dataset.signIn) : null;

function useToken(token) {
  state.token = token;
  if (token) sessionStorage.setItem('console-token', token);
  else sessionStorage.removeItem('console-token');
  $('sign-out').hidden = !token;
  $('sign-in').hidden = true;
  refresh();
}

function askToSignIn() {
  if (signIn) $('sign-in').hidden = false;
  else $('token-form').hidden = false;
}

const base64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const redirectUri = () => location.origin + location.pathname;

async function startSignIn() {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const expected = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem('console-pkce', JSON.stringify({ verifier, state: expected }));
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const query = new URLSearchParams({
    response_type: 'code', client_id: signIn.clientId, redirect_uri: redirectUri(), scope: signIn.scopes.join(' '),
    code_challenge_method: 'S256', code_challenge: challenge, state: expected,
  });
  location.assign(signIn.authorizeUrl + '?' + query);
}

/** Back from the sign-in page with a code: trade it, with the verifier only this tab holds, for a token. */
async function finishSignIn() {
  const query = new URLSearchParams(location.search);
  const code = query.get('code');
  if (!signIn || !code) return;
  history.replaceState(null, '', location.pathname);
  const saved = JSON.parse(sessionStorage.getItem('console-pkce') || 'null');
  sessionStorage.removeItem('console-pkce');
  if (!saved || saved.state !== query.get('state')) {
    showProblem(new Problem(0, { title: 'Sign-in refused', detail: 'the answer does not belong to a sign-in this tab started' }));
    return;
  }
  const res = await fetch(signIn.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: signIn.clientId, code, redirect_uri: redirectUri(), code_verifier: saved.verifier }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || !body.access_token) {
    showProblem(new Problem(res.status, { title: 'Sign-in failed', detail: body.error || 'no access token' }));
    return;
  }
  useToken(body.access_token);
}

$('sign-in').addEventListener('click', () => { startSignIn().catch(showProblem); });
$('sign-out').addEventListener('click', () => useToken(''));
$('sign-out').hidden = !state.token;

finishSignIn().catch(showProblem).finally(() => {
  refresh();
  setInterval(refresh, REFRESH_MS);
});
`;
