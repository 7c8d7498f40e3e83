#include "cli/ipvsadm/ipvsadm_rules.h"

#include <cstring>
#include <istream>
#include <ostream>

namespace dplb::cli {

std::vector<std::string> split_rule_line(std::string_view line) {
  line = line.substr(0, line.find('#'));
  std::vector<std::string> words;
  size_t i = 0;
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (i < line.size()) {
    while (i < line.size() && blank(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !blank(line[i])) ++i;
    if (i > start) words.emplace_back(line.substr(start, i - start));
  }
  if (!words.empty() && words.front() == "ipvsadm") words.erase(words.begin());
  return words;
}

Result<std::optional<IpvsCommand>> parse_rule_line(std::string_view line) {
  std::vector<std::string> args = split_rule_line(line);
  if (args.empty()) return std::optional<IpvsCommand>();
  auto cmd = parse_ipvsadm(args);
  if (!cmd) return cmd.status();
  if (!is_rule_command(cmd->cmd)) {
    return Status::error(kParseUsage,
                         "not a rule command (rules are -A -E -D -a -e -d -C -Z --set): " + args.front());
  }
  return std::optional<IpvsCommand>(std::move(*cmd));
}

Result<std::vector<RuleRequests>> parse_rules(std::string_view text) {
  std::vector<RuleRequests> out;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    auto cmd = parse_rule_line(line);
    if (!cmd)
      return Status::error(cmd.status().code(),
                           "line " + std::to_string(line_no) + ": " + cmd.status().message());
    if (!cmd->has_value()) continue;
    auto requests = build_requests(**cmd);
    if (!requests) {
      return Status::error(requests.status().code(),
                           "line " + std::to_string(line_no) + ": " + requests.status().message());
    }
    out.push_back(RuleRequests{line_no, std::string(line), std::move(**cmd), std::move(*requests)});
  }
  return out;
}

int restore_rules(std::string_view program, std::istream& in, std::ostream& err, const SendRuleRequests& send) {
  constexpr int kExitFailed = 1;  // ipvsadm's exit(1)
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    int exit = 0;
    auto cmd = parse_rule_line(line);
    if (!cmd) {
      err << parse_error_text(program, cmd.status()) << "\n";
      exit = exit_code_of_parse_error(cmd.status().code());
    } else if (cmd->has_value()) {
      auto requests = build_requests(**cmd);
      if (!requests) {
        err << requests.status().message() << "\n";
        exit = kExitFailed;
      } else {
        exit = send(*requests);
      }
    }
    if (exit != 0) {
      err << "ipvsadm: restore stopped at line " << line_no << ": " << line << "\n";
      return exit;
    }
  }
  return 0;
}

std::string refusal_text(int error, std::string_view message) {
  return message.empty() ? std::string(std::strerror(error)) : std::string(message);
}

}  // namespace dplb::cli
