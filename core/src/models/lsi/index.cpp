// The LSI build: TF-IDF over the most common terms, then a randomized truncated SVD (Halko,
// Martinsson & Tropp 2011, algorithm 4.4: a Gaussian sketch, power iterations re-orthonormalised
// each time, the small matrix's eigen-decomposition). With rank + oversampling at least the
// matrix's smaller side, the sketch spans the whole range and the result is the exact SVD.
#include "models/lsi/index.h"

#include <immintrin.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <algorithm>
#include <cmath>
#include <random>
#include <unordered_map>

#include "models/term_counter.h"
#include "util/per_thread.h"

namespace classiflow {
namespace {

// Row-major: a product below adds whole rows (l floats, vectorised) at a time.
using Dense = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Sparse = Eigen::SparseMatrix<float, Eigen::RowMajor>;

// Extra sketch columns beyond the rank (Halko et al.: 5-10 make the error near optimal).
constexpr int kOversample = 10;
// Components whose singular value is below this share of the largest are noise (float sums).
constexpr double kNoiseFloor = 1e-4;

float SublinearTf(uint32_t count) { return 1.0f + std::log(static_cast<float>(count)); }

// out = a * b: each row of out the sum of b's rows weighted by a's row, rows in parallel.
// (Eigen's sparse × dense product runs one thread and column by column; this is ~5× faster
// here.)
void Multiply(const Sparse& a, const Dense& b, Dense* out) {
  out->setZero(a.rows(), b.cols());
  tbb::parallel_for(tbb::blocked_range<Eigen::Index>(0, a.rows(), 256), [&](const auto& rows) {
    for (Eigen::Index r = rows.begin(); r != rows.end(); ++r) {
      auto row = out->row(r);
      for (Sparse::InnerIterator it(a, r); it; ++it) row.noalias() += it.value() * b.row(it.col());
    }
  });
}

// Replaces m's columns by an orthonormal basis of their span.
// MᵀM in double, summed over blocks of rows in parallel.
Eigen::MatrixXd Gram(const Dense& m) {
  constexpr Eigen::Index kRows = 4096;
  const Eigen::Index blocks = (m.rows() + kRows - 1) / kRows;
  std::vector<Eigen::MatrixXf> partial(static_cast<size_t>(blocks));
  tbb::parallel_for(Eigen::Index{0}, blocks, [&](Eigen::Index b) {
    const auto rows = m.middleRows(b * kRows, std::min(kRows, m.rows() - b * kRows));
    partial[static_cast<size_t>(b)].noalias() = rows.transpose() * rows;
  });
  Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(m.cols(), m.cols());
  for (const auto& p : partial) gram += p.cast<double>();
  return gram;
}

// CholeskyQR (Q = M R⁻¹ with Rᵀ R = MᵀM; `passes` times, 2 for an orthonormal result to float
// precision, 1 inside power iterations): products that run in parallel, where Householder QR
// is sequential. Householder QR when M is too close to rank-deficient for it (near-duplicate
// items, or fewer distinct directions than columns).
void Orthonormalize(Dense* m, int passes) {
  for (int pass = 0; pass < passes; ++pass) {
    Eigen::LLT<Eigen::MatrixXd> llt(Gram(*m));
    const Eigen::VectorXd diagonal = llt.matrixLLT().diagonal();
    if (llt.info() != Eigen::Success || !(diagonal.minCoeff() > 1e-3 * diagonal.maxCoeff())) {
      Eigen::HouseholderQR<Eigen::MatrixXf> qr(*m);
      *m = qr.householderQ() * Eigen::MatrixXf::Identity(m->rows(), m->cols());
      return;
    }
    const Eigen::MatrixXf r = llt.matrixU().toDenseMatrix().cast<float>();
    constexpr Eigen::Index kRows = 4096;
    tbb::parallel_for(Eigen::Index{0}, (m->rows() + kRows - 1) / kRows, [&](Eigen::Index b) {
      auto rows = m->middleRows(b * kRows, std::min(kRows, m->rows() - b * kRows));
      r.triangularView<Eigen::Upper>().solveInPlace<Eigen::OnTheRight>(rows);
    });
  }
}

Status Cancelled() { return Status::Unavailable("the index build was cancelled"); }

// The terms the index keeps: the max_terms in the most items (ties: the lower feature id, so
// the choice does not depend on the order of the items), sorted, with their document counts.
void ChooseTerms(const std::vector<std::span<const LsiTerm>>& items, uint32_t max_terms,
                 std::vector<uint32_t>* features, std::vector<uint32_t>* df) {
  std::unordered_map<uint32_t, uint32_t> counts;
  for (const auto& terms : items) {
    for (const LsiTerm& term : terms) ++counts[term.feature];
  }
  std::vector<std::pair<uint32_t, uint32_t>> ranked(counts.begin(), counts.end());
  if (ranked.size() > max_terms) {
    std::nth_element(ranked.begin(), ranked.begin() + max_terms, ranked.end(),
                     [](const auto& a, const auto& b) {
                       return a.second > b.second || (a.second == b.second && a.first < b.first);
                     });
    ranked.resize(max_terms);
  }
  std::sort(ranked.begin(), ranked.end());
  features->clear();
  df->clear();
  for (const auto& [feature, count] : ranked) {
    features->push_back(feature);
    df->push_back(count);
  }
}

}  // namespace

float Dot(const float* a, const float* b, size_t n) {
  // Eight partial sums: the compiler keeps them in two SSE registers and the loop vectorises
  // without -ffast-math (n is a multiple of 8: LsiIndex::stride is).
  float sum[8] = {};
  for (size_t i = 0; i + 8 <= n; i += 8) {
    for (size_t k = 0; k < 8; ++k) sum[k] += a[i + k] * b[i + k];
  }
  float total = 0;
  for (size_t i = n & ~size_t{7}; i < n; ++i) total += a[i] * b[i];
  return total + ((sum[0] + sum[4]) + (sum[1] + sum[5])) + ((sum[2] + sum[6]) + (sum[3] + sum[7]));
}

void Quantize(const float* vector, size_t stride, int8_t* codes, float* scale) {
  float largest = 0;
  for (size_t k = 0; k < stride; ++k) largest = std::max(largest, std::fabs(vector[k]));
  *scale = largest / 127.0f;
  const float inverse = largest > 0 ? 127.0f / largest : 0.0f;
  for (size_t k = 0; k < stride; ++k) {
    codes[k] = static_cast<int8_t>(std::lround(vector[k] * inverse));
  }
}

namespace {

// The portable loop (SSE2, what x86-64 guarantees).
void DotManyPortable(const int8_t* query, const int8_t* codes, size_t count, size_t stride,
                     int32_t* sums) {
  for (size_t i = 0; i < count; ++i) {
    const int8_t* v = codes + i * stride;
    int32_t sum = 0;
    for (size_t k = 0; k < stride; ++k) sum += int32_t{query[k]} * int32_t{v[k]};
    sums[i] = sum;
  }
}

#define CLASSIFLOW_AVX2 __attribute__((target("avx2"), always_inline)) inline

// The sum of the products of 32 signed bytes: |v| (unsigned) times q with v's sign, in pairs
// to 16 bits (at most 2 · 127 · 127, no saturation), then to 32 bits.
CLASSIFLOW_AVX2 __m256i DotBytes(__m256i q, __m256i v) {
  const __m256i pairs = _mm256_maddubs_epi16(_mm256_sign_epi8(v, v), _mm256_sign_epi8(q, v));
  return _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
}

CLASSIFLOW_AVX2 __m256i Load(const int8_t* at) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at));
}

