// Writes docs/cli.md from the commands' own help texts (npm run docs:cli). A test checks it is current.
import { writeFileSync } from 'node:fs';
import { renderCliDocs } from '../src/cli/cli-docs.ts';

writeFileSync(new URL('../docs/cli.md', import.meta.url), renderCliDocs());
