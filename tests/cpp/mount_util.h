// Real mounts for tests that run as root (a small tmpfs that fills up, a read-only bind);
// callers skip, not fail, where the kernel refuses.
#pragma once

#include <sys/mount.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace classiflow::testing {

// A mount for the life of the object; ok() is false when the kernel refused it.
class Mount {
 public:
  Mount(const std::string& source, const std::string& target, const char* type, unsigned long flags,
        const char* data)
      : target_(target) {
    ok_ = geteuid() == 0 && ::mount(source.c_str(), target.c_str(), type, flags, data) == 0;
  }
  ~Mount() {
    if (ok_) ::umount2(target_.c_str(), MNT_DETACH);
  }
  Mount(const Mount&) = delete;
  Mount& operator=(const Mount&) = delete;
  bool ok() const { return ok_; }

 private:
  std::string target_;
  bool ok_ = false;
};

// Writes `path` until the disk is full.
inline void FillDisk(const std::string& path) {
  std::ofstream file(path, std::ios::binary | std::ios::app);
  const std::string chunk(4096, 'x');
  while (file.write(chunk.data(), chunk.size()) && file.flush()) {
  }
}

}  // namespace classiflow::testing
