// A small JSON writer producing exactly iproute2's layout (its json_writer.c): compact, or with
// -p four-space indentation, "[ {" openings and arrays of scalars kept on one line. Strings are
// escaped correctly (ip forgets control characters other than \t \n \r \f \b).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dplb::dpip {

class JsonWriter {
 public:
  explicit JsonWriter(bool pretty) : pretty_(pretty) {}

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  // The name of the next member of the current object.
  void key(std::string_view name);

  void value(std::string_view s);
  void value(const char* s) { value(std::string_view(s)); }
  void value(uint64_t v);
  void value(int64_t v);
  void value(uint32_t v) { value(static_cast<uint64_t>(v)); }
  void value(int v) { value(static_cast<int64_t>(v)); }
  void value(bool b);

  // key + value in one call.
  template <typename T>
  void member(std::string_view name, const T& v) {
    key(name);
    value(v);
  }

  const std::string& str() const { return out_; }

  static std::string escape(std::string_view s);

 private:
  void separate();  // the separator owed before the next element
  void newline();   // pretty: newline and indentation for the current depth

  bool pretty_;
  std::string out_;
  int depth_ = 0;
  char sep_ = '\0';
};

}  // namespace dplb::dpip
