/** One prompt of the bank. `topic` and `term` are the noun phrases an answer weaves into its template. */
export interface Prompt {
  readonly id: string;
  readonly domain: 'policy analysis' | 'science' | 'history' | 'knowledge synthesis';
  readonly text: string;
  /** The subject, as it reads inside a sentence ("watershed management policy"). */
  readonly topic: string;
  /** One concrete aspect of the subject the answer names ("downstream flow"). */
  readonly term: string;
}

type Row = readonly [text: string, topic: string, term: string];

const POLICY: readonly Row[] = [
  [
    'Analyse the watershed management policy of the upper river basin.',
    'watershed management policy',
    'downstream flow',
  ],
  [
    'Assess the effects of a congestion charge on a mid-sized city centre.',
    'congestion charge',
    'bus ridership',
  ],
  ['Evaluate a carbon tax with a per-capita dividend.', 'carbon tax', 'household dividends'],
  [
    'Review the rent stabilisation ordinance proposed for the harbour district.',
    'rent stabilisation ordinance',
    'housing supply',
  ],
  [
    'Analyse the fishing quota system of the northern coastal fleet.',
    'fishing quota system',
    'stock recovery',
  ],
  ['Assess a four-day working week pilot in the public sector.', 'four-day week pilot', 'staff retention'],
  [
    'Evaluate the school voucher programme introduced last year.',
    'school voucher programme',
    'enrolment shifts',
  ],
  [
    'Analyse the minimum wage increase planned for the retail sector.',
    'minimum wage increase',
    'retail employment',
  ],
  [
    'Review the drought contingency plan of the regional water authority.',
    'drought contingency plan',
    'reservoir levels',
  ],
  [
    'Assess the wildfire prevention strategy for the eastern forests.',
    'wildfire prevention strategy',
    'fuel loads',
  ],
  ['Evaluate the plastic bag levy after its first two years.', 'plastic bag levy', 'litter counts'],
  [
    'Analyse the agricultural subsidy reform for smallholder farms.',
    'agricultural subsidy reform',
    'farm incomes',
  ],
  [
    'Review the coastal flood defence programme for the estuary towns.',
    'coastal flood defence',
    'tidal surges',
  ],
  ['Assess the public broadband rollout in rural districts.', 'broadband rollout', 'rural coverage'],
  ['Evaluate the pension indexation rule adopted by the treasury.', 'pension indexation rule', 'fiscal cost'],
  ['Analyse the urban tree canopy programme of the capital.', 'tree canopy programme', 'heat islands'],
];

const SCIENCE: readonly Row[] = [
  ['Explain why coral bleaching occurs and what follows it.', 'coral bleaching', 'symbiotic algae'],
  ['Describe how mRNA vaccines train the immune system.', 'mRNA vaccines', 'spike proteins'],
  ['Explain the greenhouse effect to a first-year student.', 'greenhouse effect', 'infrared radiation'],
  ['Summarise how plate tectonics shapes mountain ranges.', 'plate tectonics', 'subduction zones'],
  ['Explain how antibiotic resistance spreads in hospitals.', 'antibiotic resistance', 'gene transfer'],
  ['Describe the life cycle of a massive star.', 'stellar evolution', 'core collapse'],
  ['Explain how photosynthesis converts light into chemical energy.', 'photosynthesis', 'chlorophyll'],
  ['Summarise what is known about ocean acidification.', 'ocean acidification', 'carbonate chemistry'],
  ['Explain how lithium-ion batteries degrade over time.', 'battery degradation', 'electrode wear'],
  ['Describe how the gut microbiome affects health.', 'gut microbiome', 'bacterial diversity'],
  ['Explain the causes of the seasons on Earth.', 'seasonal cycle', 'axial tilt'],
  ['Summarise how CRISPR gene editing works.', 'CRISPR editing', 'guide RNA'],
  ['Explain why permafrost thaw matters for the climate.', 'permafrost thaw', 'methane release'],
  ['Describe how vaccines produce herd immunity.', 'herd immunity', 'transmission chains'],
  ['Explain how glaciers carve valleys.', 'glacial erosion', 'ice flow'],
  ['Summarise the evidence for dark matter.', 'dark matter', 'galaxy rotation'],
];

