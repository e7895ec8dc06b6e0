/** The job folder's README.md: what is in it and the commands for one GPU, one machine, several. */
import type { TorchJobSettings } from './job-folder';

export function jobReadme(s: TorchJobSettings, layers: number, hidden: number): string {
  const o = s.optimizer;
  const r = s.run;
  const taskFlag = s.task;
  const dev = s.data.dev_file;
  return `# Tabtune job: ${s.task}, BERT ${layers} layers × ${hidden}

This folder continues a Tabtune fine-tuning run with PyTorch's DistributedDataParallel. It
needs only Python 3 and PyTorch (no \`transformers\`, no tokenizer: the features are already
converted, exactly as Tabtune trains on them).

| | |
|---|---|
| training features | ${s.data.num_train_features} (from ${s.data.num_train_examples} examples), \`${s.data.train_shards.length}\` shard(s) in features/ |
| batch | ${r.train_batch_size} per micro-batch (split across all GPUs) × ${r.gradient_accumulation_steps} accumulated |
| steps | ${o.num_train_steps} optimizer steps, ${o.num_warmup_steps} warmup, schedule ${o.schedule} |
| optimizer | ${o.name}, lr ${o.learning_rate}, weight decay ${o.weight_decay}, clip ${o.max_grad_norm} |
| dropout | ${r.dropout ? 'on (the model config\'s rates)' : 'off'} |
| seed | ${r.seed} (the data order is Tabtune's, drawn from it) |

The global batch stays ${r.train_batch_size} whatever the number of GPUs: each micro-batch is
split across the ranks and DDP averages the gradients, so the loss curve is the same on 1 or 64
GPUs (with dropout off it equals \`tabtune train\`'s within float rounding).

## One GPU (or the CPU)

\`\`\`sh
python train.py
\`\`\`

## One machine, 8 GPUs

\`\`\`sh
torchrun --nproc_per_node=8 train.py
\`\`\`

## Several machines (here 4 × 8 GPUs)

Copy this folder to every machine (or a shared file system), then on each machine:

\`\`\`sh
torchrun --nnodes=4 --nproc_per_node=8 --node_rank=$NODE_RANK \\
         --rdzv_backend=c10d --rdzv_endpoint=$MASTER_HOST:29500 --rdzv_id=tabtune-job train.py
\`\`\`

On Slurm: \`srun --nodes=4 --ntasks-per-node=1 torchrun --nnodes=4 --nproc_per_node=8
--rdzv_backend=c10d --rdzv_endpoint=$(scontrol show hostnames | head -n1):29500 train.py\`.
Without GPUs it runs on CPUs with the gloo backend (\`torchrun --nproc_per_node=2 train.py\`).
PyTorch 1.13 under Python 3.11 (Debian 12's \`python3-torch\`) has a torchrun bug with its default
\`--redirects 0\` (\`'NoneType' object has no attribute 'get'\`): add \`--redirects 1 --tee 1\`.

## Output

\`output/\` gets the fine-tuned model as a Hugging Face folder (\`config.json\`,
\`model.safetensors\`, \`vocab.txt\`, \`tokenizer_config.json\`) and \`metrics.json\` in
\`tabtune train\`'s format (\`train: [{step, loss, learning_rate}]\`). Load it back into the Tabtune
page (drop the folder) or use it from the command line:

\`\`\`sh
${dev ? `npx tabtune predict --model output --task ${taskFlag} --data ${dev} --out predictions
` : ''}npx tabtune export --model output --format onnx --out web-model   # for transformers.js
\`\`\`

Files: \`settings.json\` (the run), \`model/\` (the starting weights, new head initialised as Tabtune
did), \`features/\` (input_ids, token_type_ids, attention_mask and labels or start/end positions,
int32, padded to ${r.max_seq_length}), \`train.py\`.
`;
}
