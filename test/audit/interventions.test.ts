import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { analyzeInterventions } from '../../src/analyses/interventions/analyze-interventions.ts';
import { assessInterventions } from '../../src/analyses/interventions/assess-interventions.ts';
import { analyzeRecurrence } from '../../src/analyses/recurrence/analyze-recurrence.ts';
import { parseHorizons } from '../../src/analyses/shared/event-window.ts';
import { simulate } from '../../src/simulate/index.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../src/store/ingest.ts';
import { sessionRow } from '../util/records.ts';

let store: DuckDbStore;
before(async () => {
  store = await DuckDbStore.open(':memory:');
  // WILD-7 seed 7 up to 5,300 sessions holds the 2,500 and 4,200 adjustments and the recurrence firing.
  await ingestRecords(store, simulate({ scenario: 'wild-7', seed: 7, sessions: 5300 }), {
    name: 'simulate:wild-7',
  });
  await ingestRecords(
    store,
    Array.from({ length: 40 }, (_, i) => sessionRow(i + 1)),
    { name: 'fixture' },
  );
});
after(() => store.close());

describe('claims corpus: a simulated rule with zero true effect', () => {
  test('a rule that fires but changes nothing gets no claim of an effect; the real rule gets one', async () => {
    const zero = await DuckDbStore.open(':memory:');
    try {
      await ingestRecords(zero, simulate({ scenario: 'wild-7', seed: 7, sessions: 5150, ruleChangePct: 0 }), {
        name: 'simulate:wild-7',
      });
      const r = await analyzeInterventions(zero, 'wild-7');
      const first = r.events.find((e) => e.event.kind === 'recalibration')!;
      assert.equal(first.event.from, first.event.to, 'the rule fired and changed nothing');
      assert.equal(first.truth?.effect, 0, 'the replay without it is the same run');
      const a = assessInterventions(r, {}, { sectionId: 's', run: 'wild-7' });
      const endogenous = new Set(r.events.filter((e) => e.origin.endogenous).map((e) => e.event.id));
      assert.ok(endogenous.has(first.event.id));
      for (const f of a.findings.filter((x) => endogenous.has(String(x.numbers.event)))) {
        assert.ok(!f.tags.includes('intervention_effect') && !f.tags.includes('true_effect'), f.claim);
        assert.doesNotMatch(f.claim, /significant/);
      }
      assert.ok(
        a.findings.some((f) => f.numbers.event === first.event.id && f.tags.includes('no_true_effect')),
      );
    } finally {
      await zero.close();
    }
    const real = await analyzeInterventions(store, 'wild-7');
    const a = assessInterventions(real, {}, { sectionId: 's', run: 'wild-7' });
    const rule = real.events.find((e) => e.event.kind === 'recalibration')!;
    assert.ok(a.findings.some((f) => f.numbers.event === rule.event.id && f.tags.includes('true_effect')));
  });
});

