// The Prometheus text exposition format, version 0.0.4: one family per metric name (a HELP line, a
// TYPE line, then its samples), label values escaped (\\, \", \n), HELP text escaped (\\, \n).
// The writer appends to one string, so a scrape of many thousand samples is a few appends each.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace dplb::metrics {

enum class MetricType { counter, gauge };

struct Label {
  std::string_view name;
  std::string_view value;
};

// "text/plain; version=0.0.4; charset=utf-8": what the HTTP answer announces.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Appends `value` to `out` escaped as a label value: backslash, double quote and newline.
void append_label_value(std::string& out, std::string_view value);
// Appends `text` escaped as HELP text: backslash and newline.
void append_help_text(std::string& out, std::string_view text);
// [a-zA-Z_:][a-zA-Z0-9_:]* for metric names; label names may not contain ':'.
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);

class Exposition {
 public:
  // Starts a family. Its samples must follow before the next family starts: the format wants all
  // samples of one name together. A name already used, or an invalid one, is refused (false) and
  // its samples are dropped, counted in refused_samples(): a programming error made visible in
  // tests, never a malformed exposition.
  bool family(std::string_view name, std::string_view help, MetricType type);
  // One sample of the current family.
  void sample(std::initializer_list<Label> labels, uint64_t value) { sample(labels.begin(), labels.size(), value); }
  void sample(std::initializer_list<Label> labels, double value) { sample_double(labels.begin(), labels.size(), value); }
  void sample(const Label* labels, size_t n, uint64_t value);
  void sample_double(const Label* labels, size_t n, double value);

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }
  size_t refused_samples() const { return refused_; }
  void reserve(size_t bytes) { out_.reserve(bytes); }

 private:
  // Writes `name{labels} ` of a sample of the current family; false (and counted) when refused.
  bool sample_head(const Label* labels, size_t n);

  std::string out_;
  std::string current_;          // the current family's name ("" when refused)
  std::set<std::string, std::less<>> names_;
  size_t refused_ = 0;
};

}  // namespace dplb::metrics
