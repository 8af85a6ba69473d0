/**
 * Checks values against the schemas of the OpenAPI document itself (not against the zod schemas
 * it was generated from), so a test fails when the published document is wrong. zod's
 * `fromJSONSchema` reads JSON Schema 2020-12; the document's component refs become `$defs`.
 * One known difference: zod counts string lengths in UTF-16 units, JSON Schema in code points,
 * so samples with characters outside the BMP near a length limit are not comparable.
 */
import { z } from 'zod';
import type { JsonSchema, MediaType, OpenApiDocument, OperationObject } from '../../functions/http/openapi.js';

export function documentValidator(doc: OpenApiDocument, schema: JsonSchema): z.ZodType {
  const text = JSON.stringify({ ...schema, $defs: doc.components.schemas }).replaceAll(
    '"#/components/schemas/',
    '"#/$defs/',
  );
  return z.fromJSONSchema(JSON.parse(text) as z.core.JSONSchema.JSONSchema);
}

export function operationOf(doc: OpenApiDocument, method: string, path: string): OperationObject {
  const operation = doc.paths[path]?.[method.toLowerCase() as 'get' | 'post'];
  if (!operation) throw new Error(`the document has no operation ${method} ${path}`);
  return operation;
}

/** The documented media type of one answer, or undefined when that answer is not documented. */
export function documentedMedia(
  operation: OperationObject,
  status: number,
  contentType: string,
): MediaType | undefined {
  const mediaType = contentType.split(';')[0]!.trim();
  return operation.responses[String(status)]?.content?.[mediaType];
}

/** Every example of every request and response of the document, with where it is. */
export function allExamples(doc: OpenApiDocument): Array<{ where: string; schema: JsonSchema; value: unknown }> {
  const found: Array<{ where: string; schema: JsonSchema; value: unknown }> = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const media: Array<[string, MediaType]> = [
        ...Object.entries(op.requestBody?.content ?? {}).map(
          ([type, m]) => [`request ${type}`, m] as [string, MediaType],
        ),
        ...Object.entries(op.responses).flatMap(([status, r]) =>
          Object.entries(r.content ?? {}).map(([type, m]) => [`${status} ${type}`, m] as [string, MediaType]),
        ),
      ];
      for (const [label, m] of media) {
        for (const [name, example] of Object.entries(m.examples ?? {})) {
          found.push({
            where: `${method.toUpperCase()} ${path} ${label} example ${name}`,
            schema: m.schema,
            value: example.value,
          });
        }
      }
    }
  }
  return found;
}