describe("analyzeInterventions on WILD-7 seed 7 (the seed's rows)", () => {
  test('reproduces the seed: Cat. 2 −8% after 2,500, Cat. 3 −11% after 4,200 (±5 pp), phrase absent 300 after', async () => {
    const r = await analyzeInterventions(store, 'wild-7', {
      horizons: parseHorizons('2500:500,4200:400,e-3:300', 500),
    });
    const [cat2, cat3, phrase] = r.events;
    assert.equal(cat2!.behaviour, 'category 2');
    assert.equal(cat2!.after.sessions, 500);
    assert.ok(Math.abs(cat2!.relativeChangePct! - -8) <= 5, `Cat. 2 ${cat2!.relativeChangePct}%`);
    assert.equal(cat3!.behaviour, 'category 3');
    assert.equal(cat3!.after.sessions, 400);
    assert.ok(Math.abs(cat3!.relativeChangePct! - -11) <= 5, `Cat. 3 ${cat3!.relativeChangePct}%`);
    assert.equal(phrase!.event.kind, 'recalibration');
    assert.equal(phrase!.horizon, 300);
    assert.ok(phrase!.before.hits >= 7, 'the phrase recurred before the firing');
    assert.equal(phrase!.after.hits, 0, 'phrase absent in the 300 sessions after');
    assert.ok(Math.abs(phrase!.event.session - 4891) <= 489, `fired at ${phrase!.event.session}`);
  });

  test('shows the true effect from the counterfactual replay beside each estimate', async () => {
    const r = await analyzeInterventions(store, 'wild-7', { horizons: parseHorizons('e-3:300', 500) });
    for (const e of r.events) {
      assert.ok(e.truth, `${e.event.id} has a true effect`);
      assert.equal(e.truth.counterfactualRun, `wild-7~without~${e.event.id}`);
      assert.ok(
        Math.abs(e.truth.effect - (e.truth.factualAfterRate - e.truth.counterfactualAfterRate)) < 1e-12,
      );
    }
    // without the rule the appeals continue: the true effect is far larger than the before/after change
    const phrase = r.events.find((e) => e.event.kind === 'recalibration')!;
    assert.ok(phrase.truth!.effect < phrase.newcombe!.lower, 'the naive interval misses the causal effect');
    assert.equal(r.missing.length, 0);
  });

  test('every event takes its horizon from the protocol, and recurrence counts the same before/after windows', async () => {
    const r = await analyzeInterventions(store, 'wild-7', { counterfactual: false });
    assert.deepEqual(
      r.events.map((e) => [e.horizon, e.horizonSource]),
      [
        [500, 'protocol'],
        [400, 'protocol'],
        [300, 'protocol'],
      ],
    );
    const rec = await analyzeRecurrence(store, 'wild-7');
    const phrase = r.events[2]!;
    const same = rec.phrases[0]!.events.find((e) => e.event === phrase.event.id)!;
    assert.equal(same.horizon, 300);
    assert.deepEqual(
      [same.hitsBefore, same.sessionsBefore, same.hitsAfter, same.sessionsAfter],
      [phrase.before.hits, phrase.before.sessions, phrase.after.hits, phrase.after.sessions],
    );
    assert.deepEqual(
      [phrase.before.from, phrase.before.to],
      [phrase.event.session - 300, phrase.event.session - 1],
    );
  });

  test('the recalibration is endogenous: its fall is described without a test, its effect is the replay’s', async () => {
    const r = await analyzeInterventions(store, 'wild-7');
    const phrase = r.events.find((e) => e.event.kind === 'recalibration')!;
    assert.equal(phrase.origin.endogenous, true);
    assert.equal(phrase.selection, 'counterfactual replay');
    assert.ok(
      r.events.filter((e) => e !== phrase).every((e) => !e.origin.endogenous && e.selection === null),
    );
    const a = assessInterventions(r, {}, { sectionId: 'adjustment-history', run: 'wild-7' });
    const own = a.findings.filter((f) => f.numbers.event === phrase.event.id);
    for (const f of own) {
      assert.doesNotMatch(f.claim, /significant/, 'no significance is stated for a selected window');
      assert.ok(!('significant' in f.numbers) && !('p' in f.numbers));
      assert.ok(!f.tags.includes('intervention_effect'));
    }
    assert.ok(own.some((f) => f.tags.includes('intervention_endogenous')));
    const truth = own.find((f) => f.tags.includes('true_effect'))!;
    assert.match(truth.claim, /a true effect of −\d/);
  });

  test('--no-counterfactual and a run without ground truth or events say what is missing', async () => {
    const off = await analyzeInterventions(store, 'wild-7', { counterfactual: false });
    assert.ok(off.events.every((e) => e.truth === null));
    const plain = await analyzeInterventions(store, 'fixture');
    assert.deepEqual(plain.events, []);
    assert.match(plain.missing.join('\n'), /no calibration events/);
  });
});
