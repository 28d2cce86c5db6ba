// CrashChoice text form and the small shared helpers of crash.h.
#include <bit>
#include <charconv>
#include <optional>
#include <sstream>

#include "faultfs/crash.h"
#include "faultfs/status_macros.h"

namespace faultfs {
namespace {

Status bad(std::string_view text, const std::string& why) {
  return Status(ErrorCode::kInvalidArgument,
                "bad crash choice (" + why + "): " + std::string(text.substr(0, 200)));
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t end = s.find(sep, start);
    out.push_back(
        s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

bool parse_u64(std::string_view s, uint64_t* out, int base = 10) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, base);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// "delete,PATH" or "restore,PATH,POINT", PATH shell-safe (see LostFile).
std::optional<LostFile> parse_lost(std::string_view value) {
  const auto parts = split(value, ',');
  LostFile lost;
  if (parts.size() == 2 && parts[0] == "delete") {
    lost.kind = LostFile::Kind::kDelete;
  } else if (parts.size() == 3 && parts[0] == "restore" && parse_u64(parts[2], &lost.point)) {
    lost.kind = LostFile::Kind::kRestore;
  } else {
    return std::nullopt;
  }
  if (!is_lost_file_path(parts[1])) return std::nullopt;
  lost.path = std::string(parts[1]);
  return lost;
}

// "fs=posix|ext4-ordered", or "dir=" as older builds wrote it ("strict", or
// the retired "lenient", which is refused).
[[nodiscard]] Result<FsModel> parse_model_field(std::string_view key, std::string_view value) {
  return key == "fs" ? parse_fs_model(value) : parse_legacy_dir_mode(value);
}

}  // namespace

const char* crash_policy_name(CrashPolicy policy) {
  switch (policy) {
    case CrashPolicy::kDrop:
      return "drop";
    case CrashPolicy::kPrefix:
      return "prefix";
    case CrashPolicy::kReorder:
      return "reorder";
    case CrashPolicy::kTorn:
      return "torn";
    case CrashPolicy::kCorrupt:
      return "corrupt";
    case CrashPolicy::kLostFile:
      return "lost-file";
  }
  return "?";
}

bool is_lost_file_path(std::string_view path) {
  constexpr std::string_view kNameChars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
  for (const std::string_view name : split(path, '/')) {
    if (name.empty() || name == "." || name == ".." ||
        name.find_first_not_of(kNameChars) != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool is_beyond_contract(CrashPolicy policy) {
  return policy == CrashPolicy::kCorrupt || policy == CrashPolicy::kLostFile;
}

const char* fs_model_name(FsModel model) {
  return model == FsModel::kPosix ? "posix" : "ext4-ordered";
}

Result<CrashPolicy> parse_crash_policy(std::string_view name) {
  for (CrashPolicy p : {CrashPolicy::kDrop, CrashPolicy::kPrefix, CrashPolicy::kReorder,
                        CrashPolicy::kTorn, CrashPolicy::kCorrupt, CrashPolicy::kLostFile}) {
    if (name == crash_policy_name(p)) return p;
  }
  return Status(ErrorCode::kInvalidArgument, "unknown crash policy: " + std::string(name));
}

Result<FsModel> parse_fs_model(std::string_view name) {
  for (FsModel m : {FsModel::kPosix, FsModel::kExt4Ordered}) {
    if (name == fs_model_name(m)) return m;
  }
  if (name == "lenient") {
    return Status(ErrorCode::kInvalidArgument,
                  "file-system model 'lenient' is retired (it allowed states ext4 cannot "
                  "produce): use ext4-ordered, or posix");
  }
  return Status(ErrorCode::kInvalidArgument, "unknown file-system model: " + std::string(name) +
                                                 " (want posix or ext4-ordered)");
}

Result<FsModel> parse_legacy_dir_mode(std::string_view name) {
  if (name == "strict") return FsModel::kPosix;
  if (name == "lenient") {
    return Status(ErrorCode::kInvalidArgument,
                  "directory mode 'lenient' of an older build is retired and cannot be "
                  "replayed faithfully: rerun the campaign with --fs-model ext4-ordered");
  }
  return Status(ErrorCode::kInvalidArgument, "unknown directory mode: " + std::string(name));
}

Status validate_crash_options(const CrashOptions& options) {
  const uint32_t sb = options.sector_bytes;
  if (!std::has_single_bit(sb) || sb < kSectorBytesMin || sb > kSectorBytesMax) {
    return Status(ErrorCode::kInvalidArgument,
                  "sector_bytes must be a power of two in [64, 65536]: " + std::to_string(sb));
  }
  return Status::ok();
}

char torn_garbage_byte(uint64_t seed, uint64_t offset) {
  // splitmix64 of (seed, 8-byte block), one byte of it per offset.
  uint64_t z = seed + (offset / 8 + 1) * 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return static_cast<char>(z >> (8 * (offset % 8)));
}

std::string CrashChoice::serialize() const {
  std::ostringstream out;
  out << "v1;policy=" << crash_policy_name(options.policy)
      << ";fs=" << fs_model_name(options.fs_model) << ";sector=" << options.sector_bytes
      << ";applied=";
  for (size_t i = 0; i < applied.size(); ++i) out << (i == 0 ? "" : ",") << applied[i];
  if (torn) {
    out << ";torn=" << torn->change_id << "," << torn->fates << ","
        << (torn->size_follows_data ? "data" : "ext") << "," << std::hex << torn->garbage_seed
        << std::dec;
  }
  if (corruption) {
    out << ";corrupt=" << (corruption->kind == CorruptionKind::kBitFlip ? "flip" : "sector") << ","
        << corruption->ino << "," << corruption->offset << "," << corruption->bit;
  }
  if (lost) {
    out << ";lost=" << (lost->kind == LostFile::Kind::kDelete ? "delete," : "restore,")
        << lost->path;
    if (lost->kind == LostFile::Kind::kRestore) out << "," << lost->point;
  }
  return out.str();
}

Result<CrashChoice> CrashChoice::parse(std::string_view text) {
  const std::vector<std::string_view> fields = split(text, ';');
  if (fields.empty() || fields[0] != "v1") return bad(text, "not version v1");
  CrashChoice c;
  bool have_policy = false, have_dir = false, have_sector = false, have_applied = false;
  for (size_t i = 1; i < fields.size(); ++i) {
    const size_t eq = fields[i].find('=');
    if (eq == std::string_view::npos) return bad(text, "field without '='");
    const std::string_view key = fields[i].substr(0, eq);
    const std::string_view value = fields[i].substr(eq + 1);
    if (key == "policy") {
      ASSIGN_OR_RETURN(auto p, parse_crash_policy(value));
      c.options.policy = p;
      have_policy = true;
    } else if (key == "fs" || key == "dir") {
      if (have_dir) return bad(text, "two file-system models");
      ASSIGN_OR_RETURN(c.options.fs_model, parse_model_field(key, value));
      have_dir = true;
    } else if (key == "sector") {
      uint64_t sb = 0;
      if (!parse_u64(value, &sb) || sb > kSectorBytesMax) return bad(text, "bad sector");
      c.options.sector_bytes = static_cast<uint32_t>(sb);
      have_sector = true;
    } else if (key == "applied") {
      if (!value.empty()) {
        for (std::string_view id : split(value, ',')) {
          uint64_t v = 0;
          if (!parse_u64(id, &v)) return bad(text, "bad change id");
          c.applied.push_back(v);
        }
      }
      have_applied = true;
    } else if (key == "torn") {
      const auto parts = split(value, ',');
      TornWrite t;
      if (parts.size() != 4 || !parse_u64(parts[0], &t.change_id) ||
          (parts[2] != "ext" && parts[2] != "data") || !parse_u64(parts[3], &t.garbage_seed, 16)) {
        return bad(text, "bad torn field");
      }
      t.fates = std::string(parts[1]);
      if (t.fates.empty() || t.fates.find_first_not_of("NOZG") != std::string::npos) {
        return bad(text, "bad sector fates");
      }
      t.size_follows_data = parts[2] == "data";
      c.torn = std::move(t);
    } else if (key == "corrupt") {
      const auto parts = split(value, ',');
      Corruption k;
      uint64_t bit = 0;
      if (parts.size() != 4 || (parts[0] != "flip" && parts[0] != "sector") ||
          !parse_u64(parts[1], &k.ino) || !parse_u64(parts[2], &k.offset) ||
          !parse_u64(parts[3], &bit) || bit > 7) {
        return bad(text, "bad corrupt field");
      }
      k.kind = parts[0] == "flip" ? CorruptionKind::kBitFlip : CorruptionKind::kLostSector;
      k.bit = static_cast<uint32_t>(bit);
      c.corruption = k;
    } else if (key == "lost") {
      auto lost = parse_lost(value);
      if (!lost) return bad(text, "bad lost field");
      c.lost = std::move(*lost);
    } else {
      return bad(text, "unknown field " + std::string(key));
    }
  }
  if (!have_policy || !have_dir || !have_sector || !have_applied) {
    return bad(text, "missing policy, fs, sector or applied");
  }
  RETURN_IF_ERROR(validate_crash_options(c.options));
  return c;
}

}  // namespace faultfs
