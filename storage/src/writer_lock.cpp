#include "writer_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <mutex>
#include <utility>

#include "util/errno_text.h"

namespace classiflow {
namespace {

// Process-wide: the (device, inode) of every database a writer in this process holds, with the
// spelling it was opened by.
struct Registry {
  std::mutex mu;
  std::map<std::pair<unsigned long long, unsigned long long>, std::string> held;
};
Registry& TheRegistry() {
  static auto* registry = new Registry();  // never destroyed: engines may close at exit
  return *registry;
}

}  // namespace

Status WriterLock::Claim(std::string what, unsigned long long device, unsigned long long inode,
                         const std::string& spelling, std::unique_ptr<WriterLock>* out) {
  Registry& registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  auto [it, inserted] = registry.held.try_emplace({device, inode}, spelling);
  if (!inserted) {
    return Status::Busy(what + " is already open in this process (as '" + it->second + "')");
  }
  out->reset(new WriterLock(std::move(what), device, inode));
  return Status::OK();
}

WriterLock::~WriterLock() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
  Registry& registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  registry.held.erase({device_, inode_});
}

Status WriterLock::Lock(const std::string& lock_file, bool create) {
  const int flags = O_RDONLY | O_CLOEXEC | (create ? O_CREAT : 0);
  const int fd = ::open(lock_file.c_str(), flags, 0644);
  if (fd < 0) return Status::IOError("cannot open '" + lock_file + "': " + ErrnoText(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return Status::Busy(what_ + " is in use by another engine or process");
    return Status::IOError("cannot lock '" + lock_file + "': " + ErrnoText(err));
  }
  lock_fd_ = fd;
  return Status::OK();
}

}  // namespace classiflow
