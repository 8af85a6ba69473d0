/**
 * GET /docs: the OpenAPI document rendered as one self-contained HTML page, server-side. No
 * script and no external asset (laptops may be offline, and the Content-Security-Policy below
 * allows nothing but the page's own stylesheet), so it reads the same locally and in AWS.
 * Every piece of text from the document goes through `escapeHtml`.
 */
import { createHash } from 'node:crypto';
import type {
  JsonSchema,
  MediaType,
  OpenApiDocument,
  OperationObject,
  ParameterObject,
  ResponseObject,
} from './openapi.js';
import { documentedScope } from './openapi.js';

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:62rem;margin:0 auto;padding:1rem 1.5rem 4rem;color:#1b1f24;background:#fff}
h1{margin-bottom:.2rem}h2{margin-top:2.5rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
h3{margin:0;font-size:1.15rem}h4{margin:1.2rem 0 .4rem}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.6rem .8rem;overflow:auto;max-height:28rem}
.op{border:1px solid #d0d7de;border-radius:8px;padding:1rem 1.2rem;margin:1.2rem 0}
.method{display:inline-block;min-width:3.5rem;text-align:center;border-radius:4px;padding:0 .4rem;margin-right:.5rem;color:#fff;font-weight:600}
.get{background:#0969da}.post{background:#1a7f37}
.scope{display:inline-block;border-radius:4px;padding:0 .4rem;background:#fff8c5;border:1px solid #d4a72c}
.public{background:#dafbe1;border-color:#4ac26b}
.status{font-weight:600}.muted{color:#57606a}
ul.schema{margin:.2rem 0;padding-left:1.2rem}ul.schema li{margin:.15rem 0}
nav ul{columns:2}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
`;

/** For `style-src`: the page's one inline stylesheet, by hash, so nothing else can style it. */
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/** Allows the inline stylesheet above and nothing else: no script, image, font, frame or form. */
export const DOCS_PAGE_CSP = [
  "default-src 'none'",
  `style-src ${STYLE_HASH}`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function escapeHtml(text: unknown): string {
  return String(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Light markdown of the document's descriptions: `code` spans and "- " list lines, all escaped. */
function prose(text: string | undefined): string {
  if (!text) return '';
  const inline = (line: string) => escapeHtml(line).replace(/`([^`]+)`/g, '<code>$1</code>');
  const out: string[] = [];
  let list: string[] = [];
  const flush = () => {
    if (list.length > 0) out.push(`<ul>${list.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`);
    list = [];
  };
  for (const paragraph of text.split(/\n\n+/)) {
    for (const line of paragraph.split('\n')) {
      if (line.startsWith('- ')) list.push(line.slice(2));
      else {
        flush();
        if (line.trim() !== '') out.push(`<p>${inline(line)}</p>`);
      }
    }
    flush();
  }
  return out.join('\n');
}

const anchor = (operation: OperationObject) => `op-${escapeHtml(operation.operationId)}`;
const refName = (schema: JsonSchema) => (typeof schema.$ref === 'string' ? schema.$ref.split('/').pop()! : undefined);

/** "integer, 1 to 1800", "string, 1 to 200 characters, pattern ..." */
function constraints(schema: JsonSchema): string {
  const parts: string[] = [];
  const range = (min: unknown, max: unknown, unit = '') => {
    if (min !== undefined && max !== undefined) parts.push(`${min} to ${max}${unit}`);
    else if (min !== undefined) parts.push(`at least ${min}${unit}`);
    else if (max !== undefined) parts.push(`at most ${max}${unit}`);
  };
  range(schema.minimum, schema.maximum);
  range(schema.minLength, schema.maxLength, ' characters');
  range(schema.minItems, schema.maxItems, ' entries');
  if (schema.format) parts.push(`format ${String(schema.format)}`);
  // A format's regular expression (e.g. date-time) says nothing a reader needs.
  else if (schema.pattern) parts.push(`pattern <code>${escapeHtml(schema.pattern)}</code>`);
  if (Array.isArray(schema.enum))
    parts.push(`one of ${schema.enum.map((v) => `<code>${escapeHtml(JSON.stringify(v))}</code>`).join(', ')}`);
  if (schema.const !== undefined) parts.push(`always <code>${escapeHtml(JSON.stringify(schema.const))}</code>`);
  return parts.join(', ');
}

/**
 * A schema as a nested list of fields: type, constraints, description. A named component is a
 * link to its entry in the Schemas section, unless `expand` asks for its fields here.
 */
function renderSchema(schema: JsonSchema, doc: OpenApiDocument, expand = false): string {
  const name = refName(schema);
  if (name) {
    const own =
      typeof schema.description === 'string' ? ` <span class="muted">${inlineProse(schema.description)}</span>` : '';
    const target = doc.components.schemas[name];
    if (expand && target) return `<code>${escapeHtml(name)}</code>: ${renderSchema(target, doc)}${own}`;
    return `<a href="#${schemaAnchor(name)}"><code>${escapeHtml(name)}</code></a>${own}`;
  }
  const description =
    typeof schema.description === 'string' ? ` <span class="muted">${inlineProse(schema.description)}</span>` : '';
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (alternatives) {
    return `one of:${description}<ul class="schema">${alternatives.map((s) => `<li>${renderSchema(s, doc)}</li>`).join('')}</ul>`;
  }
  const type = typeof schema.type === 'string' ? schema.type : 'any value';
  const rules = constraints(schema);
  let head = `<em>${escapeHtml(type)}</em>${rules ? `, ${rules}` : ''}${description}`;
  if (type === 'array' && schema.items) {
    head += `<ul class="schema"><li>each: ${renderSchema(schema.items as JsonSchema, doc)}</li></ul>`;
  }
  if (type === 'object' && schema.properties) {
    const required = new Set((schema.required as string[] | undefined) ?? []);
    const fields = Object.entries(schema.properties as Record<string, JsonSchema>).map(
      ([field, fieldSchema]) =>
        `<li><code>${escapeHtml(field)}</code> <span class="muted">${required.has(field) ? 'required' : 'optional'}</span>: ${renderSchema(fieldSchema, doc)}</li>`,
    );
    head += `<ul class="schema">${fields.join('')}</ul>`;
    if (schema.additionalProperties === false) head += '<span class="muted">No other fields.</span>';
  }
  return head;
}

function oneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}: ${oneLine(item)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const schemaAnchor = (name: string) => `schema-${escapeHtml(name)}`;

/** JSON for reading: a value that fits on one line stays on one line (e.g. each catalog entry). */
export function readableJson(value: unknown, indent = ''): string {
  const flat = oneLine(value);
  if (flat.length + indent.length <= 100 || typeof value !== 'object' || value === null) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    return `[\n${value.map((item) => inner + readableJson(item, inner)).join(',\n')}\n${indent}]`;
  }
  const fields = Object.entries(value).map(
    ([key, item]) => `${inner}${JSON.stringify(key)}: ${readableJson(item, inner)}`,
  );
  return `{\n${fields.join(',\n')}\n${indent}}`;
}

function inlineProse(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function renderExamples(media: MediaType): string {
  return Object.values(media.examples ?? {})
    .map(
      (ex) => `<p class="muted">Example: ${escapeHtml(ex.summary)}</p><pre>${escapeHtml(readableJson(ex.value))}</pre>`,
    )
    .join('');
}

function renderContent(content: Record<string, MediaType> | undefined, doc: OpenApiDocument, expand = false): string {
  if (!content) return '';
  return Object.entries(content)
    .map(
      ([type, media]) =>
        `<div><code>${escapeHtml(type)}</code>: ${renderSchema(media.schema, doc, expand)}</div>${renderExamples(media)}`,
    )
    .join('');
}

function renderParameters(parameters: ParameterObject[], doc: OpenApiDocument): string {
  const rows = parameters.map(
    (p) =>
      `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}${p.required ? ', required' : ', optional'}</td>` +
      `<td>${renderSchema(p.schema, doc)}${p.example === undefined ? '' : `<br>Example: <code>${escapeHtml(JSON.stringify(p.example))}</code>`}` +
      `${prose(p.description)}</td></tr>`,
  );
  return `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>value</th></tr>${rows.join('')}</table>`;
}

function renderResponse(status: string, response: ResponseObject, doc: OpenApiDocument): string {
  const headers = Object.entries(response.headers ?? {})
    .map(
      ([name, h]) =>
        `<div>Header <code>${escapeHtml(name)}</code>: ${renderSchema(h.schema, doc)} ${inlineProse(h.description)}</div>`,
    )
    .join('');
  return `<li><span class="status">${escapeHtml(status)}</span> ${inlineProse(response.description)}${headers}${renderContent(response.content, doc)}</li>`;
}

function renderOperation(method: string, path: string, operation: OperationObject, doc: OpenApiDocument): string {
  const scope = documentedScope(operation);
  const access = scope
    ? `<span class="scope">scope <code>${escapeHtml(scope)}</code></span>`
    : '<span class="scope public">public: no token</span>';
  const body = operation.requestBody
    ? `<h4>Request body (required)</h4>${prose(operation.requestBody.description)}${renderContent(operation.requestBody.content, doc, true)}`
    : '';
  const responses = Object.entries(operation.responses)
    .map(([status, response]) => renderResponse(status, response, doc))
    .join('');
  return `<section class="op" id="${anchor(operation)}">
<h3><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span><code>${escapeHtml(path)}</code></h3>
<p><strong>${escapeHtml(operation.summary)}</strong> ${access}</p>
${prose(operation.description)}
${operation.parameters ? renderParameters(operation.parameters, doc) : ''}
${body}
<h4>Responses</h4><ul>${responses}</ul>
</section>`;
}

function operations(doc: OpenApiDocument): Array<[string, string, OperationObject]> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => [method, path, operation] as [string, string, OperationObject]),
  );
}

export function renderDocsPage(doc: OpenApiDocument): string {
  const all = operations(doc);
  const toc = all
    .map(
      ([method, path, op]) =>
        `<li><a href="#${anchor(op)}">${escapeHtml(method.toUpperCase())} <code>${escapeHtml(path)}</code></a> <span class="muted">${escapeHtml(op.summary)}</span></li>`,
    )
    .join('');
  const sections = doc.tags
    .map((tag) => {
      const ops = all.filter(([, , op]) => op.tags.includes(tag.name));
      if (ops.length === 0) return '';
      return `<h2>${escapeHtml(tag.name)}</h2><p class="muted">${escapeHtml(tag.description)}</p>${ops.map(([m, p, op]) => renderOperation(m, p, op, doc)).join('\n')}`;
    })
    .join('\n');
  const security = Object.entries(doc.components.securitySchemes)
    .map(
      ([name, scheme]) =>
        `<h3><code>${escapeHtml(name)}</code>: HTTP ${escapeHtml(scheme.scheme)} (${escapeHtml(scheme.bearerFormat)})</h3>${prose(scheme.description)}`,
    )
    .join('');
  const schemas = Object.keys(doc.components.schemas)
    .map(
      (name) =>
        `<section class="op" id="${schemaAnchor(name)}">${renderSchema({ $ref: `#/components/schemas/${name}` }, doc, true)}</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.info.title)} ${escapeHtml(doc.info.version)}: API</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(doc.info.title)}</h1>
<p class="muted">Version ${escapeHtml(doc.info.version)}, OpenAPI ${escapeHtml(doc.openapi)}: <a href="/openapi.json">openapi.json</a> (for tools and code generators)</p>
<p>${escapeHtml(doc.info.summary)}</p>
${prose(doc.info.description)}
<nav><h2>Operations</h2><ul>${toc}</ul></nav>
<h2>Authentication</h2>
${security}
<h2>Errors</h2>
<p>Every error the service itself answers is <code>application/problem+json</code>: ${renderSchema({ $ref: '#/components/schemas/Problem' }, doc)}</p>
${sections}
<h2>Schemas</h2>
${schemas}
</body>
</html>
`;
}
