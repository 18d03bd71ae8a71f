#include <nlohmann/json.hpp>

#include "extract/extractor.h"
#include "pipeline/stages/stages.h"

namespace classiflow {

void ExtractStage::Run(ItemState& item) const {
  for (const ExtractStageSpec::Pattern& pattern : spec_.extract.patterns) {
    std::string_view value;
    // The first match; a field that is not found stays absent (validate routes on that).
    if (pattern.extractor->FindFirst(item.text, &value)) {
      item.SetField(pattern.name, nlohmann::json(std::string(value)).dump());
    }
  }
  item.stage = spec_.next;
}

}  // namespace classiflow
