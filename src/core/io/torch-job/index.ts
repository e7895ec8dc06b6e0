/** The torchrun job: a Tabtune run as a folder PyTorch's DistributedDataParallel continues. */
export { exportTorchJob, type TorchJobInput, type TorchJobSettings } from './job-folder';
export { featureShards } from './features';
export { TRAIN_PY } from './train-py';
