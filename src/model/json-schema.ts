import { z } from 'zod';
import { AnnotationSchema, EventSchema, RunSchema, SessionSchema } from './schema.ts';

/** JSON Schema (draft 2020-12) of one line of record format v1, generated from the zod schemas. */
export function recordJsonSchema(): Record<string, unknown> {
  const opts = { io: 'input', unrepresentable: 'any' } as const;
  const part = (title: string, schema: z.ZodType) => {
    const { $schema: _drop, ...rest } = z.toJSONSchema(schema, opts) as Record<string, unknown>;
    return { title, ...rest };
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'urn:rlaudit:record-format:v1',
    title: 'rlaudit record format v1 (one JSON object per line)',
    description:
      'A line without `type` is a session. Unknown top-level fields are accepted and moved into `meta`. See docs/record-format.md.',
    oneOf: [
      part('session', SessionSchema),
      part('run', RunSchema),
      part('annotation', AnnotationSchema),
      part('event', EventSchema),
    ],
  };
}
