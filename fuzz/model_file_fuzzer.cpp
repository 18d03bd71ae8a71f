// model_file_fuzzer: any bytes as a model file. Model::Load must answer with a Status (almost
// always Corruption: the file checksum rarely matches), never crash; a file it accepts must
// survive CheckLoadedModel (classify, train, save, load again, same scores bit for bit).
// model_file_sealed_fuzzer gets past the checksums; this target covers the file framing itself.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "classiflow/model.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace classiflow;
  const std::string path =
      fuzz::WriteScratchFile("input.cfm", {reinterpret_cast<const char*>(data), size});
  std::shared_ptr<Model> model;
  if (Model::Load(path, &model).ok()) fuzz::CheckLoadedModel(*model);
  return 0;
}
