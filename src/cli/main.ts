/**
 * `tabtune <command> [flags]`: results on stdout, progress and errors on stderr,
 * exit code 0 on success, 1 on bad input, 2 on usage errors.
 * Each command lives in its own file under ./commands and is loaded on demand,
 * so `tabtune tokenize` never pays for loading TensorFlow.js.
 */
import { isTabtuneError } from '../core/errors';
import { UsageError } from './args';

interface CommandModule {
  run(argv: string[]): Promise<number | void>;
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  tokenize: { summary: 'WordPiece-tokenize JSON strings from stdin', load: () => import('./commands/tokenize') },
  features: { summary: 'convert a GLUE/TSV/SQuAD file to model features (JSONL)', load: () => import('./commands/features') },
  postprocess: { summary: 'SQuAD logits -> predictions.json, nbest, null odds', load: () => import('./commands/postprocess') },
  evaluate: { summary: 'official SQuAD / GLUE metrics for a predictions file', load: () => import('./commands/evaluate') },
  'run-batch': { summary: 'forward / gradients / optimizer steps on one batch', load: () => import('./commands/run-batch') },
  train: { summary: 'fine-tune a BERT on a GLUE or SQuAD task', load: () => import('./commands/train') },
  predict: { summary: 'predict with a fine-tuned model', load: () => import('./commands/predict') },
  export: { summary: 'write a fine-tuned model for transformers.js / ONNX Runtime', load: () => import('./commands/export') },
  'export-job': { summary: 'write a torchrun job that continues the run on GPUs', load: () => import('./commands/export-job') },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return `usage: tabtune <command> [flags]\n\ncommands:\n${lines.join('\n')}\n\n'tabtune <command> --help' lists a command's flags.\n`;
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`tabtune: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    const mod = await command.load();
    const code = await mod.run(rest);
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`tabtune ${name}: ${e.message}\n`);
      return 2;
    }
    if (isTabtuneError(e)) {
      process.stderr.write(`tabtune ${name}: error: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`tabtune ${name}: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}
