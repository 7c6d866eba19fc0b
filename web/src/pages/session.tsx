import { useEffect } from 'preact/hooks';
import { api, seg } from '../api.ts';
import { href, navigate } from '../router.ts';
import type { ReviewPage, SessionResponse } from '../types.ts';
import { ClassChip, fmt, LongText, ModelText, Section, Status, useLoad } from '../ui.tsx';

/**
 * Page 4: one session whole. The three layers side by side (output, annotations, reward signal), the events
 * at it, its neighbours, and the same prompt's other outputs across training. ←/→ (or k/j) step to the
 * previous and next session.
 */
export function SessionPage({ run, session }: { run: string; session: number }) {
  const state = useLoad(`session:${run}:${session}`, () =>
    api<SessionResponse>(`runs/${seg(run)}/sessions/${session}`),
  );
  const near = useLoad(`near:${run}:${session}`, () =>
    api<ReviewPage>(`runs/${seg(run)}/sessions`, {
      from: Math.max(0, session - 5),
      to: session + 5,
      limit: 11,
      chars: 100,
    }),
  );
  const d = state.data;
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (
        t.tagName === 'INPUT' ||
        t.tagName === 'SELECT' ||
        t.tagName === 'TEXTAREA' ||
        e.ctrlKey ||
        e.metaKey ||
        e.altKey
      )
        return;
      // only once this session's data is in (not the previous session's, still shown while it loads)
      if (d?.session !== session) return;
      if ((e.key === 'ArrowLeft' || e.key === 'k') && d?.previous != null)
        navigate(href(['run', run, 'session', d.previous]));
      if ((e.key === 'ArrowRight' || e.key === 'j') && d?.next != null)
        navigate(href(['run', run, 'session', d.next]));
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, [run, d, session]);
  return (
    <Status state={state}>
      {(s) => (
        <>
          <section class="panel">
            <h1>
              Session {fmt(s.session)} <span class="muted">of run</span> <ModelText text={run} />
              {s.phase !== 'training' && (
                <span class="muted" data-testid="phase">
                  {' · '}
                  <ModelText text={s.phase} />
                  {s.checkpoint !== null && (
                    <>
                      {' (checkpoint '}
                      <ModelText text={s.checkpoint} />
                      {')'}
                    </>
                  )}
                </span>
              )}
            </h1>
            <p class="muted">
              {s.previous !== null ? (
                <a href={href(['run', run, 'session', s.previous])} data-testid="prev">
                  ← session {s.previous}
                </a>
              ) : (
                'first session'
              )}
              {' · '}
              {s.next !== null ? (
                <a href={href(['run', run, 'session', s.next])} data-testid="next">
                  session {s.next} →
                </a>
              ) : (
                'last session'
              )}
              {' · '}
              <a
                href={href(['run', run, 'index'], {
                  from: Math.max(0, s.session - 200),
                  to: s.session + 200,
                })}
              >
                in the index
              </a>
              {s.step !== null
                ? ` · step ${s.step} (${(s.indexInStep ?? 0) + 1} of ${s.sessionsInStep})`
                : ''}
              {s.time ? ` · ${s.time}` : ''}
            </p>
          </section>
          <div class="layers" data-testid="layers">
            <section class="panel layer">
              <h2>Output</h2>
              <h3>
                prompt{' '}
                {s.promptId ? (
                  <span class="muted">
                    (<ModelText text={s.promptId} />)
                  </span>
                ) : null}
              </h3>
              <div class="text-box" data-testid="prompt">
                {s.prompt === null ? (
                  <span class="muted">no prompt recorded</span>
                ) : (
                  <LongText text={s.prompt} />
                )}
              </div>
              <h3>
                output <span class="muted">({fmt(s.output.length)} characters)</span>
              </h3>
              <div class="text-box output" data-testid="output">
                <LongText text={s.output} />
              </div>
            </section>
            <section class="panel layer">
              <h2>Annotations ({s.annotations.length})</h2>
              {s.annotations.length === 0 ? <p class="muted">none</p> : null}
              <ul class="annotations" data-testid="annotations">
                {s.annotations.map((a) => (
                  <li key={a.id}>
                    <strong>
                      <ModelText text={a.author ?? 'unknown'} />
                    </strong>{' '}
                    <span class="muted">
                      <ModelText text={a.id} /> {a.time ?? ''}{' '}
                      {a.classification ? <ModelText text={a.classification} /> : null}
                    </span>
                    <div class="text-box">
                      <LongText text={a.text} />
                    </div>
                  </li>
                ))}
              </ul>
            </section>
            <section class="panel layer">
              <h2>Reward signal</h2>
              <dl class="facts" data-testid="reward">
                <dt>classification</dt>
                <dd>
                  <ClassChip classification={s.classification} category={s.category} />
                </dd>
                <dt>baseline reward</dt>
                <dd>{fmt(s.baselineReward, 4)}</dd>
                <dt>adjusted reward</dt>
                <dd>{fmt(s.adjustedReward, 4)}</dd>
                <dt>differential</dt>
                <dd>{s.differentialPct === null ? '–' : `${fmt(s.differentialPct, 2)} %`}</dd>
                <dt>trajectory index</dt>
                <dd>{fmt(s.complianceTrajectoryIndex, 3)}</dd>
                <dt>flags</dt>
                <dd>{s.flags.length === 0 ? '–' : <ModelText text={s.flags.join(', ')} />}</dd>
              </dl>
              <h3>Calibration events at this session</h3>
              {s.events.length === 0 ? <p class="muted">none</p> : null}
              <ul data-testid="events">
                {s.events.map((e) => (
                  <li key={e.id}>
                    <strong>
                      <ModelText text={e.id} />
                    </strong>{' '}
                    <ModelText text={e.kind} /> <ModelText text={e.parameter ?? ''} /> {fmt(e.from, 4)} →{' '}
                    {fmt(e.to, 4)}
                    {e.changePct !== null ? ` (${fmt(e.changePct, 1)} %)` : ''}{' '}
                    <ModelText text={JSON.stringify(e.target)} />
                    {e.recommendedBy ? (
                      <>
                        {' '}
                        · <ModelText text={e.recommendedBy} />
                      </>
                    ) : null}
                    {e.note ? (
                      <div class="text-box">
                        <ModelText text={e.note} />
                      </div>
                    ) : null}
                  </li>
                ))}
              </ul>
            </section>
          </div>
          <Section title="Neighbours">
            <Status state={near}>
              {(p) => (
                <table class="data">
                  <tbody>
                    {p.rows.map((r) => (
                      <tr key={r.session} class={r.session === s.session ? 'cursor' : ''}>
                        <td class="num">
                          <a href={href(['run', run, 'session', r.session])}>{r.session}</a>
                        </td>
                        <td>
                          <ClassChip classification={r.classification} category={r.category} />
                        </td>
                        <td class="num">{fmt(r.adjustedReward ?? r.baselineReward)}</td>
                        <td class="out">
                          <ModelText text={r.outputStart} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Status>
          </Section>
          <Section title="The same prompt across training">
            <p class="muted" data-testid="same-prompt-total">
              {s.samePrompt.by === 'none'
                ? 'this session records no prompt'
                : `${fmt(s.samePrompt.total)} other session(s) with the same ${s.samePrompt.by === 'prompt_id' ? 'prompt id' : 'prompt'}${s.samePrompt.total > s.samePrompt.rows.length ? `; ${s.samePrompt.rows.length} spread over training shown` : ''}`}
            </p>
            <table class="data">
              <tbody>
                {s.samePrompt.rows.map((r) => (
                  <tr key={r.session}>
                    <td class="num">
                      <a href={href(['run', run, 'session', r.session])}>{r.session}</a>
                    </td>
                    <td class="num">{fmt(r.step)}</td>
                    <td>
                      <ClassChip classification={r.classification} category={r.category} />
                    </td>
                    <td class="num">{fmt(r.reward)}</td>
                    <td class="out">
                      <ModelText text={r.outputStart} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
        </>
      )}
    </Status>
  );
}
