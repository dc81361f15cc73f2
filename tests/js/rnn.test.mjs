// End-to-end for the recurrent layers (src/symbolic/rnn.c): nn.LSTM (2 layers, bidirectional,
// batch_first), nn.GRU (explicit h0), nn.RNN (2 layers, tanh) and nn.LSTMCell exported by
// onnxify must run in onnxruntime-node and give PyTorch's outputs at opsets 9, 13, 17, and the
// native CLI must write the same bytes (the suite: e2e_suite.mjs).
//
// Fixtures: build/fixtures_rnn/<model>/ from `make fixtures-rnn` (tools/make_rnn_fixtures.py);
// ONNXIFY_RNN_FIXTURES=DIR reads them from DIR.
//
// nn.LSTMCell is traced as linear + unsafe_chunk + in-place sigmoid_/tanh_ on the chunks, not as
// aten::lstm_cell (whose symbolic is covered by tests/c/test_symbolic_rnn.c).

import { join } from 'node:path';
import { defineSuite, ROOT } from './e2e_suite.mjs';

defineSuite({
  dir: process.env.ONNXIFY_RNN_FIXTURES || join(ROOT, 'build', 'fixtures_rnn'),
  make: 'make fixtures-rnn',
  models: {
    lstm: ['output', 'h_n', 'c_n'],
    gru: ['output', 'h_n'],
    rnn: ['output', 'h_n'],
    lstm_cell: ['h', 'c'],
  },
  opsets: [9, 13, 17],
  tag: 'rnn',
});