CLASSIFLOW_AVX2 int32_t Total(__m256i v) {
  const __m128i half = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  const __m128i pair = _mm_add_epi32(half, _mm_shuffle_epi32(half, 0x4e));
  return _mm_cvtsi128_si32(_mm_add_epi32(pair, _mm_shuffle_epi32(pair, 0xb1)));
}

// Four vectors at a time: each load of the query serves four, and four independent sums keep
// the multiply-adds in flight.
__attribute__((target("avx2"))) void DotManyAvx2(const int8_t* query, const int8_t* codes,
                                                 size_t count, size_t stride, int32_t* sums) {
  size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    const int8_t* v = codes + i * stride;
    __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
    for (size_t j = 0; j < stride; j += 32) {
      const __m256i q = Load(query + j);
      s0 = _mm256_add_epi32(s0, DotBytes(q, Load(v + j)));
      s1 = _mm256_add_epi32(s1, DotBytes(q, Load(v + stride + j)));
      s2 = _mm256_add_epi32(s2, DotBytes(q, Load(v + 2 * stride + j)));
      s3 = _mm256_add_epi32(s3, DotBytes(q, Load(v + 3 * stride + j)));
    }
    sums[i] = Total(s0);
    sums[i + 1] = Total(s1);
    sums[i + 2] = Total(s2);
    sums[i + 3] = Total(s3);
  }
  DotManyPortable(query, codes + i * stride, count - i, stride, sums + i);
}

}  // namespace

