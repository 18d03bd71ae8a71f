// model_file_sealed_fuzzer: the input is the *content* of a model file (see sealed_model.h),
// re-sealed with valid record checksums and file checksum, so the fuzzer works on the record
// decoders (options JSON, the Bayes header, pages) instead of on XXH64. Load must answer with a
// Status, never crash; a model it accepts must survive CheckLoadedModel.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "classiflow/model.h"
#include "fuzz_util.h"
#include "sealed_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace classiflow;
  const std::string file = fuzz::SealModelFile({reinterpret_cast<const char*>(data), size});
  const std::string path = fuzz::WriteScratchFile("sealed.cfm", file);
  std::shared_ptr<Model> model;
  if (Model::Load(path, &model).ok()) fuzz::CheckLoadedModel(*model);
  return 0;
}
