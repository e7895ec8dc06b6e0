/**
 * Training settings: one table (schema.ts, after Hugging Face's TrainingArguments) from which the
 * run config, validation, the page's form and the CLI's flags are derived; validate.ts checks
 * values against the table, each other, the model and the data.
 */
export type { Settings, SettingKey, SettingField, SettingKind, SettingScope, SettingDefault } from './schema';
export { SETTINGS_SCHEMA, settingField, isSettingKey, appliesTo, fieldsForTask, fieldDefault, defaultSettings } from './schema';
export type { SettingsContext, SettingIssue, SettingAdaptation, ResolvedSettings, ResolveInput, ParsedSetting } from './validate';
export { fieldError, parseSettingValue, validateSettings, resolveSettings, settingsPatch, maxTokensForDoc } from './validate';
export type { FlagSpec, FlagEdits } from './flags';
export { settingsFlagSpec, editsFromFlags, settingsHelp } from './flags';
export type { MemoryCheck, MemoryLimit } from './validate';
export { memoryIssue, measuredPeakBytes, largestBatchThatFits } from './validate';
export type { TrainableMode, LoraTargetSet } from './schema';
export { trainableSpecOf, trainableIssues } from './trainable-settings';
export { TRAIN_FILE_EVAL_EXAMPLES } from './validate';
