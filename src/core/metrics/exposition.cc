#include "dplb/metrics/exposition.h"

#include <charconv>
#include <cmath>

namespace dplb::metrics {

namespace {

bool name_char(char c, bool first, bool colon_ok) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (c == ':') return colon_ok;
  return !first && c >= '0' && c <= '9';
}

bool valid_name(std::string_view name, bool colon_ok) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (!name_char(name[i], i == 0, colon_ok)) return false;
  return true;
}

}  // namespace

bool valid_metric_name(std::string_view name) { return valid_name(name, true); }
bool valid_label_name(std::string_view name) { return valid_name(name, false) && !name.starts_with("__"); }

namespace {

bool labels_valid(const Label* labels, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (!valid_label_name(labels[i].name)) return false;
  return true;
}

}  // namespace

void append_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

void append_help_text(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

bool Exposition::family(std::string_view name, std::string_view help, MetricType type) {
  if (!valid_metric_name(name) || names_.contains(name)) {
    current_.clear();
    return false;
  }
  names_.emplace(name);
  current_ = name;
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  append_help_text(out_, help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += type == MetricType::counter ? " counter\n" : " gauge\n";
  return true;
}

bool Exposition::sample_head(const Label* labels, size_t n) {
  if (current_.empty() || !labels_valid(labels, n)) {
    ++refused_;
    return false;
  }
  out_ += current_;
  if (n > 0) {
    out_ += '{';
    for (size_t i = 0; i < n; ++i) {
      if (i) out_ += ',';
      out_ += labels[i].name;
      out_ += "=\"";
      append_label_value(out_, labels[i].value);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
  return true;
}

void Exposition::sample(const Label* labels, size_t n, uint64_t value) {
  if (!sample_head(labels, n)) return;
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, end);
  out_ += '\n';
}

void Exposition::sample_double(const Label* labels, size_t n, double value) {
  if (!sample_head(labels, n)) return;
  if (std::isnan(value)) {
    out_ += "NaN";
  } else if (std::isinf(value)) {
    out_ += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    out_.append(buf, end);
  }
  out_ += '\n';
}

}  // namespace dplb::metrics
