#include "ipvsadm_parser_entry.h"

#include <optional>
#include <string_view>
#include <vector>

#include "cli/ipvsadm/ipvsadm_command.h"
#include "cli/ipvsadm/ipvsadm_request.h"
#include "cli/ipvsadm/ipvsadm_rules.h"

namespace dplb::cli::fuzz {
namespace {

bool known_parse_error(int code) {
  return code == kParseUsage || code == kParseBadOption || code == kParseNoCommand || code == kParseUnsupported ||
         code == kParseNoScheduler;
}

}  // namespace

std::string check_ipvsadm_parser(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  // Line by line, as the tool's command line.
  std::vector<std::optional<IpvsCommand>> per_line;  // nullopt: blank, comment, or not a good rule
  bool all_rules = true;
  std::string_view rest = text;
  while (true) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    std::vector<std::string> args = split_rule_line(line);
    Result<IpvsCommand> cmd = parse_ipvsadm(args);
    if (!cmd) {
      if (!known_parse_error(cmd.status().code()))
        return "parse_ipvsadm: unknown error code " + std::to_string(cmd.status().code());
      int exit_code = exit_code_of_parse_error(cmd.status().code());
      if (exit_code != 1 && exit_code != 2 && exit_code != kExitRefused) return "exit_code_of_parse_error out of range";
      if (!args.empty()) all_rules = false;
      per_line.emplace_back();
    } else if (is_rule_command(cmd->cmd)) {
      Result<std::vector<Request>> requests = build_requests(*cmd);
      if (requests && requests->empty()) return "build_requests: a rule command without requests";
      if (!requests && requests.status().message().empty()) return "build_requests: error without a message";
      if (!requests || args.empty()) all_rules = false;
      per_line.emplace_back(args.empty() ? std::nullopt : std::optional<IpvsCommand>(*cmd));
    } else {
      if (!args.empty()) all_rules = false;
      per_line.emplace_back();
    }
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }

  // The whole text as a rules file: it must accept exactly the texts whose every line is a rule.
  Result<std::vector<RuleRequests>> rules = parse_rules(text);
  if (!rules) {
    if (rules.status().code() == 0) return "parse_rules: error without a code";
    if (!rules.status().message().starts_with("line ")) return "parse_rules: error without its line number";
    if (all_rules) return "parse_rules refused a text whose every line parses as a rule";
    return "";
  }
  for (const RuleRequests& r : rules.value()) {
    if (r.line_no == 0 || r.line_no > per_line.size()) return "parse_rules: line number out of range";
    if (!per_line[r.line_no - 1]) return "parse_rules accepted line " + std::to_string(r.line_no) + ", the parser did not";
    if (!(*per_line[r.line_no - 1] == r.command)) return "parse_rules and parse_ipvsadm disagree on line " + std::to_string(r.line_no);
  }
  return "";
}

}  // namespace dplb::cli::fuzz
