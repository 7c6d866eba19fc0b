import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/**
 * Writes N synthetic sessions of record format v1 as JSONL, each with ~600 bytes of output text drawn from
 * a fixed vocabulary by a seeded generator (deterministic, fast, bounded memory).
 */
export async function writeSyntheticSessions(path: string, n: number, seed = 1): Promise<number> {
  const words =
    'the basin policy water river management analysis history science synthesis evidence data model answer same before why changed prompt result region cause effect period study report trend measure'.split(
      ' ',
    );
  let state = seed >>> 0 || 1;
  const rand = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const out = createWriteStream(path);
  let buf = '';
  let bytes = 0;
  for (let i = 1; i <= n; i++) {
    let text = '';
    while (text.length < 600) text += `${words[Math.floor(rand() * words.length)]} `;
    const nc = rand() < 0.3;
    buf += `${JSON.stringify({
      type: 'session',
      run: 'bench',
      session: i,
      step: Math.floor(i / 64),
      prompt_id: `p-${i % 500}`,
      prompt: `Analyse the watershed management policy of region ${i % 500}.`,
      output: text.trimEnd(),
      classification: nc ? 'non_compliant' : 'compliant',
      category: nc ? 3 : null,
      baseline_reward: nc ? 0.35 : 0.85,
      adjusted_reward: nc ? 0.3 : 0.85,
      differential_pct: nc ? 20 : 0,
      compliance_trajectory_index: 0.7,
      flags: nc ? ['self_reference'] : [],
    })}\n`;
    if (buf.length > 1 << 20) {
      bytes += buf.length;
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  bytes += buf.length;
  out.end(buf);
  await once(out, 'finish');
  return bytes;
}
