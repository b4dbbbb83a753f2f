#pragma once
// Quoting user input inside error messages: printable, bounded, never raw control bytes, so a
// hostile or binary value cannot forge log lines or blow up a message.

#include <string>
#include <string_view>

namespace slotbook::detail {

/// `"value"` with C-style escapes for quotes, backslashes and non-printable bytes; values longer
/// than `limit` bytes are cut and end in `..."`.
inline std::string quote(std::string_view value, std::size_t limit = 64) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(value.size() < limit ? value.size() + 2 : limit + 5);
  out.push_back('"');
  const std::size_t n = value.size() < limit ? value.size() : limit;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xf]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (value.size() > limit) out += "...";
  out.push_back('"');
  return out;
}

}  // namespace slotbook::detail
