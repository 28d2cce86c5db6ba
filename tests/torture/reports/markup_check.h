// A strict well-formedness check for the XML and HTML the writers emit:
// every element closed in order, attribute values quoted and free of '<',
// every '&' starting an entity, comments and raw-text elements terminated.
// Stricter than HTML5 requires (it rejects omitted end tags), which is the
// point: the writers promise balanced output.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace reports::testing {

enum class Markup { kXml, kHtml };

namespace detail {

inline bool is_void_element(std::string_view name) {
  constexpr std::string_view kVoid[] = {"area",  "base", "br",   "col",   "embed",  "hr",    "img",
                                        "input", "link", "meta", "param", "source", "track", "wbr"};
  return std::find(std::begin(kVoid), std::end(kVoid), name) != std::end(kVoid);
}

inline bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == ':' || c == '_' ||
         c == '.';
}

// Length of the entity at `doc[pos]` ('&'), or 0 if there is none.
inline size_t entity_length(std::string_view doc, size_t pos) {
  size_t end = pos + 1;
  if (end < doc.size() && doc[end] == '#') {
    end++;
    const bool hex = end < doc.size() && (doc[end] == 'x' || doc[end] == 'X');
    if (hex) end++;
    const size_t digits = end;
    while (end < doc.size() && (hex ? std::isxdigit(static_cast<unsigned char>(doc[end]))
                                    : std::isdigit(static_cast<unsigned char>(doc[end])))) {
      end++;
    }
    if (end == digits) return 0;
  } else {
    const size_t letters = end;
    while (end < doc.size() && std::isalnum(static_cast<unsigned char>(doc[end]))) end++;
    if (end == letters) return 0;
  }
  return end < doc.size() && doc[end] == ';' ? end + 1 - pos : 0;
}

}  // namespace detail

// "" when `doc` is well formed, otherwise what is wrong and at which byte.
inline std::string check_markup(std::string_view doc, Markup kind) {
  using detail::is_name_char;
  std::vector<std::string> open;
  size_t roots = 0;
  size_t i = 0;
  auto error = [&](const std::string& what) { return what + " at byte " + std::to_string(i); };
  while (i < doc.size()) {
    const char c = doc[i];
    if (c == '&') {
      const size_t length = detail::entity_length(doc, i);
      if (length == 0) return error("bare '&'");
      i += length;
      continue;
    }
    if (c != '<') {
      i++;
      continue;
    }
    if (doc.substr(i, 4) == "<!--") {
      const size_t end = doc.find("-->", i + 4);
      if (end == std::string_view::npos) return error("unterminated comment");
      i = end + 3;
      continue;
    }
    if (doc.substr(i, 2) == "<!" || doc.substr(i, 2) == "<?") {
      const size_t end = doc.find('>', i);
      if (end == std::string_view::npos) return error("unterminated declaration");
      i = end + 1;
      continue;
    }
    const bool closing = doc.substr(i, 2) == "</";
    size_t pos = i + (closing ? 2 : 1);
    const size_t name_start = pos;
    while (pos < doc.size() && is_name_char(doc[pos])) pos++;
    const std::string name(doc.substr(name_start, pos - name_start));
    if (name.empty()) return error("stray '<'");
    if (closing) {
      while (pos < doc.size() && std::isspace(static_cast<unsigned char>(doc[pos]))) pos++;
      if (pos >= doc.size() || doc[pos] != '>') return error("malformed end tag </" + name);
      if (open.empty() || open.back() != name) {
        return error("</" + name + "> closes <" + (open.empty() ? "nothing" : open.back()) + ">");
      }
      open.pop_back();
      i = pos + 1;
      continue;
    }
    bool self_closing = false;
    for (;;) {
      while (pos < doc.size() && std::isspace(static_cast<unsigned char>(doc[pos]))) pos++;
      if (pos >= doc.size()) return error("unterminated tag <" + name);
      if (doc[pos] == '>') break;
      if (doc.substr(pos, 2) == "/>") {
        self_closing = true;
        pos++;
        break;
      }
      const size_t attribute_start = pos;
      while (pos < doc.size() && is_name_char(doc[pos])) pos++;
      if (pos == attribute_start) return error("malformed attribute in <" + name);
      if (pos < doc.size() && doc[pos] == '=') {
        pos++;
        if (pos >= doc.size() || (doc[pos] != '"' && doc[pos] != '\'')) {
          return error("unquoted attribute value in <" + name);
        }
        const char quote = doc[pos];
        const size_t end = doc.find(quote, pos + 1);
        if (end == std::string_view::npos) return error("unterminated attribute in <" + name);
        for (size_t k = pos + 1; k < end; k++) {
          if (doc[k] == '<') return error("'<' in an attribute of <" + name);
          if (doc[k] == '&' && detail::entity_length(doc, k) == 0) {
            return error("bare '&' in an attribute of <" + name);
          }
        }
        pos = end + 1;
      } else if (kind == Markup::kXml) {
        return error("attribute without value in <" + name);
      }
    }
    i = pos + 1;
    if (open.empty()) roots++;
    if (self_closing || (kind == Markup::kHtml && detail::is_void_element(name))) continue;
    if (kind == Markup::kHtml && (name == "script" || name == "style")) {
      const size_t end = doc.find("</" + name + ">", i);
      if (end == std::string_view::npos) return error("unterminated <" + name + ">");
      i = end + name.size() + 3;
      continue;
    }
    open.push_back(name);
  }
  if (!open.empty()) return "<" + open.back() + "> is never closed";
  if (roots != 1) return "expected exactly one root element, found " + std::to_string(roots);
  return "";
}

}  // namespace reports::testing
