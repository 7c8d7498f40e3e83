#include "cli/ipvsadm/ipvsadm_tool.h"

#include <istream>
#include <optional>
#include <ostream>
#include <vector>

#include "cli/ipvsadm/ipvsadm_command.h"
#include "cli/ipvsadm/ipvsadm_format.h"
#include "cli/ipvsadm/ipvsadm_reply.h"
#include "cli/ipvsadm/ipvsadm_request.h"
#include "cli/ipvsadm/ipvsadm_rules.h"
#include "dplb/ctrl/client.h"

namespace dplb::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;    // ipvsadm's exit(1) of a failed listing
constexpr int kExitNoDaemon = 2;  // ipvsadm's fail(2, "Can't initialize ipvs ...")

// The daemon connection, opened on first use and kept for the rest of the invocation (-R).
class Session {
 public:
  Session(const std::string& path, std::ostream& err) : path_(path), err_(err) {}

  // Sends the requests in order. Returns the replies, or an exit status after reporting the problem:
  // a refusal ends with `refused_exit`, after the daemon's message alone, as ipvsadm prints it.
  std::optional<std::vector<ctrl::Reply>> call_all(const std::vector<Request>& requests, int refused_exit,
                                                   int& exit) {
    if (!client_.is_connected()) {
      auto c = ctrl::Client::connect(path_);
      if (!c) {
        err_ << "Can't initialize ipvs: " << c.status().message() << "\nAre you sure that dplb is running?\n";
        exit = kExitNoDaemon;
        return std::nullopt;
      }
      client_ = std::move(*c);
    }
    std::vector<ctrl::Reply> replies;
    for (const auto& r : requests) {
      auto reply = client_.call(r.kind, r.op, r.payload);
      if (!reply) {
        err_ << reply.status().message() << "\n";
        exit = kExitFailed;
        return std::nullopt;
      }
      if (reply->error != 0) {
        err_ << refusal_text(reply->error, reply->message) << "\n";
        exit = refused_exit;
        return std::nullopt;
      }
      replies.push_back(std::move(*reply));
    }
    return replies;
  }

 private:
  std::string path_;
  std::ostream& err_;
  ctrl::Client client_;
};

int report_parse_error(std::string_view program, const Status& s, std::ostream& err) {
  err << parse_error_text(program, s) << "\n";
  return exit_code_of_parse_error(s.code());
}

template <typename T>
bool decoded(const Result<T>& r, std::ostream& err) {
  if (r) return true;
  err << r.status().message() << "\n";
  return false;
}

// Runs one parsed command other than -h, -v and -R.
int execute(const IpvsCommand& cmd, Session& session, std::ostream& out, std::ostream& err) {
  auto requests = build_requests(cmd);
  if (!requests) {
    err << requests.status().message() << "\n";
    return kExitFailed;
  }
  const bool listing = cmd.cmd == IpvsCmd::kList || cmd.cmd == IpvsCmd::kSave;
  int exit = kExitOk;
  auto replies = session.call_all(*requests, listing ? kExitFailed : kExitRefused, exit);
  if (!replies) return exit;
  if (!listing) return kExitOk;

  std::string text;
  if (cmd.cmd == IpvsCmd::kSave) {
    auto list = decode_list((*replies)[0].payload);
    if (!decoded(list, err)) return kExitFailed;
    text = format_rules(std::move(*list), cmd.format);
  } else if (cmd.list == ListWhat::kConnections) {
    auto conns = decode_conns((*replies)[0].payload);
    if (!decoded(conns, err)) return kExitFailed;
    text = format_connections(*conns, cmd.format);
    if (conns->conns.size() < conns->total) {
      err << "ipvsadm: listed " << conns->conns.size() << " of " << conns->total << " connections\n";
    }
  } else if (cmd.list == ListWhat::kTimeouts) {
    auto t = decode_timeouts((*replies)[0].payload);
    if (!decoded(t, err)) return kExitFailed;
    text = format_timeouts(*t);
  } else if (cmd.list == ListWhat::kService) {
    auto list = decode_list((*replies)[0].payload);
    if (!decoded(list, err)) return kExitFailed;
    if (list->empty()) {
      err << "No such service\n";
      return kExitFailed;
    }
    text = format_services(std::move(*list), cmd.format);
  } else {
    auto info = decode_info((*replies)[0].payload);
    auto list = decode_list((*replies)[1].payload);
    if (!decoded(info, err) || !decoded(list, err)) return kExitFailed;
    text = format_version_header(*info) + format_services(std::move(*list), cmd.format);
  }
  out << text;
  return kExitOk;
}

}  // namespace

std::string ipvsadm_version() { return "ipvsadm v1.31 2019/12/24 (dplb, compatible with IPVS v1.2.1)\n"; }

