// Writes the generated documentation (npm run docs): docs/cli.md from the commands' own help, the
// parameter tables of docs/analyses.md from the analysis registry, docs/clickhouse-ddl/ from the
// ClickHouse schema. Tests check they are current.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { updateAnalysesDoc } from '../src/analyses/analyses-docs.ts';
import { renderCliDocs } from '../src/cli/cli-docs.ts';
import { ddlFiles } from '../src/store/clickhouse/clickhouse-schema.ts';

writeFileSync(new URL('../docs/cli.md', import.meta.url), renderCliDocs());
const analyses = new URL('../docs/analyses.md', import.meta.url);
writeFileSync(analyses, updateAnalysesDoc(readFileSync(analyses, 'utf8')));

// docs/ingest.md lists the kinds of the adversarial corpus (test/fixtures/adversarial/generate.ts)
const { kindsMarkdown } = await import('../test/fixtures/adversarial/generate.ts');
const ingest = new URL('../docs/ingest.md', import.meta.url);
writeFileSync(
  ingest,
  readFileSync(ingest, 'utf8').replace(
    /(<!-- adversarial-kinds:start -->)[\s\S]*?(<!-- adversarial-kinds:end -->)/,
    (_, start: string, end: string) => `${start}\n${kindsMarkdown()}\n${end}`,
  ),
);

// docs/clickhouse-ddl/: the ClickHouse store's full DDL (docs/deploy-clickhouse.md shows it abbreviated)
mkdirSync(new URL('../docs/clickhouse-ddl/', import.meta.url), { recursive: true });
for (const [name, text] of Object.entries(ddlFiles())) {
  writeFileSync(new URL(`../docs/clickhouse-ddl/${name}`, import.meta.url), text);
}
