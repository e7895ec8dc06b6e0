/**
 * Which dropped weight files a run will not use, said at drop time (not only in the log at
 * Start): the same choice loadPretrained (core/io/load-pretrained.ts) makes. Safetensors before
 * pytorch_model.bin before a TensorFlow checkpoint; within a kind, model.safetensors (or its
 * model-0000k-of-0000N shards) / pytorch_model.bin, else the single file of that kind; of several
 * TensorFlow checkpoints, the highest step (a `checkpoint` file's choice is made at load).
 *
 *   annotateUnused(files) -> FileReport[] with use 'ignored' and a reason on the unused weights
 */
import { baseName } from '../io/detect';
import type { FileReport } from './events';
import type { KeptFile } from './files';

const SHARDED: Record<'safetensors' | 'pytorch-bin', RegExp> = {
  safetensors: /^model-\d{5}-of-\d{5}\.safetensors$/,
  'pytorch-bin': /^pytorch_model-\d{5}-of-\d{5}\.bin$/,
};
const STANDARD: Record<'safetensors' | 'pytorch-bin', string> = { safetensors: 'model.safetensors', 'pytorch-bin': 'pytorch_model.bin' };

/** The path of every accepted weight file that will not be loaded, with the reason. */
export function unusedWeightFiles(files: readonly KeptFile[]): Map<string, string> {
  const weights = files.filter((f) => f.report.accepted && f.report.use === 'weights' && f.model);
  const unused = new Map<string, string>();
  const chosenOf = (kind: 'safetensors' | 'pytorch-bin'): KeptFile[] => {
    const all = weights.filter((f) => f.model!.kind === kind);
    const std = all.filter((f) => baseName(f.path) === STANDARD[kind] || SHARDED[kind].test(baseName(f.path)));
    const chosen = std.length ? std : all.length === 1 ? all : [];
    for (const f of all) if (!chosen.includes(f)) unused.set(f.path, chosen.length ? `the model's weights are ${chosen.map((c) => baseName(c.path)).join(', ')}` : `several ${kind} files and none named ${STANDARD[kind]}`);
    return chosen;
  };
  const st = chosenOf('safetensors');
  const bin = chosenOf('pytorch-bin');
  const ckpt = weights.filter((f) => f.model!.kind === 'ckpt-index' || f.model!.kind === 'ckpt-data');
  const picked = st.length ? 'safetensors' : bin.length ? 'pytorch-bin' : ckpt.length ? 'ckpt' : null;
  if (picked !== 'safetensors') for (const f of st) unused.set(f.path, `${picked === 'pytorch-bin' ? 'pytorch_model.bin' : 'the TensorFlow checkpoint'} is preferred`);
  if (picked !== 'pytorch-bin') for (const f of bin) unused.set(f.path, `${picked === 'safetensors' ? 'the safetensors weights are' : 'the TensorFlow checkpoint is'} preferred`);
  if (picked !== 'ckpt') for (const f of ckpt) unused.set(f.path, `the ${picked === 'safetensors' ? 'safetensors' : 'pytorch_model.bin'} weights are preferred`);
  else {
    const prefixes = [...new Set(ckpt.map((f) => f.model!.prefix ?? ''))];
    if (prefixes.length > 1) {
      const step = (p: string) => Number(/-(\d+)$/.exec(p)?.[1] ?? -1);
      const best = [...prefixes].sort((a, b) => step(b) - step(a))[0];
      for (const f of ckpt) if ((f.model!.prefix ?? '') !== best) unused.set(f.path, `checkpoint ${best} (the highest step) is loaded, unless a 'checkpoint' file names this one`);
    }
  }
  return unused;
}

/** The file reports with the unused weight files marked 'ignored' and why. */
export function annotateUnused(files: readonly KeptFile[]): FileReport[] {
  const unused = unusedWeightFiles(files);
  return files.map((f) => (unused.has(f.path) ? { ...f.report, use: 'ignored' as const, reason: unused.get(f.path) } : f.report));
}