const HISTORY: readonly Row[] = [
  ['Explain the causes of the fall of the Western Roman Empire.', 'Roman decline', 'frontier pressure'],
  ['Describe the economic effects of the Black Death in Europe.', 'Black Death', 'labour shortages'],
  ['Summarise the origins of the Industrial Revolution in Britain.', 'Industrial Revolution', 'coal supply'],
  ['Explain why the printing press spread so quickly.', 'printing press', 'literacy rates'],
  ['Describe the role of the Silk Road in medieval trade.', 'Silk Road', 'caravan routes'],
  ['Summarise the causes of the First World War.', 'First World War', 'alliance systems'],
  ['Explain the significance of the Meiji Restoration.', 'Meiji Restoration', 'rapid industrialisation'],
  ['Describe how the Dust Bowl changed American farming.', 'Dust Bowl', 'soil conservation'],
  ['Summarise the achievements of the Abbasid Caliphate.', 'Abbasid Caliphate', 'translation movement'],
  ['Explain the consequences of the Treaty of Westphalia.', 'Treaty of Westphalia', 'state sovereignty'],
  ['Describe the Green Revolution in South Asia.', 'Green Revolution', 'crop yields'],
  ['Summarise the decolonisation of West Africa.', 'West African decolonisation', 'independence movements'],
  ['Explain the collapse of the Bronze Age Mediterranean.', 'Bronze Age collapse', 'trade networks'],
  ['Describe the building of the transcontinental railroad.', 'transcontinental railroad', 'migrant labour'],
  ['Summarise the Hanseatic League and its decline.', 'Hanseatic League', 'merchant guilds'],
  ['Explain why the Berlin Wall fell in 1989.', 'Berlin Wall', 'mass protest'],
];

const SYNTHESIS: readonly Row[] = [
  ['Synthesise the research on remote work and productivity.', 'remote work', 'meeting load'],
  ['Summarise what studies say about sleep and memory.', 'sleep research', 'memory consolidation'],
  ['Synthesise the evidence on microfinance and poverty.', 'microfinance', 'loan repayment'],
  ['Compare the main theories of language acquisition.', 'language acquisition', 'child input'],
  ['Summarise the literature on urban cycling safety.', 'cycling safety', 'protected lanes'],
  ['Synthesise what is known about screen time in children.', 'screen time', 'sleep quality'],
  ['Summarise the evidence on class size and learning.', 'class size', 'test scores'],
  ['Compare approaches to managing invasive species.', 'invasive species', 'native habitats'],
  ['Synthesise the findings on universal basic income pilots.', 'basic income pilots', 'labour supply'],
  [
    'Summarise the research on misinformation and social media.',
    'online misinformation',
    'sharing behaviour',
  ],
  ['Compare the main models of corporate governance.', 'corporate governance', 'board independence'],
  ['Synthesise the evidence on exercise and depression.', 'exercise therapy', 'symptom relief'],
  ['Summarise what is known about bilingual education.', 'bilingual education', 'reading outcomes'],
  ['Compare strategies for reducing food waste.', 'food waste', 'supply chains'],
  ['Synthesise the research on open-plan offices.', 'open-plan offices', 'noise levels'],
  ['Summarise the debate on nuclear power and safety.', 'nuclear power', 'accident risk'],
];

function build(domain: Prompt['domain'], rows: readonly Row[], start: number): Prompt[] {
  return rows.map(([text, topic, term], i) => ({
    id: `p-${String(start + i).padStart(4, '0')}`,
    domain,
    text,
    topic,
    term,
  }));
}

/** The 64 prompts of the WILD-7 scenario: policy analysis, science, history and knowledge synthesis. */
export const PROMPT_BANK: readonly Prompt[] = [
  ...build('policy analysis', POLICY, 1),
  ...build('science', SCIENCE, 17),
  ...build('history', HISTORY, 33),
  ...build('knowledge synthesis', SYNTHESIS, 49),
];
