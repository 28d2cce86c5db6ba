#include <memory>

#include "faultfs/file_system.h"
#include "faultfs/status_macros.h"

namespace faultfs {

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out(dir);
  if (out.back() != '/') out.push_back('/');
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  out.append(name);
  return out;
}

std::string parent_path(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

Result<std::string> read_file(FileSystem& fs, const std::string& path) {
  ASSIGN_OR_RETURN(auto file, fs.open(path, OpenMode::kRead));
  ASSIGN_OR_RETURN(auto size, file->size());
  std::string out(size, '\0');
  size_t done = 0;
  while (done < out.size()) {
    ASSIGN_OR_RETURN(auto n,
                     file->read_at(done, std::span<char>(out.data() + done, out.size() - done)));
    if (n == 0) break;  // Shrunk under us: return what exists.
    done += n;
  }
  out.resize(done);
  RETURN_IF_ERROR(file->close());
  return out;
}

}  // namespace faultfs
