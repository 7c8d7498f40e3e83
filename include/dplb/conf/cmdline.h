// The daemon's command line: dplb [-c FILE] [-x IPC_SOCKET] [-p PIDFILE] [-v ...] [-- EAL_ARGS...]
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dplb/base/status.h"
#include "dplb/conf/config.h"

namespace dplb::conf {

struct CmdLine {
  bool help = false;                      // -h/--help: print usage_text() and exit 0; nothing else is set
  std::string config_path;                // -c FILE; "" = none: run on default_config() (EAL args after --)
  std::optional<std::string> ipc_socket;  // -x: overrides [ctrl] socket
  std::optional<std::string> pid_file;    // -p
  unsigned verbosity = 0;                 // number of -v: each raises the log level one step
  std::vector<std::string> eal_args;      // everything after "--"
};

// Options may be given as "-c FILE" or "-cFILE"; flags may be grouped ("-vv"). Errors (unknown option,
// missing or empty value, repeated -c/-x/-p, stray argument) carry a one-line message; exiting with 2
// is the caller's job.
Result<CmdLine> parse_cmdline(int argc, char** argv);

std::string usage_text(std::string_view program);

// Log levels from the quietest to the most verbose.
inline constexpr std::string_view kLogLevels[] = {"off",  "critical", "error", "warn",
                                                  "info", "debug",    "trace"};

bool is_log_level(std::string_view level);
// Moves `level` `steps` steps towards trace (info -> debug -> trace), stopping at trace.
std::string raise_log_level(std::string_view level, unsigned steps);

// Applies the command line's overrides to a loaded configuration: -x, -v, and the EAL arguments after
// "--" (appended after the file's [eal] args).
void apply_cmdline(const CmdLine& cmd, Config& config);

}  // namespace dplb::conf
