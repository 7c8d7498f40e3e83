#include "cli/dpip/batch.h"

#include <istream>

#include "cli/dpip/parser.h"
#include "cli/dpip/replies.h"
#include "cli/dpip/requests.h"
#include "cli/dpip/runner.h"
#include "dplb/ctrl/wire.h"

namespace dplb::dpip {

BatchStep BatchReader::take_group() {
  BatchStep step;
  step.kind = BatchStep::Kind::kRoutes;
  step.line = group_.lines.front();
  step.routes = std::move(group_);
  group_ = RouteGroup();
  return step;
}

std::optional<BatchStep> BatchReader::next() {
  if (pending_) {
    BatchStep step = std::move(*pending_);
    pending_.reset();
    return step;
  }
  std::string text;
  while (std::getline(in_, text)) {
    ++line_;
    auto words = split_batch_line(text);
    if (words.empty()) continue;
    auto cmd = parse_object(words, options_);
    if (cmd && is_route_change(*cmd)) {
      const uint32_t op = route_change_op(cmd->verb);
      std::optional<BatchStep> done;
      if (!group_.records.empty() && group_.op != op) done = take_group();  // what came before runs first
      group_.op = op;
      group_.records.push_back(make_route_record(std::get<RouteArgs>(cmd->args), cmd->verb));
      group_.lines.push_back(line_);
      if (done) return done;
      if (group_.records.size() >= max_routes_per_request()) return take_group();
      continue;
    }
    BatchStep step;
    step.line = line_;
    if (cmd) {
      step.kind = BatchStep::Kind::kCommand;
      step.command = std::move(*cmd);
    } else {
      step.kind = BatchStep::Kind::kParseError;
      step.error = cmd.status().message();
    }
    if (group_.records.empty()) return step;
    pending_ = std::move(step);  // the group before it runs first
    return take_group();
  }
  if (!group_.records.empty()) return take_group();
  return std::nullopt;
}

RouteBatchOutcome route_batch_outcome(const RouteGroup& g, size_t first, size_t last, int error,
                                      std::string_view message, std::span<const uint8_t> payload) {
  RouteBatchOutcome o;
  o.failed = first;
  auto dev = [&g](size_t i) { return ctrl::fixed_string(g.records[i].nh[0].ifname); };
  if (error != 0) {
    o.whole = true;
    o.error = daemon_error_line(error, message, dev(first), false);
    return o;
  }
  auto br = decode_batch_result(payload);
  if (br && (br->error == 0 ? br->applied != last - first : br->applied >= last - first)) {
    br = Status::error(EPROTO, "malformed route batch reply from dplb");
  }
  if (!br) {
    o.malformed = true;
    o.error = "Error: " + br.status().message();
    return o;
  }
  if (br->error == 0) return o;
  o.failed = first + br->applied;
  o.error = daemon_error_line(br->error, ctrl::fixed_string(br->message), dev(o.failed), false);
  return o;
}

}  // namespace dplb::dpip
