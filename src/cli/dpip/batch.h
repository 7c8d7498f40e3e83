// dpip -batch as a sequence of steps, shared by the tool (over its socket) and the daemon (its
// startup files, in-process): lines parsed in order, consecutive route changes of one operation
// grouped into one request of RouteRecord[], so 100,000 routes load in a few hundred requests.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/dpip/command.h"
#include "dplb/ctrl/proto.h"

namespace dplb::dpip {

// Consecutive route changes of one operation id (kOpRouteAdd or kOpRouteDel).
struct RouteGroup {
  uint32_t op = 0;
  std::vector<proto::RouteRecord> records;
  std::vector<size_t> lines;  // the batch line of each record
};

struct BatchStep {
  enum class Kind { kRoutes, kCommand, kParseError };
  Kind kind = Kind::kCommand;
  size_t line = 0;     // kCommand, kParseError: the line
  RouteGroup routes;   // kRoutes: at most max_routes_per_request() records
  Command command;     // kCommand
  std::string error;   // kParseError: the line to print, as ip prints it
};

// Reads a batch; a group ends at another operation, another command, a full request or the end.
class BatchReader {
 public:
  BatchReader(std::istream& in, GlobalOptions options) : in_(in), options_(std::move(options)) {}
  // The next step in file order; nullopt at the end of the input.
  std::optional<BatchStep> next();

 private:
  BatchStep take_group();

  std::istream& in_;
  GlobalOptions options_;
  size_t line_ = 0;
  RouteGroup group_;
  std::optional<BatchStep> pending_;  // read while a group was still to be returned
};

// What the daemon's answer to a route batch request carrying g.records[first, last) means.
struct RouteBatchOutcome {
  // "" when every record was applied; else the line ip prints (the refusal, or a malformed reply).
  std::string error;
  size_t failed = 0;      // the record the error is about (its line: g.lines[failed])
  bool whole = false;     // refused as a whole: nothing in the request was applied
  bool malformed = false; // the reply makes no sense: the batch must stop
};
RouteBatchOutcome route_batch_outcome(const RouteGroup& g, size_t first, size_t last, int error,
                                      std::string_view message, std::span<const uint8_t> payload);

}  // namespace dplb::dpip
