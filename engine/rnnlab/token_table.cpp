#include "rnnlab/token_table.hpp"

#include <algorithm>
#include <cstddef>

#include "rnnlab/linalg.hpp"

namespace rnnlab {

template <typename S>
void token_table_forward(int GH, int E, int V, const S* w_ih, const S* embed, const S* b_ih, S* table) {
  // W_ih0 row-major (GH, E) is the column-major (E, GH) matrix, so trans_a; embed row-major (V, E) is the
  // column-major (E, V) matrix whose columns are the embeddings: op(B) as stored.
  gemm<S>(true, false, GH, V, E, S(1), w_ih, E, embed, E, S(0), table, GH);
  // The bias goes into the table, once per token instead of once per character: the same one addition per
  // element as the per-character path (W·x, then + b_ih), so the same rounding.
  for (int v = 0; v < V; ++v) {
    S* col = table + static_cast<size_t>(v) * GH;
    for (int r = 0; r < GH; ++r) col[r] += b_ih[r];
  }
}

template <typename S>
void gather_token_columns(int rows, int N, const S* table, const int32_t* tokens, S* out) {
  for (int j = 0; j < N; ++j) {
    const S* src = table + static_cast<size_t>(tokens[j]) * rows;
    std::copy(src, src + rows, out + static_cast<size_t>(j) * rows);
  }
}

template <typename S>
void token_table_backward(int GH, int E, int V, int N, const int32_t* tokens, const S* dpre, const S* w_ih,
                          const S* embed, S* dtable, S* dw_ih, S* dembed) {
  // dtable (GH, V): column v = sum of dpre's columns j with tokens[j] == v, in increasing j (deterministic).
  std::fill(dtable, dtable + static_cast<size_t>(GH) * V, S(0));
  for (int j = 0; j < N; ++j) {
    S* d = dtable + static_cast<size_t>(tokens[j]) * GH;
    const S* s = dpre + static_cast<size_t>(j) * GH;
    for (int r = 0; r < GH; ++r) d[r] += s[r];
  }
  // d W_ih0 (GH, E) row-major = (E, GH) column-major += embed_cm (E, V) · dtable^T (V, GH).
  gemm<S>(false, true, E, GH, V, S(1), embed, E, dtable, GH, S(1), dw_ih, E);
  // d embed (V, E) row-major = (E, V) column-major += W_ih0_cm (E, GH) · dtable (GH, V).
  gemm<S>(false, false, E, V, GH, S(1), w_ih, E, dtable, GH, S(1), dembed, E);
}

template void token_table_forward<float>(int, int, int, const float*, const float*, const float*, float*);
template void token_table_forward<double>(int, int, int, const double*, const double*, const double*, double*);
template void gather_token_columns<float>(int, int, const float*, const int32_t*, float*);
template void gather_token_columns<double>(int, int, const double*, const int32_t*, double*);
template void token_table_backward<float>(int, int, int, int, const int32_t*, const float*, const float*, const float*,
                                          float*, float*, float*);
template void token_table_backward<double>(int, int, int, int, const int32_t*, const double*, const double*,
                                           const double*, double*, double*, double*);

}  // namespace rnnlab
