// The one place that includes Eigen, so every translation unit sees the same configuration
// (two TUs with different Eigen flags would silently put two Packet worlds into one binary).
#pragma once
#include <Eigen/Core>

namespace rnnlab {

// Column-major dynamic matrices: activations are stored one column per (time, stream) pair.
template <typename Scalar>
using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
template <typename Scalar>
using Vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

// Weights live in one contiguous slab in torch's row-major order, viewed through these maps.
template <typename Scalar>
using RowMajorMat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename Scalar>
using WeightMap = Eigen::Map<RowMajorMat<Scalar>>;
template <typename Scalar>
using ConstWeightMap = Eigen::Map<const RowMajorMat<Scalar>>;
template <typename Scalar>
using VecMap = Eigen::Map<Vec<Scalar>>;
template <typename Scalar>
using ConstVecMap = Eigen::Map<const Vec<Scalar>>;

}  // namespace rnnlab
