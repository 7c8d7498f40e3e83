#include "cli/dpip/runner.h"

#include <cctype>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <vector>

#include "cli/dpip/batch.h"
#include "cli/dpip/format.h"
#include "cli/dpip/parser.h"
#include "cli/dpip/replies.h"
#include "cli/dpip/requests.h"
#include "cli/dpip/usage.h"
#include "dplb/ctrl/client.h"
#include "dplb/ctrl/proto.h"
#include "dplb/ctrl/wire.h"

namespace dplb::dpip {
namespace {

using ctrl::Kind;

std::string capitalized(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

void print_line(std::ostream& os, std::string_view text) {
  os << text;
  if (text.empty() || text.back() != '\n') os << '\n';
}

template <typename T>
std::vector<uint8_t> pod_payload(const T& v) {
  return ctrl::encode_pod(v);
}

// What a refused request was about, for ip's device wording.
struct ErrorContext {
  std::string_view dev;
  bool show = false;
};

class Runner {
 public:
  Runner(std::istream& in, std::ostream& out, std::ostream& err) : in_(in), out_(out), err_(err) {}

  int main(std::span<const std::string> args) {
    auto cmd = parse(args);
    if (!cmd) {
      print_line(err_, cmd.status().message());
      return kExitUsage;
    }
    options_ = cmd->options;
    if (cmd->verb == Verb::kBatch) return batch(cmd->options.batch_file);
    return execute(*cmd);
  }

 private:
  // ---- transport ---------------------------------------------------------------------------

  // Sends one request; prints the failure and returns nullopt when the daemon cannot be asked or
  // refuses (reply.error != 0).
  std::optional<ctrl::Reply> call(Kind kind, uint32_t op, std::span<const uint8_t> payload,
                                  const ErrorContext& ctx) {
    auto reply = call_raw(kind, op, payload);
    if (!reply) return std::nullopt;
    if (reply->error != 0) {
      print_line(err_, daemon_error_line(reply->error, reply->message, ctx.dev, ctx.show));
      return std::nullopt;
    }
    return std::move(*reply);
  }

  // As call() but a refusal is returned to the caller; nullopt only for transport failures.
  std::optional<ctrl::Reply> call_raw(Kind kind, uint32_t op, std::span<const uint8_t> payload) {
    if (!client_.is_connected()) {
      if (connect_failed_) return std::nullopt;
      auto c = ctrl::Client::connect(ctrl::resolve_ipc_path(options_.socket.c_str()));
      if (!c) {
        connect_failed_ = true;
        print_line(err_, capitalized(c.status().message()));
        return std::nullopt;
      }
      client_ = std::move(*c);
    }
    auto reply = client_.call(kind, op, payload);
    if (!reply) {
      transport_failed_ = true;
      print_line(err_, capitalized(reply.status().message()));
      return std::nullopt;
    }
    return std::move(*reply);
  }

  std::optional<ctrl::Reply> call(const Request& r) { return call(r.kind, r.op, r.payload, {r.dev, r.show}); }

  template <typename T>
  bool decoded(const Result<T>& r) {
    if (r) return true;
    print_line(err_, "Error: " + r.status().message());
    return false;
  }

  // ---- commands ----------------------------------------------------------------------------

  int execute(const Command& c) {
    switch (c.verb) {
      case Verb::kHelp: err_ << usage_text(c.object); return kExitUsage;
      case Verb::kVersion: out_ << kVersionText; return kExitOk;
      case Verb::kBatch: break;  // a batch line never parses to a batch
      default: break;
    }
    switch (c.object) {
      case Object::kLink: return link_show(c);
      case Object::kAddr: return addr(c);
      case Object::kNeigh: return neigh(c);
      case Object::kRoute: return route(c);
      case Object::kSync: return sync();
      case Object::kNone: break;
    }
    err_ << usage_text(Object::kNone);
    return kExitUsage;
  }

  // The links of a link show (its options say whether with counters), or of an addr show (without).
  std::optional<LinkShowData> fetch_links(const Command& c) {
    const auto& a = std::get<DevArgs>(c.args);
    std::optional<ctrl::Reply> reply;
    if (c.object == Object::kLink) {
      reply = call(*command_request(c));
    } else {
      reply = call(Kind::kGet, proto::kOpLinkShow, pod_payload(make_link_query(a, false)), {a.dev, true});
    }
    if (!reply) return std::nullopt;
    auto links = decode_link_show(reply->payload);
    if (!decoded(links)) return std::nullopt;
    if (!a.dev.empty() && links->links.empty()) {
      print_line(err_, daemon_error_line(ENODEV, "", a.dev, true));
      return std::nullopt;
    }
    return std::move(*links);
  }

  // -v: after a show, whether every worker agrees with the model (text output only).
  int show_done(int rc) {
    if (rc != kExitOk || !options_.verbose || options_.json) return rc;
    auto reply = call(Kind::kGet, proto::kOpSyncShow, {}, {});
    if (!reply) return kExitFailure;
    auto sync = decode_sync(reply->payload);
    if (!decoded(sync)) return kExitFailure;
    out_ << format_sync_footer(*sync);
    return kExitOk;
  }

  int link_show(const Command& c) {
    auto links = fetch_links(c);
    if (!links) return kExitFailure;
    out_ << format_links(*links, options_);
    return show_done(kExitOk);
  }

  // A change whose reply carries nothing but its status.
  int simple_set(const Command& c) { return call(*command_request(c)) ? kExitOk : kExitFailure; }

  int addr(const Command& c) {
    switch (c.verb) {
      case Verb::kShow: {
        auto links = fetch_links(c);
        if (!links) return kExitFailure;
        auto reply = call(*command_request(c));
        if (!reply) return kExitFailure;
        auto addrs = decode_addrs(reply->payload);
        if (!decoded(addrs)) return kExitFailure;
        out_ << format_addrs(*links, *addrs, options_);
        return show_done(kExitOk);
      }
      case Verb::kAdd:
      case Verb::kDel:
      case Verb::kFlush: return simple_set(c);
      default: break;
    }
    return kExitUsage;
  }

  int neigh(const Command& c) {
    switch (c.verb) {
      case Verb::kShow: {
        auto reply = call(*command_request(c));
        if (!reply) return kExitFailure;
        auto neighs = decode_neighs(reply->payload);
        if (!decoded(neighs)) return kExitFailure;
        out_ << format_neighs(*neighs, std::get<DevArgs>(c.args), options_);
        return show_done(kExitOk);
      }
      case Verb::kAdd:
      case Verb::kDel:
      case Verb::kFlush: return simple_set(c);
      default: break;
    }
    return kExitUsage;
  }

  int route(const Command& c) {
    switch (c.verb) {
      case Verb::kShow: {
        auto reply = call(*command_request(c));
        if (!reply) return kExitFailure;
        auto routes = decode_routes(reply->payload);
        if (!decoded(routes)) return kExitFailure;
        out_ << format_routes(*routes, std::get<RouteSelector>(c.args), options_);
        return show_done(kExitOk);
      }
      case Verb::kFlush: return simple_set(c);
      case Verb::kGet: {
        auto reply = call(*command_request(c));
        if (!reply) return kExitFailure;
        auto got = decode_route_get(reply->payload);
        if (!decoded(got)) return kExitFailure;
        out_ << format_route_get(*got, std::get<RouteGetArgs>(c.args), options_);
        return kExitOk;
      }
      default: {
        RouteGroup g;
        g.op = route_change_op(c.verb);
        g.records.push_back(make_route_record(std::get<RouteArgs>(c.args), c.verb));
        g.lines.push_back(0);
        return send_group(g, "") == GroupOutcome::kOk ? kExitOk : kExitFailure;
      }
    }
  }

  int sync() {
    auto reply = call(Kind::kGet, proto::kOpSyncShow, {}, {});
    if (!reply) return kExitFailure;
    auto sync = decode_sync(reply->payload);
    if (!decoded(sync)) return kExitFailure;
    out_ << format_sync(*sync, options_);
    return all_in_sync(*sync) ? kExitOk : kExitFailure;
  }

  // ---- route batches -----------------------------------------------------------------------

  enum class GroupOutcome { kOk, kFailed, kStop };

  void command_failed(const std::string& file, size_t line) {
    if (!file.empty()) err_ << "Command failed " << file << ":" << line << "\n";
  }

  // Sends the group (possibly as several requests after failures under -force). kFailed: some line
  // failed but the batch may go on (-force); kStop: stop here.
  //
  // The daemon stops at a batch's first failing record, so under -force the rest is sent again.
  // Requests halve after a failure and double after a success: a few failures cost a few resends,
  // a file where every line fails costs about one record per request, never the quadratic resend
  // of whole remainders.
  GroupOutcome send_group(const RouteGroup& g, const std::string& file) {
    const size_t n = g.records.size();
    const size_t max_chunk = max_routes_per_request();
    size_t chunk = max_chunk;
    bool failed = false;
    size_t start = 0;
    while (start < n) {
      const size_t end = std::min(n, start + chunk);
      auto reply = call_raw(Kind::kSet, g.op, encode_routes(g.records, start, end));
      if (!reply) {
        command_failed(file, g.lines[start]);
        return GroupOutcome::kStop;
      }
      RouteBatchOutcome o = route_batch_outcome(g, start, end, reply->error, reply->message, reply->payload);
      if (o.error.empty()) {
        start = end;
        chunk = std::min(max_chunk, chunk * 2);
        continue;
      }
      print_line(err_, o.error);
      command_failed(file, g.lines[o.failed]);
      if (o.malformed || !options_.force || file.empty()) return GroupOutcome::kStop;
      failed = true;
      if (o.whole) {
        // Nothing in this request was applied; under -force the rest of the group is skipped with it
        // (the same request would be refused again).
        start = end;
        continue;
      }
      start = o.failed + 1;
      chunk = std::max<size_t>(1, chunk / 2);
    }
    return failed ? GroupOutcome::kFailed : GroupOutcome::kOk;
  }

  int batch(const std::string& file) {
    std::ifstream f;
    std::istream* is = &in_;
    if (file != "-") {
      f.open(file);
      if (!f) {
        err_ << "Cannot open file \"" << file << "\" for reading: " << std::strerror(errno) << "\n";
        return kExitFailure;
      }
      is = &f;
    }
    bool failed = false;
    BatchReader reader(*is, options_);
    while (auto step = reader.next()) {
      if (step->kind == BatchStep::Kind::kRoutes) {
        GroupOutcome o = send_group(step->routes, file);
        if (o == GroupOutcome::kOk) continue;
        failed = true;
        if (o == GroupOutcome::kStop) break;
        continue;
      }
      int rc;
      if (step->kind == BatchStep::Kind::kParseError) {
        print_line(err_, step->error);
        rc = kExitUsage;
      } else {
        rc = execute(step->command);
      }
      if (rc != kExitOk) {
        failed = true;
        command_failed(file, step->line);
        if (!options_.force || transport_failed_ || connect_failed_) break;
      }
    }
    return failed ? kExitFailure : kExitOk;
  }

  std::istream& in_;
  std::ostream& out_;
  std::ostream& err_;
  GlobalOptions options_;
  ctrl::Client client_;
  bool connect_failed_ = false;
  bool transport_failed_ = false;
};

}  // namespace

std::string daemon_error_line(int error, std::string_view message, std::string_view dev, bool show) {
  const std::string_view errno_text = std::strerror(error);
  if (error == ENODEV && show && !dev.empty()) return "Device \"" + std::string(dev) + "\" does not exist.";
  if (message.empty() || message == errno_text) {
    if (error == ENODEV && !dev.empty()) return "Cannot find device \"" + std::string(dev) + "\"";
    return "RTNETLINK answers: " + std::string(errno_text);
  }
  if (message.starts_with("Cannot find device ")) return std::string(message);  // ip's own wording
  return "Error: " + std::string(message);
}

int run(std::span<const std::string> args, std::istream& in, std::ostream& out, std::ostream& err) {
  Runner r(in, out, err);
  return r.main(args);
}

}  // namespace dplb::dpip
