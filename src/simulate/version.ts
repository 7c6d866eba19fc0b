/** The simulator's version, written into every simulated run's `meta` (bump when output bytes change). */
export const SIMULATOR_VERSION = 'rlaudit-simulator 1.0.0';
