import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUILT_IN_TEMPLATES, loadTemplate } from '../../src/audit/template.ts';

// The one window convention (docs/analyses.md, "Before and after an event"): an event has one horizon in the
// whole report, so every analysis that looks before/after events is given the same horizons by a template.
test('every built-in template gives interventions and recurrence the same horizons', () => {
  for (const name of BUILT_IN_TEMPLATES) {
    const steps = loadTemplate(name).sections.flatMap((s) => s.analyses);
    const horizons = new Set(
      steps
        .filter((a) => a.name === 'interventions' || a.name === 'recurrence')
        .map((a) => String((a.params as { horizons?: unknown }).horizons ?? '(default)')),
    );
    assert.ok(horizons.size <= 1, `${name}: ${[...horizons].join(' vs ')}`);
  }
});
