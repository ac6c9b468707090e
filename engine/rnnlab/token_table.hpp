// Layer 0's input projection through a per-token table, for chunks with many more characters than vocabulary.
//
// With an embedding, layer 0's pre-activation for token v is W_ih0 · embed(v) + b_ih0: it depends on the token
// alone. A training chunk has N = T*B characters (W1: 2048) but only V distinct tokens (tinyshakespeare: 65),
// so projecting the V vocabulary entries once and gathering columns does 1/30 of the products; backward likewise
// first sums the N gradient columns by token (dtable) and then multiplies only V columns. For W1 this removes
// three (GH, E) x N products, ~10 % of a training step's floating-point work.
//
// The math is the same as the per-character path; only the summation order of the weight and embedding gradients
// changes (grouped by token), i.e. float rounding. Shapes: GH = G*H rows, E embedding width, V vocabulary,
// N characters. All matrices column-major.
#pragma once
#include <cstdint>

namespace rnnlab {

// Whether a chunk of N characters over a vocabulary of V should use the table: it pays once N >= 2V (the
// gather and the by-token sums are memory moves of the same size as the products they replace: (GH, N)).
inline bool use_token_table(int V, int N) { return 2 * V <= N; }

// table (GH, V) = W_ih0 · embed^T + b_ih0, column v = token v's input projection.
//   w_ih (GH, E) row-major (torch), embed (V, E) row-major, b_ih (GH).
template <typename S>
void token_table_forward(int GH, int E, int V, const S* w_ih, const S* embed, const S* b_ih, S* table);

// out (rows, N): column j = table (rows, V) column tokens[j].
template <typename S>
void gather_token_columns(int rows, int N, const S* table, const int32_t* tokens, S* out);

// Backward of both functions above given dpre (GH, N), the gradient of layer 0's input projection:
//   dtable (GH, V) = sum of the dpre columns by token (scratch, overwritten),
//   dw_ih (GH, E) row-major += dtable · embed, dembed (V, E) row-major += dtable^T · W_ih0.
// (The bias gradient is the row sum of dpre, left to the caller as for the other layers.)
template <typename S>
void token_table_backward(int GH, int E, int V, int N, const int32_t* tokens, const S* dpre, const S* w_ih,
                          const S* embed, S* dtable, S* dw_ih, S* dembed);

}  // namespace rnnlab
