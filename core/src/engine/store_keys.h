// How an Engine lays its data out in a Store's key spaces.
#pragma once

#include <string>
#include <string_view>

namespace classiflow {

// Models space: "<model>\0<record>"; model names cannot contain NUL.
inline std::string RecordKey(std::string_view model, std::string_view record) {
  std::string key(model);
  key.push_back('\0');
  key.append(record);
  return key;
}

// Meta space: the model's incarnation, a random id written when the model is created, so a
// reader tells a model dropped and created again under the same name from a new version.
inline std::string IncarnationKey(std::string_view model) {
  std::string key("incarnation");
  key.push_back('\0');
  key.append(model);
  return key;
}

}  // namespace classiflow
