#include "cli/dpip/json_writer.h"

#include <cstdio>

namespace dplb::dpip {

void JsonWriter::separate() {
  if (sep_ != '\0') out_ += sep_;
  sep_ = ',';
}

void JsonWriter::newline() {
  if (!pretty_) return;
  out_ += '\n';
  for (int i = 0; i < depth_; ++i) out_ += "    ";
}

void JsonWriter::begin_object() {
  separate();
  out_ += '{';
  ++depth_;
  sep_ = '\0';
}

void JsonWriter::end_object() {
  --depth_;
  if (sep_ != '\0') newline();
  out_ += '}';
  sep_ = ',';
}

void JsonWriter::begin_array() {
  separate();
  out_ += '[';
  ++depth_;
  sep_ = '\0';
  if (pretty_) out_ += ' ';
}

void JsonWriter::end_array() {
  if (pretty_ && sep_ != '\0') out_ += ' ';
  sep_ = '\0';
  --depth_;
  out_ += ']';
  sep_ = ',';
}

void JsonWriter::key(std::string_view name) {
  separate();
  newline();
  sep_ = '\0';
  out_ += escape(name);
  out_ += pretty_ ? ": " : ":";
}

void JsonWriter::value(std::string_view s) {
  separate();
  out_ += escape(s);
}

void JsonWriter::value(uint64_t v) {
  separate();
  out_ += std::to_string(v);
}

void JsonWriter::value(int64_t v) {
  separate();
  out_ += std::to_string(v);
}

void JsonWriter::value(bool b) {
  separate();
  out_ += b ? "true" : "false";
}

std::string JsonWriter::escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(ch));
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace dplb::dpip
