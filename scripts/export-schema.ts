// Writes docs/record-format.schema.json from the zod schemas (run: npm run schema). A test checks it is current.
import { writeFileSync } from 'node:fs';
import { recordJsonSchema } from '../src/model/json-schema.ts';

writeFileSync(
  new URL('../docs/record-format.schema.json', import.meta.url),
  `${JSON.stringify(recordJsonSchema(), null, 2)}\n`,
);
