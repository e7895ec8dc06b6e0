/**
 * Gradient registrations. `@tensorflow/tfjs-core` alone registers no gradient functions;
 * the `@tensorflow/tfjs` union package registers all of them as a side effect (its Node build
 * inlines them, its ESM build imports tfjs-core's register_all_gradients). Importing it here
 * once, from the backend and the training step, makes tf.variableGrads work everywhere
 * (Node, tests, the worker) without a deep import that Node's ESM resolver cannot load.
 */
import '@tensorflow/tfjs';
