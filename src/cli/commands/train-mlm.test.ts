/**
 * `tabtune train --task mlm` and `--trainable ...` end to end on tiny-uncased (WASM backend), with
 * a small corpus written at test time:
 * - masked-LM continued pre-training writes a BertForMaskedLM folder with its cls.predictions
 *   head, metrics.json with the masked-token accuracy, and eval_results.json;
 * - --trainable lora --lora-rank 4 --lora-export adapter writes peft's adapter files; merged (the
 *   default) a plain folder without adapter tensors;
 * - --trainable freeze --freeze-layers beyond the model's layers is refused naming the setting.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../core/backend';
import { readSafetensors } from '../../core/io';
import { sharedPath } from '../../testing/shared';
import { run as train, HELP } from './train';

const tmp = mkdtempSync(join(tmpdir(), 'tabtune-train-mlm-'));
const MODEL = sharedPath('fixtures/model/tiny-uncased');
const VOCAB = sharedPath('fixtures/vocab/bert-base-uncased.txt');
const CORPUS = join(tmp, 'corpus.txt');

beforeAll(async () => {
  await initBackend('wasm');
  writeFileSync(
    CORPUS,
    [
      'The river rose after three days of heavy rain.',
      'Farmers moved their cattle to higher ground.',
      '',
      'The bridge was closed to traffic on Monday.',
      'Engineers inspected the supports for damage.',
      'It opened again a week later.',
      '',
      'Schools in the valley stayed shut until the water fell.',
      'Volunteers cleaned the streets and the market.',
      '',
    ].join('\n'),
  );
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function quiet(argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout += typeof s === 'string' ? s : new TextDecoder().decode(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { code: await train(argv), stdout };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const SMALL = ['--max-seq-length', '24', '--train-batch-size', '2', '--num-train-epochs', '1', '--eval-every-steps', '2', '--learning-rate', '1e-3', '--seq-buckets', '16'];
const base = (out: string) => ['--model', MODEL, '--vocab', VOCAB, '--task', 'mlm', '--train', CORPUS, '--out', out, ...SMALL];

describe('tabtune train --task mlm', () => {
  it('lists the task and the masked-LM and trainable flags with their sources in --help', () => {
    expect(HELP).toMatch(/--task TASK .* mlm/);
    expect(HELP).toMatch(/--masked-lm-prob X[\s\S]*create_pretraining_data\.py --masked_lm_prob=0\.15/);
    expect(HELP).toMatch(/--trainable NAME[\s\S]*\(full \| lora \| freeze\)/);
    expect(HELP).toMatch(/--lora-rank N[\s\S]*peft LoraConfig r=8/);
    expect(HELP).toMatch(/--lora-export MODE/);
  });

  it('pre-trains on a .txt and writes a BertForMaskedLM folder with its head and the masked-token accuracy', async () => {
    const out = join(tmp, 'mlm');
    const r = await quiet(base(out));
    expect(r.code).toBe(0);
    const final = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(final.status).toBe('completed');
    expect(final.masked_accuracy).toBeGreaterThanOrEqual(0);
    expect(final.masked_accuracy).toBeLessThanOrEqual(1);
    expect(Number.isFinite(final.mlm_loss)).toBe(true);
    const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(cfg.architectures).toEqual(['BertForMaskedLM']);
    const names = [...readSafetensors(new Uint8Array(readFileSync(join(out, 'model.safetensors')))).tensors.keys()];
    expect(names).toEqual(expect.arrayContaining(['cls.predictions.transform.dense.weight', 'cls.predictions.transform.LayerNorm.weight', 'cls.predictions.bias']));
    expect(JSON.parse(readFileSync(join(out, 'eval_results.json'), 'utf8'))).toMatchObject({ masked_accuracy: final.masked_accuracy, predicted_positions: expect.any(Number) });
  }, 300_000);

  it('--trainable lora --lora-rank 4 --lora-export adapter writes peft adapter files; merged writes a plain folder', async () => {
    const adapter = join(tmp, 'lora-adapter');
    expect((await quiet([...base(adapter), '--trainable', 'lora', '--lora-rank', '4', '--lora-alpha', '8', '--lora-export', 'adapter'])).code).toBe(0);
    expect(JSON.parse(readFileSync(join(adapter, 'adapter_config.json'), 'utf8'))).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: ['query', 'value'], modules_to_save: ['cls'] });
    const tensors = readSafetensors(new Uint8Array(readFileSync(join(adapter, 'adapter_model.safetensors')))).tensors;
    expect(tensors.get('base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight')!.shape).toEqual([4, 32]);
    expect(existsSync(join(adapter, 'model.safetensors'))).toBe(false);

    const merged = join(tmp, 'lora-merged');
    expect((await quiet([...base(merged), '--trainable', 'lora', '--lora-rank', '4'])).code).toBe(0);
    const names = [...readSafetensors(new Uint8Array(readFileSync(join(merged, 'model.safetensors')))).tensors.keys()];
    expect(names.some((n) => n.includes('lora_'))).toBe(false);
    expect(names).toContain('bert.encoder.layer.1.attention.self.value.weight');
  }, 300_000);

  it('refuses a bad trainable choice before training, naming the flag or the setting', async () => {
    await expect(quiet([...base(join(tmp, 'bad1')), '--trainable', 'lora', '--lora-rank', '0'])).rejects.toThrow(/--lora-rank: expected at least 1/);
    await expect(quiet([...base(join(tmp, 'bad2')), '--trainable', 'freeze', '--freeze-layers', '5'])).rejects.toThrow(/Freeze first N layers: 5 exceeds the model's 2 layers/);
    await expect(quiet([...base(join(tmp, 'bad3')), '--lora-export', 'both'])).rejects.toThrow(/--lora-export must be merged or adapter/);
  });
});
