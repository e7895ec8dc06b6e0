/** The io module's public surface: what code outside core may import. */
export { FINGERPRINT_HEAD_BYTES, checkpointBytes, createMemoryRunStorage, fingerprintFiles, patchRun, seriesFromSteps, stepsFromSeries } from './run-storage';
export type { CheckpointInfo, RunRecord, RunStorage, StoredCheckpoint, StoredSeries } from './run-storage';
export { blobSource, bytesSource, readSafetensors, writeSafetensors } from './safetensors';
export type { ByteSource, LoadedTensor } from './safetensors';
export { loadPretrained } from './load-pretrained';
export type { PretrainedModel } from './load-pretrained';
export { exportHfFolder, zipFolder } from './export-hf';
export { parseBertConfig } from './config';
export type { ParsedConfig } from './config';
export { baseName, detectModelFile, looksLikeWordPieceVocab } from './detect';
export type { ModelFileInfo } from './detect';
export { runCheckpointStore } from './run-storage-checkpoints';
