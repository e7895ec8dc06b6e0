/**
 * The torchrun job folder as bytes (core, no Node): the feature shards hold exactly the rows
 * Tabtune's TrainSet collates (padded back to max_seq_length), settings.json the run's counts;
 * the HF model folder and train.py are there. (Running it: src/cli/commands/export-job.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../../testing/fixture-case';
import { createTokenizer } from '../../tokenizer';
import { parseVocab } from '../../tokenizer/vocab';
import { sourceFromFile } from '../../../platform/node/data-source';
import { countTrainSteps, resolveTrainingConfig } from '../../train/run-config';
import { createTaskAdapter } from '../../train/task';
import { readSafetensors } from '../safetensors';
import { readShared, sharedPath } from '../../../testing/shared';
import { exportTorchJob, type TorchJobSettings } from './job-folder';

describe('exportTorchJob', () => {
  it('writes the model, the features as Tabtune collates them (two shards), settings.json, train.py and README.md', async () => {
    const f = loadFixture('tiny-uncased');
    const vocabText = readShared('fixtures', 'vocab', 'bert-base-uncased.txt');
    const tokenizer = createTokenizer(parseVocab(vocabText), { doLowerCase: true });
    const config = resolveTrainingConfig('mrpc', { maxSeqLength: 48, maxTrainExamples: 50, trainBatchSize: 8, gradientAccumulationSteps: 3, seqBuckets: [16, 32] });
    const adapter = await createTaskAdapter({ tokenizer, config, train: sourceFromFile(sharedPath('datasets', 'glue', 'MRPC', 'train.tsv')) });
    const train = adapter.train!;
    const files = exportTorchJob({
      model: { config: f.config, head: adapter.head, weights: f.weights, vocabText, doLowerCase: true },
      training: config,
      train,
      dev: { name: 'some/dir/dev.tsv', bytes: new Uint8Array([1, 2, 3]) },
      featuresPerShard: 30,
    });
    const byPath = new Map(files.map((x) => [x.path, x.bytes]));
    expect([...byPath.keys()].sort()).toEqual([
      'README.md', 'data/dev.tsv', 'features/train-00001-of-00002.safetensors', 'features/train-00002-of-00002.safetensors',
      'model/config.json', 'model/model.safetensors', 'model/tokenizer_config.json', 'model/vocab.txt', 'settings.json', 'train.py',
    ]);
    const settings = JSON.parse(new TextDecoder().decode(byPath.get('settings.json'))) as TorchJobSettings;
    const counts = countTrainSteps(config, train.numFeatures);
    expect(settings.data).toMatchObject({ num_train_features: 50, micro_batches_per_epoch: counts.microBatchesPerEpoch, total_micro_batches: counts.numTrainSteps * 3, dev_file: 'data/dev.tsv' });
    expect(settings.optimizer).toMatchObject({ name: 'bert-adam', num_train_steps: counts.numTrainSteps, num_warmup_steps: counts.numWarmupSteps, epsilon: 1e-6 });
    expect(settings.head).toEqual({ kind: 'classification', num_outputs: 2, labels: ['0', '1'] });

    // Every row equals the TrainSet's own collation of that feature, padded to 48.
    let row = 0;
    for (const shard of settings.data.train_shards) {
      const t = readSafetensors(byPath.get(shard)!).tensors;
      const n = t.get('labels')!.shape[0];
      expect(t.get('input_ids')!.shape).toEqual([n, 48]);
      for (let i = 0; i < n; i++, row++) {
        const b = train.batch([row]);
        const ids = Array.from(t.get('input_ids')!.data.subarray(i * 48, (i + 1) * 48));
        const mask = Array.from(t.get('attention_mask')!.data.subarray(i * 48, (i + 1) * 48));
        expect(ids.slice(0, b.seqLength)).toEqual(Array.from(b.inputIds));
        expect(ids.slice(b.seqLength).every((v) => v === 0)).toBe(true);
        expect(mask.slice(0, b.seqLength)).toEqual(Array.from(b.attentionMask));
        expect(t.get('labels')!.data[i]).toBe(b.labels![0]);
      }
    }
    expect(row).toBe(50);
    const py = new TextDecoder().decode(byPath.get('train.py'));
    expect(py).toMatch(/^#!\/usr\/bin\/env python3/);
    expect(py).toContain('class BertAdam');
    expect(new TextDecoder().decode(byPath.get('README.md'))).toContain('torchrun --nproc_per_node=8 train.py');
  });
});
