#include "dplb/conf/cmdline.h"

#include <algorithm>
#include <iterator>

namespace dplb::conf {

namespace {

Status usage_error(std::string problem) { return Status::invalid(std::move(problem) + " (try -h)"); }

// Stores an option's value, refusing empty values and repeats.
Status set_once(std::optional<std::string>& slot, char option, std::string value) {
  std::string name = std::string("-") + option;
  if (slot) return usage_error(name + " given twice");
  if (value.empty()) return usage_error(name + ": empty value");
  slot = std::move(value);
  return Status::ok();
}

}  // namespace

Result<CmdLine> parse_cmdline(int argc, char** argv) {
  CmdLine cmd;
  std::optional<std::string> config_path;
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg == "--help") {
      return CmdLine{.help = true};
    }
    if (arg.size() < 2 || arg[0] != '-' || arg[1] == '-') {
      if (arg.starts_with("--")) return usage_error("unknown option " + std::string(arg));
      return usage_error("unexpected argument \"" + std::string(arg) + "\" (EAL arguments go after --)");
    }
    // A group of single-letter options; one that takes a value ends the group.
    for (size_t pos = 1; pos < arg.size(); ++pos) {
      char option = arg[pos];
      if (option == 'h') return CmdLine{.help = true};
      if (option == 'v') {
        ++cmd.verbosity;
        continue;
      }
      if (option != 'c' && option != 'x' && option != 'p') {
        return usage_error("unknown option -" + std::string(1, option));
      }
      std::string value;
      if (pos + 1 < arg.size()) {
        value = std::string(arg.substr(pos + 1));
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return usage_error(std::string("-") + option + " needs a value");
      }
      std::optional<std::string>& slot = option == 'c'   ? config_path
                                         : option == 'x' ? cmd.ipc_socket
                                                         : cmd.pid_file;
      if (Status s = set_once(slot, option, std::move(value)); !s) return s;
      break;
    }
  }
  for (; i < argc; ++i) cmd.eal_args.emplace_back(argv[i]);
  if (config_path) cmd.config_path = std::move(*config_path);
  return cmd;
}

std::string usage_text(std::string_view program) {
  std::string p(program.empty() ? "dplb" : program);
  return "usage: " + p +
         " [-c FILE] [-x IPC_SOCKET] [-p PIDFILE] [-v ...] [-- EAL_ARGS...]\n"
         "  -c FILE        configuration file (TOML; see dplb.toml.sample); without it, built-in defaults\n"
         "  -x IPC_SOCKET  control socket for dpip/ipvsadm (overrides [ctrl] socket)\n"
         "  -p PIDFILE     write the daemon's pid to PIDFILE\n"
         "  -v             more logging; repeat for more (info -> debug -> trace)\n"
         "  -h, --help     print this help and exit\n"
         "  -- EAL_ARGS    DPDK EAL arguments, appended after the configuration's [eal] args\n";
}

bool is_log_level(std::string_view level) {
  return std::find(std::begin(kLogLevels), std::end(kLogLevels), level) != std::end(kLogLevels);
}

std::string raise_log_level(std::string_view level, unsigned steps) {
  const auto* it = std::find(std::begin(kLogLevels), std::end(kLogLevels), level);
  if (it == std::end(kLogLevels)) return std::string(level);
  auto index = static_cast<size_t>(it - std::begin(kLogLevels));
  size_t last = std::size(kLogLevels) - 1;
  return std::string(kLogLevels[std::min<size_t>(index + steps, last)]);
}

void apply_cmdline(const CmdLine& cmd, Config& config) {
  if (cmd.ipc_socket) config.ipc_socket = *cmd.ipc_socket;
  config.log_level = raise_log_level(config.log_level, cmd.verbosity);
  config.eal_args.insert(config.eal_args.end(), cmd.eal_args.begin(), cmd.eal_args.end());
}

}  // namespace dplb::conf