void DotMany(const int8_t* query, float query_scale, const int8_t* codes, const float* scales,
             size_t count, size_t stride, float* scores) {
  // Chosen once for this CPU: one binary (a wheel) runs everywhere and uses AVX2 where it can.
  static const bool avx2 = __builtin_cpu_supports("avx2");
  int32_t sums[256];
  for (size_t first = 0; first < count; first += 256) {
    const size_t n = std::min<size_t>(256, count - first);
    (avx2 ? DotManyAvx2 : DotManyPortable)(query, codes + first * stride, n, stride, sums);
    for (size_t i = 0; i < n; ++i) {
      scores[first + i] = query_scale * scales[first + i] * static_cast<float>(sums[i]);
    }
  }
}

const std::vector<LsiTerm>& DistinctTerms(const uint32_t* features, size_t feature_count) {
  struct Scratch {
    TermCounter counter;
    std::vector<LsiTerm> terms;
  };
  Scratch& scratch = PerThread<Scratch>();
  std::vector<LsiTerm>& terms = scratch.terms;
  const auto& counted = scratch.counter.Count(features, feature_count);
  terms.resize(counted.size());
  for (size_t i = 0; i < counted.size(); ++i) terms[i] = {counted[i].feature, counted[i].count};
  std::sort(terms.begin(), terms.end(),
            [](const LsiTerm& a, const LsiTerm& b) { return a.feature < b.feature; });
  return terms;
}

int64_t LsiIndex::Find(uint32_t feature) const {
  auto it = std::lower_bound(features.begin(), features.end(), feature);
  return it != features.end() && *it == feature ? it - features.begin() : -1;
}

bool LsiIndex::Project(std::span<const LsiTerm> terms, float* out) const {
  std::fill(out, out + stride, 0.0f);
  bool known = false;
  for (const LsiTerm& term : terms) {
    const int64_t t = Find(term.feature);
    if (t < 0) continue;
    known = true;
    const float w = SublinearTf(term.count) * idf[t];
    const float* row = basis.data() + static_cast<size_t>(t) * stride;
    for (uint32_t k = 0; k < stride; ++k) out[k] += w * row[k];
  }
  const float norm = std::sqrt(Dot(out, out, stride));
  if (!known || !(norm > 0)) {
    std::fill(out, out + stride, 0.0f);
    return false;
  }
  for (uint32_t k = 0; k < stride; ++k) out[k] /= norm;
  return true;
}

