#include "storage/folder_lock.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

namespace jobsync::storage {

namespace {

std::string error_text(int err) {
  return std::strerror(err);
}

// A write lock over the whole file.
struct flock whole_file(short type) {
  struct flock l {};
  l.l_type = type;
  l.l_whence = SEEK_SET;
  l.l_start = 0;
  l.l_len = 0;
  return l;
}

// The PID written in the lock file by its holder.
std::optional<long> written_pid(int fd) {
  char buf[32] = {};
  auto n = pread(fd, buf, sizeof(buf) - 1, 0);
  if (n <= 0)
    return std::nullopt;
  char* end = nullptr;
  long pid = std::strtol(buf, &end, 10);
  if (end == buf || pid <= 0)
    return std::nullopt;
  return pid;
}

// Who holds the lock: the kernel knows; the file's text is the fallback
// when the holder let go between the two calls.
std::string holder_of(int fd) {
  auto probe = whole_file(F_WRLCK);
  if (fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK
      && probe.l_pid > 0)
    return "PID " + std::to_string(probe.l_pid);
  if (auto pid = written_pid(fd))
    return "PID " + std::to_string(*pid);
  return "PID unknown";
}

// Replaces the file's text with this process's PID.
void write_own_pid(int fd) {
  auto text = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) == 0)
    (void) !pwrite(fd, text.data(), text.size(), 0);
}

} // namespace

result<folder_lock> folder_lock::acquire(const std::string& folder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec)
    return failure{errc::internal, "cannot create the data folder " + folder
                                       + ": " + ec.message()};
  auto path = (std::filesystem::path{folder} / file_name).string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return failure{errc::internal, "cannot open the lock file " + path + ": "
                                       + error_text(errno)};
  auto lock = whole_file(F_WRLCK);
  if (fcntl(fd, F_SETLK, &lock) != 0) {
    int err = errno;
    if (err == EACCES || err == EAGAIN) {
      auto holder = holder_of(fd);
      ::close(fd);
      return failure{errc::unavailable,
                     "the data folder " + folder
                         + " is in use by another jobsyncd (" + holder
                         + ", holding " + path
                         + "); stop it first, or give this one another "
                           "storage.path"};
    }
    ::close(fd);
    return failure{errc::internal,
                   "cannot lock " + path + ": " + error_text(err)};
  }
  write_own_pid(fd);
  return folder_lock{fd};
}

folder_lock::folder_lock(folder_lock&& other) noexcept : fd_(other.fd_) {
  other.fd_ = -1;
}

folder_lock& folder_lock::operator=(folder_lock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

folder_lock::~folder_lock() {
  // Closing the only descriptor of the file releases the lock.
  if (fd_ >= 0)
    ::close(fd_);
}

} // namespace jobsync::storage
