#include "files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli_error.hpp"

namespace rnnlab::cli {
namespace {

std::string reason() { return std::strerror(errno); }

std::string display_name(const std::string& path) { return path == "-" ? "standard input" : quoted(path); }

std::string size_text(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GB", bytes / (1024.0 * 1024.0 * 1024.0));
  return buf;
}

std::string directory_of(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Closes on every path out, including exceptions.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;   // Ctrl-C during a save: finish the save
      throw std::runtime_error(reason());
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

std::string read_file(const std::string& path) {
  Fd f;
  f.fd = path == "-" ? ::dup(STDIN_FILENO) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) throw FileError("cannot read " + display_name(path) + ": " + reason());
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) throw FileError("cannot read " + display_name(path) + ": " + reason());
  if (S_ISDIR(st.st_mode)) throw FileError(display_name(path) + " is a directory, not a file");
  std::string data;
  if (S_ISREG(st.st_mode)) {
    if (static_cast<unsigned long long>(st.st_size) > kMaxFileBytes)
      throw FileError(display_name(path) + " is " + size_text(static_cast<double>(st.st_size)) +
                      "; rnnlab reads files up to 1 GB (use a part of it: head -c 1G)");
    data.reserve(static_cast<size_t>(st.st_size));
  }
  // Read until end of file rather than trusting st_size: pipes have none, and files may grow meanwhile.
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      throw FileError("cannot read " + display_name(path) + ": " + reason());
    }
    if (data.size() + static_cast<size_t>(n) > kMaxFileBytes)
      throw FileError(display_name(path) + " is larger than 1 GB, the most rnnlab reads (use a part of it)");
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
  std::string tmp = path + ".tmp-XXXXXX";
  Fd f;
  f.fd = ::mkstemp(tmp.data());
  if (f.fd < 0) throw FileError("cannot write " + quoted(path) + ": " + reason());
  try {
    // mkstemp makes the file private (0600); a model is an ordinary file, so give it what a plain create
    // would (or what the file it replaces had).
    struct stat st {};
    mode_t mode;
    if (::stat(path.c_str(), &st) == 0) {
      mode = st.st_mode & 07777;
    } else {
      const mode_t mask = ::umask(0);
      ::umask(mask);
      mode = 0666 & ~mask;
    }
    ::fchmod(f.fd, mode);
    write_all(f.fd, bytes);
    if (::fsync(f.fd) != 0) throw std::runtime_error(reason());
    if (::close(f.fd) != 0) {
      f.fd = -1;
      throw std::runtime_error(reason());
    }
    f.fd = -1;
    if (::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error(reason());
  } catch (const std::runtime_error& e) {
    ::unlink(tmp.c_str());
    throw FileError("cannot write " + quoted(path) + ": " + e.what());
  }
  // Makes the rename itself durable; failing here loses nothing already written, so it is not an error.
  Fd dir;
  dir.fd = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir.fd >= 0) ::fsync(dir.fd);
}

void check_writable(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw FileError(quoted(path) + " is a directory: give a file name for the model");
  std::string tmp = path + ".tmp-XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) throw FileError("cannot write " + quoted(path) + ": " + reason());
  ::close(fd);
  ::unlink(tmp.c_str());
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {}, sb {};
  if (a == "-" || b == "-") return false;
  if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace rnnlab::cli