Status BuildIndex(const std::vector<std::span<const LsiTerm>>& items, const LsiOptions& options,
                  const std::atomic<bool>& cancel, LsiIndex* out) {
  *out = LsiIndex();
  std::vector<uint32_t> df;
  ChooseTerms(items, options.max_terms, &out->features, &df);
  const auto m = static_cast<Eigen::Index>(out->features.size());
  const auto n = static_cast<Eigen::Index>(items.size());
  out->idf.resize(out->features.size());
  for (size_t t = 0; t < df.size(); ++t) {  // smoothed, as scikit-learn's TfidfVectorizer
    out->idf[t] = std::log((1.0f + static_cast<float>(n)) / (1.0f + static_cast<float>(df[t]))) + 1;
  }
  if (m == 0 || n == 0) return Status::OK();

  // A: terms × items, each column the item's TF-IDF vector over the kept terms, unit length.
  Eigen::SparseMatrix<float> a(m, n);  // column-major while it is assembled
  {
    std::unordered_map<uint32_t, uint32_t> term_of;
    term_of.reserve(out->features.size());
    for (size_t t = 0; t < out->features.size(); ++t) {
      term_of.emplace(out->features[t], static_cast<uint32_t>(t));
    }
    std::vector<Eigen::Triplet<float, Eigen::Index>> entries;
    for (Eigen::Index j = 0; j < n; ++j) {
      const size_t first = entries.size();
      float squared = 0;
      for (const LsiTerm& term : items[j]) {
        auto found = term_of.find(term.feature);
        if (found == term_of.end()) continue;
        const uint32_t t = found->second;
        const float w = SublinearTf(term.count) * out->idf[t];
        entries.emplace_back(static_cast<Eigen::Index>(t), j, w);
        squared += w * w;
      }
      const float scale = squared > 0 ? 1.0f / std::sqrt(squared) : 0.0f;
      for (size_t e = first; e < entries.size(); ++e) {
        entries[e] =
            Eigen::Triplet<float, Eigen::Index>(entries[e].row(), j, entries[e].value() * scale);
      }
    }
    a.setFromTriplets(entries.begin(), entries.end());
  }
  const Sparse by_term(a);              // A, a row per term
  const Sparse by_item(a.transpose());  // Aᵀ, a row per item
  a = Eigen::SparseMatrix<float>();
  if (cancel.load()) return Cancelled();

  const Eigen::Index l = std::min<Eigen::Index>({options.rank + kOversample, m, n});
  std::mt19937_64 random(options.seed);
  std::normal_distribution<float> gaussian;
  Dense omega(n, l);
  for (Eigen::Index c = 0; c < l; ++c) {
    for (Eigen::Index r = 0; r < n; ++r) omega(r, c) = gaussian(random);
  }
  Dense q, z;
  Multiply(by_term, omega, &q);  // terms × l: a sketch of A's range
  Orthonormalize(&q, options.power_iterations == 0 ? 2 : 1);
  for (int i = 0; i < options.power_iterations; ++i) {
    if (cancel.load()) return Cancelled();
    Multiply(by_item, q, &z);
    Orthonormalize(&z, 1);
    Multiply(by_term, z, &q);
    Orthonormalize(&q, i + 1 == options.power_iterations ? 2 : 1);
  }
  if (cancel.load()) return Cancelled();
  // B = Qᵀ A is l × items; its left singular vectors are the eigenvectors of B Bᵀ.
  Multiply(by_item, q, &z);  // z = Bᵀ
  const Eigen::MatrixXd gram = Gram(z);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(gram);
  if (eigen.info() != Eigen::Success) return Status::Internal("LSI eigen-decomposition failed");
  const Eigen::VectorXd& values = eigen.eigenvalues();  // ascending
  const double largest = std::sqrt(std::max(values(l - 1), 0.0));
  std::vector<Eigen::Index> kept;  // columns of the eigenvectors, largest value first
  for (Eigen::Index c = l - 1; c >= 0 && static_cast<int>(kept.size()) < options.rank; --c) {
    const double sigma = std::sqrt(std::max(values(c), 0.0));
    if (!(sigma > kNoiseFloor * largest)) break;
    kept.push_back(c);
    out->singular.push_back(static_cast<float>(sigma));
  }
  out->rank = static_cast<uint32_t>(kept.size());
  if (out->rank == 0) return Status::OK();
  out->stride = LsiIndex::StrideFor(out->rank);
  Eigen::MatrixXf w(l, out->rank);
  for (size_t k = 0; k < kept.size(); ++k) {
    w.col(static_cast<Eigen::Index>(k)) = eigen.eigenvectors().col(kept[k]).cast<float>();
  }
  const Dense u = q * w;  // terms × rank
  out->basis.assign(static_cast<size_t>(m) * out->stride, 0.0f);
  for (Eigen::Index t = 0; t < m; ++t) {
    for (uint32_t k = 0; k < out->rank; ++k) {
      out->basis[static_cast<size_t>(t) * out->stride + k] = u(t, k);
    }
  }
  return Status::OK();
}

}  // namespace classiflow
