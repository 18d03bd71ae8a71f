// Option tables: the JSON keys of ModelOptions, each bound to the field it sets and reads.
//
// One table holds the keys every kind shares (kind, labels, thresholds, the analyzer); each
// kind's row in the kind table (models/kinds.h) brings its own table, so a key belongs to one
// kind and an option of another kind is refused by name. The same entry parses a key and
// writes it back (ToJson), so the two can never disagree on a name.
#pragma once

#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>

#include "classiflow/model_options.h"
#include "classiflow/status.h"
#include "util/json_options.h"

namespace classiflow {

struct OptionKey {
  // Checks the value's type and range for its field and stores it.
  std::function<Status(const std::string& key, const nlohmann::json& value, ModelOptions*)> set;
  std::function<nlohmann::json(const ModelOptions&)> get;
};
using OptionTable = std::map<std::string, OptionKey>;

// A number as an option error shows it: %g, so 1e+308 stays short and NaN reads "nan".
inline std::string ShownNumber(double value) {
  char shown[32];
  (void)std::snprintf(shown, sizeof shown, "%g", value);
  return shown;
}

inline Status WrongOptionType(const std::string& key, const char* expected,
                              const nlohmann::json& value) {
  return Status::InvalidArgument("option '" + key + "' must be " + expected + ", not " +
                                 DescribeJson(value));
}

// The entry of a scalar field. `field` maps a ModelOptions pointer (const or not) to the
// field: [](auto* o) -> auto& { return o->bayes.alpha; }.
template <class FieldOf>
OptionKey Field(FieldOf field) {
  OptionKey entry;
  entry.set = [field](const std::string& key, const nlohmann::json& value, ModelOptions* options) {
    auto& target = field(options);
    using T = std::remove_reference_t<decltype(target)>;
    if constexpr (std::is_same_v<T, bool>) {
      if (!value.is_boolean()) return WrongOptionType(key, "true or false", value);
      target = value.get<bool>();
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!value.is_string() && !value.is_null()) return WrongOptionType(key, "a string", value);
      target = value.is_null() ? std::string() : value.get<std::string>();
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!value.is_number()) return WrongOptionType(key, "a number", value);
      target = value.get<T>();
      if (!std::isfinite(target)) return WrongOptionType(key, "a finite number", value);
    } else {
      return JsonToInteger(key, value, &target);
    }
    return Status::OK();
  };
  entry.get = [field](const ModelOptions& options) { return nlohmann::json(field(&options)); };
  return entry;
}

// Each kind's own keys (defined in the kind's folder).
const OptionTable& BayesOptionTable();
const OptionTable& LinearOptionTable();
const OptionTable& LsiOptionTable();

}  // namespace classiflow
