#include "daemon/startup_files.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/dpip/batch.h"
#include "cli/dpip/format.h"
#include "cli/dpip/replies.h"
#include "cli/dpip/requests.h"
#include "cli/dpip/runner.h"
#include "cli/dpip/usage.h"
#include "cli/ipvsadm/ipvsadm_rules.h"

namespace dplb {

namespace {

std::string trimmed(const std::string& s) {
  size_t end = s.find_last_not_of(" \n");
  return end == std::string::npos ? std::string() : s.substr(0, end + 1);
}

// What `dpip -batch FILE` prints when a line fails: the failure (if any), then where.
std::string failed_at(const std::string& what, const std::string& file, size_t line) {
  std::string where = "Command failed " + file + ":" + std::to_string(line);
  return what.empty() ? where : what + "\n" + where;
}

// One route group: a single request, since the reader never groups more than one request holds.
std::string apply_routes(const dpip::RouteGroup& g, const std::string& file, const ctrl::OpHandler& dispatch) {
  std::vector<uint8_t> reply;
  Status st = dispatch(ctrl::Kind::kSet, g.op, dpip::encode_routes(g.records, 0, g.records.size()), reply);
  dpip::RouteBatchOutcome o = dpip::route_batch_outcome(g, 0, g.records.size(), st.code(), st.message(), reply);
  return o.error.empty() ? std::string() : failed_at(o.error, file, g.lines[o.failed]);
}

// Any other command: its request, applied for its effect (a listing's reply is not printed).
std::string apply_command(const dpip::Command& c, size_t line, const std::string& file,
                          const ctrl::OpHandler& dispatch) {
  auto request = dpip::command_request(c);
  if (!request) {
    if (c.verb == dpip::Verb::kHelp) return failed_at(trimmed(std::string(dpip::usage_text(c.object))), file, line);
    return "";
  }
  std::vector<uint8_t> reply;
  Status st = dispatch(request->kind, request->op, request->payload, reply);
  if (!st) return failed_at(dpip::daemon_error_line(st.code(), st.message(), request->dev, request->show), file, line);
  if (c.object == dpip::Object::kSync) {  // as the tool: workers that differ fail the command
    auto sync = dpip::decode_sync(reply);
    if (!sync) return failed_at("Error: " + sync.status().message(), file, line);
    if (!dpip::all_in_sync(*sync)) return failed_at("", file, line);
  }
  return "";
}

Status apply_dpip_batch(const std::string& file, const ctrl::OpHandler& dispatch) {
  auto refused = [&file](const std::string& why) { return Status::invalid("global.dpip_batch: " + file + ": " + why); };
  std::ifstream in(file);
  if (!in) return refused("Cannot open file \"" + file + "\" for reading: " + std::strerror(errno));
  dpip::BatchReader reader(in, dpip::GlobalOptions{});
  while (auto step = reader.next()) {
    std::string failure;
    switch (step->kind) {
      case dpip::BatchStep::Kind::kRoutes: failure = apply_routes(step->routes, file, dispatch); break;
      case dpip::BatchStep::Kind::kCommand: failure = apply_command(step->command, step->line, file, dispatch); break;
      case dpip::BatchStep::Kind::kParseError: failure = failed_at(step->error, file, step->line); break;
    }
    if (!failure.empty()) return refused(failure);
  }
  return Status::ok();
}

Status apply_ipvs_rules(const std::string& file, const ctrl::OpHandler& dispatch) {
  std::ifstream in(file);
  if (!in) return Status::invalid("global.ipvs_rules: " + file + ": cannot read");
  std::ostringstream err;
  int exit = cli::restore_rules("ipvsadm", in, err, [&](const std::vector<cli::Request>& requests) {
    for (const cli::Request& r : requests) {
      std::vector<uint8_t> reply;
      if (Status st = dispatch(r.kind, r.op, r.payload, reply); !st) {
        err << cli::refusal_text(st.code(), st.message()) << "\n";
        return cli::kExitRefused;
      }
    }
    return 0;
  });
  if (exit != 0) return Status::invalid("global.ipvs_rules: " + file + ": " + trimmed(err.str()));
  return Status::ok();
}

}  // namespace

Status apply_startup_files(const conf::Config& cfg, const ctrl::OpHandler& dispatch) {
  for (const std::string& file : cfg.dpip_batch)
    if (Status st = apply_dpip_batch(file, dispatch); !st) return st;
  if (!cfg.ipvs_rules.empty()) return apply_ipvs_rules(cfg.ipvs_rules, dispatch);
  return Status::ok();
}

}  // namespace dplb
