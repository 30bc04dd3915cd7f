// Shared inputs of the extension's unit tests.

/** The notes' XOR network (2-3-1 sigmoid, half squared error), 40 epochs, no shuffling. */
export const XOR = `{
  // the notes' network
  "name": "xor", "seed": 7,
  "layers": [
    { "units": 2 },
    { "units": 3, "activation": "sigmoid" },
    { "units": 1, "activation": "sigmoid", "weights": [[0.1, -0.2, 0.3]], "biases": [0.0] }
  ],
  "loss": "half-squared-error",
  "training": { "optimizer": "sgd", "learningRate": 0.5, "epochs": 40, "batchSize": 4, "shuffle": false },
  "data": { "inputs": [[0,0],[0,1],[1,0],[1,1]], "targets": [[0],[1],[1],[0]] }
}`;
