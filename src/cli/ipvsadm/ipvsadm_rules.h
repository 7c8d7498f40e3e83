// Rules text in ipvsadm -S format: what `ipvsadm -R` reads and what the daemon applies at startup.
// A line is split on blanks (space, tab, CR); '#' starts a comment to the end of the line (ipvsadm's
// config_stream documents this, though its code misses most comments); a leading "ipvsadm" word
// is dropped; blank lines are skipped. Each line must be a rule command (is_rule_command).
#pragma once

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dplb/base/status.h"
#include "cli/ipvsadm/ipvsadm_command.h"
#include "cli/ipvsadm/ipvsadm_request.h"

namespace dplb::cli {

// The arguments of one line (without its newline); empty for a blank or comment line.
std::vector<std::string> split_rule_line(std::string_view line);

// One line: nothing for a blank or comment line, else its command. Errors are parse_ipvsadm's, or
// kParseUsage when the command is not a rule command.
Result<std::optional<IpvsCommand>> parse_rule_line(std::string_view line);

struct RuleRequests {
  size_t line_no = 0;  // 1-based
  std::string text;    // the line as written
  IpvsCommand command;
  std::vector<Request> requests;
};

// A whole rules text, checked completely before anything is applied: the first bad line fails it
// all ("line N: MESSAGE", with that line's parse error code).
Result<std::vector<RuleRequests>> parse_rules(std::string_view text);

// Sends one rule's requests in order; returns 0, or the exit status after printing the failure on
// the restore's err (the tool: over its socket; the daemon's startup: in-process).
using SendRuleRequests = std::function<int(const std::vector<Request>& requests)>;

// ipvsadm -R: applies the rules line by line, stopping at the first failure. On a failure, err gets
// ipvsadm's report (the parse error, the refusal...) then "ipvsadm: restore stopped at line N:
// TEXT", and the result is ipvsadm's exit status for it; 0 when every line was applied.
int restore_rules(std::string_view program, std::istream& in, std::ostream& err, const SendRuleRequests& send);

// The line ipvsadm prints for a refused request: the daemon's message, else strerror(error).
std::string refusal_text(int error, std::string_view message);

}  // namespace dplb::cli
