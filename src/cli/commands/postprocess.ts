/**
 * `tabtune postprocess --data SQUAD.json --features FILE --logits FILE --out-dir DIR ...`
 * run_squad.write_predictions: writes predictions.json, nbest_predictions.json and, with
 * --version-2-with-negative, null_odds.json (json.dumps(indent=4) as the original writes them).
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { checkOutputFile } from '../../platform/node/output-paths';
import { join } from 'node:path';
import { TabtuneError } from '../../core/errors';
import { sourceFromFile } from '../../platform/node/data-source';
import { readSquad } from '../../core/data';
import { createBasicTokenize } from '../../core/eval';
import { pythonJsonDumps } from '../../core/eval';
import { nbestJson, nullOddsJson, postprocessSquad, predictionsJson } from '../../core/eval';
import { checkPostprocessInputs, readPostprocessFeatures, readRawResults } from '../../core/eval';
import { parseFlags, requireFlag, settingFlag, UsageError } from '../args';

const HELP = `usage: tabtune postprocess --data SQUAD.json --features FILE --logits FILE --out-dir DIR
                           [--n-best-size 20] [--max-answer-length 30]
                           [--null-score-diff-threshold 0] [--version-2-with-negative] [--no-lower-case]

run_squad.write_predictions: turns per-feature start/end logits into answers.

  --data FILE                     the SQuAD JSON the features were built from (read in eval mode)
  --features FILE                 eval features, JSONL (as \`tabtune features --mode eval\` writes)
  --logits FILE                   JSONL, one {"unique_id", "start_logits", "end_logits"} per feature
  --out-dir DIR                   writes predictions.json, nbest_predictions.json (and null_odds.json)
  --n-best-size N                 candidates kept per question (default 20)
  --max-answer-length N           longest answer in WordPieces (default 30)
  --null-score-diff-threshold X   SQuAD 2.0: answer "" when null − best non-null score > X (default 0)
  --version-2-with-negative       SQuAD 2.0: consider the null answer, write null_odds.json
  --no-lower-case                 the model is cased (get_final_text's BasicTokenizer keeps case)
`;

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(
    argv,
    {
      data: { type: 'string' },
      features: { type: 'string' },
      logits: { type: 'string' },
      'out-dir': { type: 'string' },
      'n-best-size': { type: 'string' },
      'max-answer-length': { type: 'string' },
      'null-score-diff-threshold': { type: 'string' },
      'version-2-with-negative': { type: 'boolean' },
      'no-lower-case': { type: 'boolean' },
    },
    HELP,
  );
  const dataFile = requireFlag(flags.data, 'data');
  const featuresFile = requireFlag(flags.features, 'features');
  const logitsFile = requireFlag(flags.logits, 'logits');
  const outDir = requireFlag(flags['out-dir'], 'out-dir');
  // The three outputs may replace earlier ones, never an input.
  const inputs = [{ path: dataFile, what: 'the SQuAD file (--data)' }, { path: featuresFile, what: 'the features file (--features)' }, { path: logitsFile, what: 'the logits file (--logits)' }];
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new TabtuneError('--out-dir is an existing file', { file: outDir, expected: 'a folder to write predictions.json into', code: 'out-is-file' });
  for (const name of ['predictions.json', 'nbest_predictions.json', 'null_odds.json']) checkOutputFile(join(outDir, name), inputs, { flag: '--out-dir', overwrite: true });
  const nBestSize = settingFlag(flags['n-best-size'], 'n-best-size', 'nBestSize', 20);
  const maxAnswerLength = settingFlag(flags['max-answer-length'], 'max-answer-length', 'maxAnswerLength', 30);
  if (nBestSize < 1) throw new UsageError('--n-best-size must be at least 1');
  if (maxAnswerLength < 1) throw new UsageError('--max-answer-length must be at least 1');
  const threshold = settingFlag(flags['null-score-diff-threshold'], 'null-score-diff-threshold', 'nullScoreDiffThreshold', 0);
  const v2 = flags['version-2-with-negative'] ?? false;

  const { examples, stats } = await readSquad(sourceFromFile(dataFile, dataFile), {
    training: false,
    version2: v2,
    onSkip: (e) => process.stderr.write(`tabtune postprocess: warning: skipped ${e.message}\n`),
  });
  const features = await readPostprocessFeatures(sourceFromFile(featuresFile, featuresFile));
  const results = await readRawResults(sourceFromFile(logitsFile, logitsFile));
  checkPostprocessInputs(examples, features, results, { data: dataFile, features: featuresFile, logits: logitsFile });
  if (stats.version === 2 && !v2) {
    process.stderr.write('tabtune postprocess: note: the data is SQuAD 2.0; without --version-2-with-negative the null answer is never predicted\n');
  }

  const preds = postprocessSquad(examples, features, results, {
    nBestSize,
    maxAnswerLength,
    version2WithNegative: v2,
    nullScoreDiffThreshold: threshold,
    basicTokenize: createBasicTokenize(!flags['no-lower-case']),
  });

  try {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'predictions.json'), pythonJsonDumps(predictionsJson(preds)) + '\n');
    writeFileSync(join(outDir, 'nbest_predictions.json'), pythonJsonDumps(nbestJson(preds)) + '\n');
    if (v2) writeFileSync(join(outDir, 'null_odds.json'), pythonJsonDumps(nullOddsJson(preds)) + '\n');
  } catch (e) {
    throw new TabtuneError(`cannot write the outputs (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      file: outDir,
      expected: 'a writable directory',
      code: 'write',
    });
  }
  const files = v2 ? 'predictions.json, nbest_predictions.json, null_odds.json' : 'predictions.json, nbest_predictions.json';
  process.stderr.write(`tabtune postprocess: ${preds.length} questions, ${features.length} features -> ${outDir} (${files})\n`);
  return 0;
}