std::string ipvsadm_usage(std::string_view program) {
  const std::string p(program);
  std::string u = ipvsadm_version();
  u += "Usage:\n";
  u += "  " + p + " -A|E virtual-service [-s scheduler] [-b sched-flags]\n";
  u += "  " + p + " -D virtual-service\n";
  u += "  " + p + " -C\n";
  u += "  " + p + " -R\n";
  u += "  " + p + " -S [-n]\n";
  u += "  " + p + " -a|e virtual-service -r server-address [-m] [-w weight]\n";
  u += "  " + p + " -d virtual-service -r server-address\n";
  u += "  " + p + " -L|l [virtual-service] [options]\n";
  u += "  " + p + " -Z [virtual-service]\n";
  u += "  " + p + " --set tcp tcpfin udp\n";
  u += "  " + p + " -h\n\n";
  u += "Commands:\n"
       "Either long or short options are allowed.\n"
       "  --add-service     -A        add virtual service with options\n"
       "  --edit-service    -E        edit virtual service with options\n"
       "  --delete-service  -D        delete virtual service\n"
       "  --clear           -C        clear the whole table\n"
       "  --restore         -R        restore rules from stdin\n"
       "  --save            -S        save rules to stdout\n"
       "  --add-server      -a        add real server with options\n"
       "  --edit-server     -e        edit real server with options\n"
       "  --delete-server   -d        delete real server\n"
       "  --list            -L|-l     list the table\n"
       "  --zero            -Z        zero counters in a service or all services\n"
       "  --set tcp tcpfin udp        set connection timeout values\n"
       "  --help            -h        display this help message\n"
       "  --version         -v        display the version\n\n"
       "virtual-service:\n"
       "  --tcp-service|-t  service-address   service-address is address:port\n"
       "  --udp-service|-u  service-address   service-address is address:port\n\n"
       "Options:\n"
       "  --scheduler    -s scheduler         one of rr|wrr|lc|wlc|sh|mh,\n"
       "                                      the default scheduler is wlc.\n"
       "  --sched-flags  -b flags             scheduler flags (comma-separated): sh-fallback,sh-port (sh),\n"
       "                                      mh-fallback,mh-port (mh), flag-1,flag-2,flag-3\n"
       "  --persistent   -p [timeout]         persistent service (default timeout 300 seconds)\n"
       "  --netmask      -M netmask           persistent granularity mask (a prefix)\n"
       "  --real-server  -r server-address    server-address is address[:port], the service's port by "
       "default\n"
       "  --gatewaying   -g                   gatewaying (direct routing) (default)\n"
       "  --ipip         -i                   ipip encapsulation (tunneling)\n"
       "  --masquerading -m                   masquerading (NAT)\n"
       "  --tun-type     type                 one of ipip (the only one dplb does)\n"
       "  --weight       -w weight            capacity of real server, 0 to 65535 (default 1)\n"
       "  --connection   -c                   output of current IPVS connections\n"
       "  --timeout                           output of timeout (tcp tcpfin udp)\n"
       "  --stats                             output of statistics information\n"
       "  --rate                              output of rate information\n"
       "  --exact                             expand numbers (display exact values)\n"
       "  --thresholds                        output of thresholds information\n"
       "  --persistent-conn                   output of persistent connection info\n"
       "  --tun-info                          output of tunnel information\n"
       "  --nosort                            disable sorting output of service/server entries\n"
       "  --sort                              does nothing, for backwards compatibility\n"
       "  --numeric      -n                   numeric output of addresses and ports (always numeric)\n\n"
       "Addresses are numeric IPv4 and ports are numbers: no host or service names.\n"
       "Not supported by dplb (TCP and UDP services): --sctp-service, -f, -6, --pe, -o,\n"
       "--tun-type gue|gre and the other --tun-* options, -x, -y, --start-daemon, --stop-daemon,\n"
       "--daemon and the sync daemon's options.\n"
       "The daemon's control socket is $DPLB_IPC, else /var/run/dplb.ipc.\n";
  return u;
}

int run_ipvsadm(std::string_view program, std::span<const std::string> args, const std::string& ipc_path,
                std::istream& in, std::ostream& out, std::ostream& err) {
  auto cmd = parse_ipvsadm(args);
  if (!cmd) return report_parse_error(program, cmd.status(), err);
  Session session(ipc_path, err);
  switch (cmd->cmd) {
    case IpvsCmd::kHelp: out << ipvsadm_usage(program); return kExitOk;
    case IpvsCmd::kVersion: out << ipvsadm_version(); return kExitOk;
    case IpvsCmd::kRestore:
      return restore_rules(program, in, err, [&](const std::vector<Request>& requests) {
        int exit = kExitOk;
        session.call_all(requests, kExitRefused, exit);
        return exit;
      });
    default: return execute(*cmd, session, out, err);
  }
}

}  // namespace dplb::cli
