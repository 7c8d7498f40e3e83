// Runs a dpip command line: parse, talk to the daemon, print. main() is a thin wrapper around run(),
// and the tests call it directly with string streams against a fake daemon.
#pragma once

#include <iosfwd>
#include <span>
#include <string>
#include <string_view>

namespace dplb::dpip {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the daemon refused, is unreachable, or workers differ
inline constexpr int kExitUsage = 255;  // command line errors and usage, as ip's exit(-1)

// args: the command line without the program name. in is read by -batch -.
int run(std::span<const std::string> args, std::istream& in, std::ostream& out, std::ostream& err);

// The line ip would print for a refused request: "Error: MESSAGE" when the daemon explains; ip's
// "RTNETLINK answers: <strerror>" when it gives only the errno (no message, or strerror's text);
// for ENODEV about a named device ip's own wording (show: Device "X" does not exist., change:
// Cannot find device "X").
std::string daemon_error_line(int error, std::string_view message, std::string_view dev, bool show);

}  // namespace dplb::dpip
