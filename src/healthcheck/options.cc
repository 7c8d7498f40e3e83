#include "healthcheck/options.h"

#include "dplb/ctrl/client.h"

namespace dplb::hc {

Result<Command> parse_options(std::span<const std::string> args) {
  Command c;
  std::string socket;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* what) -> Result<std::string> {
      if (i + 1 >= args.size()) return Status::invalid(a + ": missing " + what);
      return args[++i];
    };
    if (a == "-f" || a == "--use-file") {
      auto v = value("FILE");
      if (!v) return v.status();
      c.options.conf_path = *v;
    } else if (a == "-x" || a == "--socket") {
      auto v = value("SOCKET");
      if (!v) return v.status();
      socket = *v;
    } else if (a == "-n" || a == "--dont-fork") {
      c.options.foreground = true;
    } else if (a == "-l" || a == "--log-console") {
      c.options.log_stderr = true;
    } else if (a == "-h" || a == "--help") {
      c.help = true;
    } else {
      return Status::invalid("unknown option " + a);
    }
  }
  c.options.ipc_path = ctrl::resolve_ipc_path(socket.c_str());
  return c;
}

std::string usage(const std::string& program) {
  return "Usage: " + program +
         " [-f keepalived.conf] [-x SOCKET] [-n] [-l]\n"
         "  -f, --use-file FILE   keepalived.conf (default /etc/keepalived/keepalived.conf)\n"
         "  -x, --socket SOCKET   dplb's control socket (default $DPLB_IPC, else /var/run/dplb.ipc)\n"
         "  -n, --dont-fork       stay in the foreground\n"
         "  -l, --log-console     log to stderr (default: syslog)\n"
         "Checks the real servers of keepalived.conf's virtual servers and keeps dplb's IPVS tables\n"
         "in step. SIGHUP reloads the file (only differences are applied); SIGTERM stops.\n"
         "Exit: 0 stopped, 1 failure, 2 bad command line or configuration.\n";
}

}  // namespace dplb::hc
