/**
 * Bounds of the feature path, checked before any array is sized from a setting.
 *
 * MAX_SEQ_LENGTH: the longest sequence a feature may have. BERT's position table holds 512
 * (CONFIG_LIMITS allows up to 65,536 for odd models, and a model run checks the setting against
 * its own max_position_embeddings); feature conversion runs before or without a model (the
 * `features` command), so it needs its own bound: a max_seq_length of 1e9 would otherwise make
 * 1e9-long arrays per feature. 8,192 is 16 times BERT's length.
 */
export const MAX_SEQ_LENGTH = 8192;
