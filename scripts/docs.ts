// Writes the generated documentation (npm run docs): docs/cli.md from the commands' own help, and the
// parameter tables of docs/analyses.md from the analysis registry. Tests check both are current.
import { readFileSync, writeFileSync } from 'node:fs';
import { updateAnalysesDoc } from '../src/analyses/analyses-docs.ts';
import { renderCliDocs } from '../src/cli/cli-docs.ts';

writeFileSync(new URL('../docs/cli.md', import.meta.url), renderCliDocs());
const analyses = new URL('../docs/analyses.md', import.meta.url);
writeFileSync(analyses, updateAnalysesDoc(readFileSync(analyses, 'utf8')));
