import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeInterventions } from '../../../src/analyses/interventions/analyze-interventions.ts';
import { simulate } from '../../../src/simulate/index.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';

describe('the counterfactual replay of an event the simulator never wrote', () => {
  it('gives that event no true effect and says why, instead of failing the analysis', async () => {
    const store = await DuckDbStore.open(':memory:');
    try {
      await ingestRecords(store, simulate({ scenario: 'wild-7', seed: 7, sessions: 3000 }), { name: 'sim' });
      // an edited run: an event added by hand, whose id names no event of the factual replay
      const added = {
        type: 'event',
        run: 'wild-7',
        session: 1500,
        id: 'e-999',
        kind: 'recalibration',
        parameter: 'compliance_differential',
        target: { phrase: 'I do not want to be changed' },
        from: 0.5,
        to: 0.6,
      };
      const s = await ingestRecords(store, [added], { name: 'edit' });
      assert.equal(s.accepted, 1);
      const result = await analyzeInterventions(store, 'wild-7');
      const note = result.missing.find((m) => m.includes('e-999'));
      assert.ok(note?.includes('the replay cannot remove it'), result.missing.join('\n'));
      const edited = result.events.find((e) => e.event.id === 'e-999');
      assert.ok(edited, 'the added event is still analysed from the data');
      assert.equal(edited.truth ?? null, null, 'and has no true effect');
      assert.ok(
        result.events.some((e) => e.event.id !== 'e-999' && e.truth),
        'the simulator’s own events keep theirs',
      );
    } finally {
      await store.close();
    }
  });
});
